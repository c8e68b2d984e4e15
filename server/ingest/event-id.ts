// Deterministic event ids, so that a retried batch stores nothing twice: the
// id of an event is a UUID made from SHA-256 over the ingestion key's id and
// the canonical JSON of the item exactly as it arrived (object keys sorted at
// every depth, no whitespace). The same envelope from the same key always gets
// the same id; `INSERT … ON CONFLICT (id) DO NOTHING` then makes the retry a
// no-op. The key id is part of the hash, so two producers can never collide
// on purpose.
//
// The UUID carries version 8 ("custom", RFC 9562) and the RFC variant bits;
// the other 122 bits are the first bits of the digest.
import "server-only";
import { createHash } from "node:crypto";

/** One array or object being written: its values in output order (and, for an object, their keys). */
type Frame = { values: unknown[]; keys: string[] | null; next: number; close: "]" | "}" };

/** Deeper than this, canonicalJson leaves the recursive fast path for the explicit stack. */
const RECURSION_LIMIT = 128;

class TooDeepForRecursion extends Error {}

/** Plain recursion and string concatenation (for objects with index-like keys). Same output as the stack version. */
function canonicalRecursive(value: unknown, depth: number): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (depth > RECURSION_LIMIT) throw new TooDeepForRecursion();
  if (Array.isArray(value)) {
    let out = "[";
    for (let index = 0; index < value.length; index++) out += (index === 0 ? "" : ",") + canonicalRecursive(value[index], depth + 1);
    return out + "]";
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += (first ? "" : ",") + JSON.stringify(key) + ":" + canonicalRecursive(item, depth + 1);
    first = false;
  }
  return out + "}";
}

/** Keys V8 may treat as array indices, which every object lists first in numeric order whatever the insertion order. */
const INDEX_LIKE_KEY = /^(?:0|[1-9][0-9]*)$/;

class NotCopyable extends Error {}

/**
 * The fastest path: a copy of `value` with every object's keys inserted in
 * sorted order, for the engine's own JSON.stringify to write (property order is
 * insertion order for non-index keys). Null-prototype objects, so a
 * "__proto__" key stays an own property. An object with an index-like key
 * cannot be ordered this way: NotCopyable, and the caller writes it by hand.
 */
function sortedCopy(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > RECURSION_LIMIT) throw new TooDeepForRecursion();
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) copy[index] = sortedCopy(value[index], depth + 1);
    return copy;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of keys) {
    if (INDEX_LIKE_KEY.test(key)) throw new NotCopyable();
    copy[key] = sortedCopy(record[key], depth + 1);
  }
  return copy;
}

/**
 * JSON with object keys sorted at every depth and no whitespace (RFC 8785
 * ordering for ASCII keys): a key-sorted copy written by JSON.stringify
 * (about twice as fast as concatenating by hand), by hand when an object has
 * index-like keys ("0", "42"). Recursive up to RECURSION_LIMIT levels (every
 * envelope the intake accepts: it refuses items nested deeper than
 * MAX_ITEM_DEPTH before they get here); deeper values are written with an
 * explicit stack, so no input can exhaust the call stack.
 */
export function canonicalJson(value: unknown): string {
  try {
    try {
      return JSON.stringify(sortedCopy(value, 0)) ?? "null";
    } catch (error) {
      if (!(error instanceof NotCopyable)) throw error;
      return canonicalRecursive(value, 0);
    }
  } catch (error) {
    if (!(error instanceof TooDeepForRecursion)) throw error;
    return canonicalJsonWithStack(value);
  }
}

/** canonicalJson with an explicit stack rather than recursion: any depth. */
export function canonicalJsonWithStack(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  let current: unknown = value;
  let hasCurrent = true;
  for (;;) {
    if (hasCurrent) {
      hasCurrent = false;
      if (current === null || typeof current !== "object") {
        const encoded = JSON.stringify(current);
        out.push(encoded === undefined ? "null" : encoded);
      } else if (Array.isArray(current)) {
        out.push("[");
        stack.push({ values: current, keys: null, next: 0, close: "]" });
      } else {
        const record = current as Record<string, unknown>;
        // Array.prototype.sort's default order compares UTF-16 code units, as RFC 8785 does.
        const keys = Object.keys(record)
          .sort()
          .filter((key) => record[key] !== undefined);
        out.push("{");
        stack.push({ values: keys.map((key) => record[key]), keys, next: 0, close: "}" });
      }
    }
    const frame = stack.at(-1);
    if (!frame) return out.join("");
    if (frame.next >= frame.values.length) {
      out.push(frame.close);
      stack.pop();
      continue;
    }
    const index = frame.next++;
    if (index > 0) out.push(",");
    if (frame.keys) out.push(`${JSON.stringify(frame.keys[index])}:`);
    current = frame.values[index];
    hasCurrent = true;
  }
}

export function deterministicEventId(sourceId: string, item: unknown): string {
  const digest = createHash("sha256").update(sourceId, "utf8").update("\n", "utf8").update(canonicalJson(item), "utf8").digest();
  digest[6] = (digest[6]! & 0x0f) | 0x80; // version 8
  digest[8] = (digest[8]! & 0x3f) | 0x80; // variant 10xx
  const hex = digest.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
