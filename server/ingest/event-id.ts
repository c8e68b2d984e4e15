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

/** JSON with object keys sorted at every depth and no whitespace (RFC 8785 ordering for ASCII keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const encoded = JSON.stringify(value);
    return encoded === undefined ? "null" : encoded;
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + canonicalJson(value[i]);
    return out + "]";
  }
  const record = value as Record<string, unknown>;
  // Array.prototype.sort's default order compares UTF-16 code units, as RFC 8785 does.
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += (first ? "" : ",") + JSON.stringify(key) + ":" + canonicalJson(item);
    first = false;
  }
  return out + "}";
}

export function deterministicEventId(sourceId: string, item: unknown): string {
  const digest = createHash("sha256").update(sourceId, "utf8").update("\n", "utf8").update(canonicalJson(item), "utf8").digest();
  digest[6] = (digest[6]! & 0x0f) | 0x80; // version 8
  digest[8] = (digest[8]! & 0x3f) | 0x80; // variant 10xx
  const hex = digest.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
