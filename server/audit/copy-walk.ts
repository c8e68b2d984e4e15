// Full verification at the speed of reading: audit rows streamed out of
// PostgreSQL with COPY … TO STDOUT (FORMAT binary) — the row's own columns,
// nothing computed by the server, so it costs the server what `SELECT *`
// does — and hashed in one pass.
//
// Node writes the row's canonical JSON (./canonical.ts) straight from the
// binary fields, in sorted key order: text and enum labels as their UTF-8
// bytes between quotes (JSON.stringify escapes only ", \ and controls below
// 0x20 — text holds no lone surrogates — so a value without those is its own
// JSON), text[] element by element the same way (a list row's ~140 event ids:
// no string objects made), integers, seq as a decimal string, timestamptz
// (microseconds since 2000-01-01) as ISO UTC with milliseconds, uuids as
// lower-case hex; only jsonb (filters, before, after: small, and remembered)
// is parsed and canonicalized. Then one SHA-256 over the bytes.
//
// Two encodings. The fast one copies each text or text[] value that holds no
// `"` and no `\` byte (found by two native scans of the tuple) without
// looking at its bytes, in WebAssembly (./text-array-wasm.ts): one copy of the tuple into the
// module's memory, one call per text or text[] column. It is the canonical
// JSON unless a value holds a control character, which it leaves unescaped —
// bytes no canonical JSON holds, so that row's hash cannot match, and the
// careful encoding (escaping byte by byte, as JSON.stringify does) decides.
// A value with a quote or a backslash is always written the careful way:
// copied unescaped, `["a","b"]` and `['a","b']` would be the same bytes.
//
// Sound either way: a hash equal to the stored one means these bytes are the
// ones hashed when the row was written (the encoding is injective), and one
// that differs is re-checked on the slow path (row_to_json →
// canonicalAuditColumns) before a row is called altered, so an encoding
// difference could cost time but never raise a false alarm.
//
// PGlite has no COPY TO STDOUT here: verify-audit-chain.ts falls back to
// keyset batches there.
//
// This module does not import "server-only": `npm run audit:verify` runs it.
import { hash } from "node:crypto";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { HASHED_COLUMN_NAMES, canonicalJson } from "./canonical";
import { textArrayToJsonModule } from "./text-array-wasm";

/** How each hashed column is written in the canonical JSON, from its binary COPY form. */
type ColumnKind = "text" | "uuid" | "int2" | "int4" | "int8-string" | "timestamptz" | "text[]" | "jsonb";

const COLUMN_KINDS: Record<string, ColumnKind> = {
  chain_id: "int2",
  seq: "int8-string",
  occurred_at: "timestamptz",
  actor_person_id: "uuid",
  actor_groups: "text[]",
  actor_roles: "text[]",
  event_ids: "text[]",
  machine_ids: "text[]",
  field_classes: "text[]",
  filters: "jsonb",
  before: "jsonb",
  after: "jsonb",
  row_count: "int4",
  // everything else: text, or an enum (enum_send writes the label's text)
};

const SORTED_COLUMNS = [...HASHED_COLUMN_NAMES].sort();
const KINDS: ColumnKind[] = SORTED_COLUMNS.map((column) => COLUMN_KINDS[column] ?? "text");
/** `{"action":`, `,"actor_email":`, …: each member's key with what precedes it */
const KEY_PREFIXES: Uint8Array[] = SORTED_COLUMNS.map((column, i) => Buffer.from(`${i === 0 ? "{" : ","}${JSON.stringify(column)}:`, "utf8"));
/** id and hash come first, then every hashed column in sorted key order */
const FIXED_FIELDS = 2;

/** The SELECT list of the verification stream: the row's own columns, nothing computed. */
export function verificationSelectList(): string {
  return ["e.id", "e.hash", ...SORTED_COLUMNS.map((column) => `e.${column}`)].join(", ");
}

export type StreamedRow = {
  id: bigint;
  chainId: number;
  seq: bigint;
  prevHash: string;
  hash: string;
  /** SHA-256 (hex) of the row's canonical JSON as built from the stream */
  computedHash: string;
  hasSubMillisecondTime: boolean;
};

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/**
 * One tuple of a binary COPY stream, as positions in `buffer` (valid during
 * the callback only): field i spans [start(i), end(i)), start -1 for NULL;
 * the whole tuple, framing included, spans [tupleStart, tupleEnd). No Buffer
 * view is made per field: a list row has ~30 fields, and the views cost more
 * than the hashing.
 */
export class CopyTuple {
  buffer: Buffer = Buffer.alloc(0);
  count = 0;
  tupleStart = 0;
  tupleEnd = 0;
  /** start, end of each field */
  readonly bounds = new Int32Array(2 * 256);

  start(i: number): number {
    return this.bounds[2 * i] as number;
  }

  end(i: number): number {
    return this.bounds[2 * i + 1] as number;
  }

  isNull(i: number): boolean {
    return this.bounds[2 * i] === -1;
  }

  /** field i as a view (a copy-free subarray), null for NULL */
  field(i: number): Buffer | null {
    const start = this.bounds[2 * i] as number;
    return start === -1 ? null : this.buffer.subarray(start, this.bounds[2 * i + 1]);
  }

  text(i: number): string {
    const start = this.bounds[2 * i] as number;
    return start === -1 ? "" : this.buffer.toString("utf8", start, this.bounds[2 * i + 1]);
  }
}

/**
 * A parser of COPY's binary format: header, then tuples (int16 field count,
 * each field an int32 length (-1 = NULL) and its bytes), then -1. Chunks may
 * split anything; a tuple split across chunks is completed from the next
 * chunk's first bytes only (the rest of that chunk is parsed in place, not
 * copied).
 */
export class BinaryCopyParser {
  private pending: Buffer | null = null;
  private headerDone = false;
  private readonly tuple = new CopyTuple();
  finished = false;

  /** Calls `onTuple` with each complete tuple (valid during the call). */
  push(chunk: Buffer, onTuple: (tuple: CopyTuple) => void): void {
    if (this.finished) return;
    let offset = 0;
    if (this.pending) {
      // Complete the split tuple (or header) from as few of the chunk's bytes as will do.
      const pending = this.pending;
      for (let take = Math.min(chunk.length, 16_384); ; take = Math.min(chunk.length, take * 4)) {
        const joined = Buffer.concat([pending, chunk.subarray(0, take)]);
        const stop = this.parse(joined, 0, onTuple, 1);
        if (this.finished) return;
        if (stop > pending.length) {
          // at least the split tuple completed: carry on in the chunk itself
          this.pending = null;
          offset = stop - pending.length;
          break;
        }
        if (take === chunk.length) {
          this.pending = joined;
          return;
        }
      }
    }
    const stop = this.parse(chunk, offset, onTuple, Number.POSITIVE_INFINITY);
    if (!this.finished && stop < chunk.length) this.pending = Buffer.from(chunk.subarray(stop));
  }

  /** Parses up to `limit` tuples from `offset`; returns where the unparsed bytes start. */
  private parse(buffer: Buffer, offset: number, onTuple: (tuple: CopyTuple) => void, limit: number): number {
    if (!this.headerDone) {
      if (buffer.length - offset < 19) return offset;
      if (!buffer.subarray(offset, offset + 11).equals(SIGNATURE)) throw new Error("the COPY stream is not in PostgreSQL's binary format");
      const extension = buffer.readInt32BE(offset + 15);
      if (buffer.length - offset < 19 + extension) return offset;
      offset += 19 + extension;
      this.headerDone = true;
      if (limit === 1) return offset;
    }
    const tuple = this.tuple;
    const bounds = tuple.bounds;
    let parsed = 0;
    while (parsed < limit) {
      if (buffer.length - offset < 2) break;
      const count = buffer.readInt16BE(offset);
      if (count === -1) {
        this.finished = true;
        return offset + 2;
      }
      if (count < 0 || 2 * count > bounds.length) throw new Error(`the COPY stream has a tuple of ${count} fields`);
      let cursor = offset + 2;
      let complete = true;
      for (let i = 0; i < count; i += 1) {
        if (buffer.length - cursor < 4) {
          complete = false;
          break;
        }
        const length = buffer.readInt32BE(cursor);
        cursor += 4;
        if (length === -1) {
          bounds[2 * i] = -1;
          bounds[2 * i + 1] = -1;
          continue;
        }
        if (buffer.length - cursor < length) {
          complete = false;
          break;
        }
        bounds[2 * i] = cursor;
        bounds[2 * i + 1] = cursor + length;
        cursor += length;
      }
      if (!complete) break;
      tuple.buffer = buffer;
      tuple.count = count;
      tuple.tupleStart = offset;
      tuple.tupleEnd = cursor;
      onTuple(tuple);
      offset = cursor;
      parsed += 1;
    }
    return offset;
  }
}

/** Streams `COPY (query) TO STDOUT (FORMAT binary)` through `onTuple`. */
export async function copyBinary(client: pg.Client, query: string, onTuple: (tuple: CopyTuple) => void): Promise<void> {
  const parser = new BinaryCopyParser();
  const stream = client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`));
  for await (const chunk of stream as AsyncIterable<Buffer>) parser.push(chunk, onTuple);
  if (!parser.finished) throw new Error("the COPY stream ended before its trailer");
}

/** Rows after `afterSeq` up to `throughSeq` of one chain, in seq order, hashed as they arrive. */
export async function streamChainRows(
  client: pg.Client,
  range: { chainId: number; afterSeq: bigint; throughSeq: bigint },
  onRow: (row: StreamedRow) => boolean | void,
): Promise<void> {
  const chainId = Number(range.chainId);
  if (!Number.isInteger(chainId)) throw new RangeError("chainId must be an integer");
  const query = `SELECT ${verificationSelectList()}
  FROM audit_event e
 WHERE e.chain_id = ${chainId} AND e.seq > ${BigInt(range.afterSeq)} AND e.seq <= ${BigInt(range.throughSeq)}
 ORDER BY e.seq`;
  const chainIndex = SORTED_COLUMNS.indexOf("chain_id") + FIXED_FIELDS;
  const seqIndex = SORTED_COLUMNS.indexOf("seq") + FIXED_FIELDS;
  const prevIndex = SORTED_COLUMNS.indexOf("prev_hash") + FIXED_FIELDS;
  let stopped = false;
  await copyBinary(client, query, (tuple) => {
    if (stopped) return;
    let canonical = encodeCanonical(tuple);
    let computedHash = hash("sha256", canonical.bytes);
    const stored = tuple.text(1);
    if (computedHash !== stored && canonical.fast) {
      // e.g. a control character copied unescaped: the careful encoding decides
      canonical = encodeCanonical(tuple, "careful");
      computedHash = hash("sha256", canonical.bytes);
    }
    const buffer = tuple.buffer;
    const row: StreamedRow = {
      id: buffer.readBigInt64BE(tuple.start(0)),
      chainId: buffer.readInt16BE(tuple.start(chainIndex)),
      seq: buffer.readBigInt64BE(tuple.start(seqIndex)),
      prevHash: tuple.text(prevIndex),
      hash: stored,
      hasSubMillisecondTime: canonical.hasSubMillisecondTime,
      computedHash,
    };
    if (onRow(row) === false) stopped = true;
  });
}

// ─── The canonical JSON, written from binary fields ─────────────────────────

const POSTGRES_EPOCH_MS = 946_684_800_000n;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEEDS_ESCAPE = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte += 1) NEEDS_ESCAPE[byte] = 1;
NEEDS_ESCAPE[QUOTE] = 1;
NEEDS_ESCAPE[BACKSLASH] = 1;
/** The scratch buffer is the WebAssembly module's memory, so that arrays are rewritten where they are hashed. */
const wasm = textArrayToJsonModule();
let scratch = Buffer.from(wasm.memory.buffer);
let out = 0;

/**
 * jsonb columns (filters, before, after) repeat: a list row's filters are one
 * of a few shapes. Their canonical form is remembered by the text PostgreSQL
 * sent (bounded; cleared when full).
 */
const canonicalJsonb = new Map<string, string>();
const JSONB_CACHE_LIMIT = 4096;

/** The row's canonical JSON (./canonical.ts), written into the scratch buffer (valid until the next call). */
export function encodeCanonical(tuple: CopyTuple, how: "fast" | "careful" = "fast"): { bytes: Buffer; hasSubMillisecondTime: boolean; fast: boolean } {
  // The tuple goes into the module's memory first (one copy); the JSON is written after it.
  const buffer = tuple.buffer;
  const shift = -tuple.tupleStart;
  const outBase = tuple.tupleEnd - tuple.tupleStart;
  out = 0;
  ensure(outBase + 1024);
  buffer.copy(scratch, 0, tuple.tupleStart, tuple.tupleEnd);
  out = outBase;
  // A text or text[] value is copied without looking at it only when none of its bytes is a quote or a backslash.
  const fast = how === "fast";
  if (fast) findQuotesAndBackslashes(outBase);
  let hasSubMillisecondTime = false;
  for (let i = 0; i < KINDS.length; i += 1) {
    writePrefix(KEY_PREFIXES[i] as Uint8Array);
    const column = i + FIXED_FIELDS;
    const start = tuple.start(column);
    if (start === -1 || column >= tuple.count) {
      writeAscii("null");
      continue;
    }
    const end = tuple.end(column);
    switch (KINDS[i]) {
      case "text":
        if (fast && isPlain(start + shift, end + shift)) {
          ensure(end - start + 2);
          out = wasm.jsonCopy(start + shift, end - start, out);
        } else writeJsonString(buffer, start, end);
        break;
      case "uuid": {
        const hex = buffer.toString("hex", start, end);
        writeAscii(`"${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}"`);
        break;
      }
      case "int2":
        writeAscii(String(buffer.readInt16BE(start)));
        break;
      case "int4":
        writeAscii(String(buffer.readInt32BE(start)));
        break;
      case "int8-string":
        writeAscii(`"${buffer.readBigInt64BE(start)}"`);
        break;
      case "timestamptz": {
        const micros = buffer.readBigInt64BE(start);
        if (micros % 1000n !== 0n) hasSubMillisecondTime = true;
        writeAscii(`"${new Date(Number(micros / 1000n + POSTGRES_EPOCH_MS)).toISOString()}"`);
        break;
      }
      case "text[]":
        writeTextArray(buffer, start, end, fast && isPlain(start + shift, end + shift) ? shift : null);
        break;
      case "jsonb": {
        // jsonb_send: a version byte (1), then the JSON text.
        const sent = buffer.toString("utf8", start + 1, end);
        let canonical = canonicalJsonb.get(sent);
        if (canonical === undefined) {
          canonical = canonicalJson(JSON.parse(sent));
          if (canonicalJsonb.size >= JSONB_CACHE_LIMIT) canonicalJsonb.clear();
          canonicalJsonb.set(sent, canonical);
        }
        writeUtf8(canonical);
        break;
      }
    }
  }
  ensure(1);
  scratch[out++] = 0x7d; // }
  return { bytes: scratch.subarray(outBase, out), hasSubMillisecondTime, fast };
}

/** Where the tuple's copy holds a `"` or `\\` byte (a handful per row: only binary fields' bytes happen to be one). */
let marks = new Int32Array(64);
let markCount = 0;

function findQuotesAndBackslashes(length: number): void {
  markCount = 0;
  const row = scratch.subarray(0, length);
  for (const byte of [QUOTE, BACKSLASH]) {
    for (let at = row.indexOf(byte); at !== -1; at = row.indexOf(byte, at + 1)) {
      if (markCount === marks.length) {
        const more = new Int32Array(marks.length * 2);
        more.set(marks);
        marks = more;
      }
      marks[markCount++] = at;
    }
  }
}

/** No `"` or `\\` byte in [start, end) of the tuple's copy. */
function isPlain(start: number, end: number): boolean {
  for (let i = 0; i < markCount; i += 1) {
    const at = marks[i] as number;
    if (at >= start && at < end) return false;
  }
  return true;
}

function ensure(more: number): void {
  if (out + more <= scratch.length) return;
  const pages = Math.ceil((Math.max(scratch.length * 2, out + more) - scratch.length) / 65_536);
  wasm.memory.grow(pages);
  // growing detaches the old view; the bytes written so far stay
  scratch = Buffer.from(wasm.memory.buffer);
}

/** A key prefix (a few bytes): copied in the loop, cheaper than a native call for so few. */
function writePrefix(bytes: Uint8Array): void {
  ensure(bytes.length);
  const target = scratch;
  let at = out;
  for (let k = 0; k < bytes.length; k += 1) target[at++] = bytes[k] as number;
  out = at;
}

function writeAscii(value: string): void {
  ensure(value.length);
  out += scratch.write(value, out, "latin1");
}

function writeUtf8(value: string): void {
  ensure(Buffer.byteLength(value, "utf8"));
  out += scratch.write(value, out, "utf8");
}

/**
 * UTF-8 text as JSON.stringify writes the string: copied between quotes, byte
 * by byte in the pass that looks for what needs escaping (a native copy per
 * short value costs more than the loop); a value that needs escaping goes
 * through JSON.stringify instead.
 */
function writeJsonString(source: Buffer, start: number, end: number): void {
  ensure(end - start + 2);
  const target = scratch;
  let at = out;
  target[at++] = QUOTE;
  for (let k = start; k < end; k += 1) {
    const byte = source[k] as number;
    if (NEEDS_ESCAPE[byte] === 1) {
      writeUtf8(JSON.stringify(source.toString("utf8", start, end)));
      return;
    }
    target[at++] = byte;
  }
  target[at++] = QUOTE;
  out = at;
}

/**
 * A text[] in PostgreSQL's binary array format (array_send: ndim, has-nulls,
 * element type, then per dimension its size and lower bound, then per element
 * an int32 length, -1 for NULL, and its bytes) as JSON.stringify writes the
 * array of its strings. Not one-dimensional: a NUL escape no canonical row
 * holds, which sends the row to the slow path.
 *
 * A list row's ~140 event ids are most of the bytes verification reads: in
 * a fast encoding (`shift`: where the tuple's copy is, relative to `source`)
 * the WebAssembly function writes the array in one call; an array holding a
 * NULL, and every array of a careful encoding, is written here, element by
 * element, escaping as JSON.stringify does.
 */
function writeTextArray(source: Buffer, start: number, end: number, shift: number | null): void {
  const ndim = source.readInt32BE(start);
  if (ndim === 0) return writeAscii("[]");
  if (ndim !== 1) return writeAscii('"\\u0000"');
  const count = source.readInt32BE(start + 12);
  const payload = start + 20;
  // the JSON is never longer than the payload plus brackets and a comma/quote pair per element
  if (shift !== null) {
    ensure(end - payload + count + 4);
    const written = wasm.textArrayToJson(payload + shift, count, out);
    if (written !== -1) {
      out = written;
      return;
    }
  }
  let offset = payload;
  writeAscii("[");
  for (let i = 0; i < count; i += 1) {
    if (i > 0) {
      ensure(1);
      scratch[out++] = COMMA;
    }
    const length = source.readInt32BE(offset);
    offset += 4;
    if (length === -1) {
      writeAscii("null");
      continue;
    }
    writeJsonString(source, offset, offset + length);
    offset += length;
  }
  writeAscii("]");
}

/**
 * The floor full verification is measured against (npm run bench:audit):
 * the same rows, the same stream and framing, each row's bytes hashed once —
 * reading plus SHA-256, nothing else. Returns rows and bytes read.
 */
export async function copyAndHashFloor(client: pg.Client, range: { chainId: number; afterSeq: bigint; throughSeq: bigint }, columns = "e.*"): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  const query = `SELECT ${columns} FROM audit_event e WHERE e.chain_id = ${Number(range.chainId)} AND e.seq > ${BigInt(range.afterSeq)} AND e.seq <= ${BigInt(range.throughSeq)} ORDER BY e.seq`;
  await copyBinary(client, query, (tuple) => {
    hash("sha256", tuple.buffer.subarray(tuple.tupleStart, tuple.tupleEnd));
    bytes += tuple.tupleEnd - tuple.tupleStart;
    rows += 1;
  });
  return { rows, bytes };
}
