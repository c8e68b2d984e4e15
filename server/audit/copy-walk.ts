// Full verification at the speed of reading: audit rows streamed out of
// PostgreSQL with COPY … TO STDOUT (FORMAT binary) — the row's own columns,
// nothing computed by the server, so it costs the server what `SELECT *`
// does — and hashed in one pass.
//
// Node writes the row's canonical JSON (./canonical.ts) straight from the
// binary fields into one reused buffer, in sorted key order: text and enum
// labels as their UTF-8 bytes between quotes (JSON.stringify escapes only ",
// \ and controls below 0x20 — text holds no lone surrogates — so a value
// without those is its own JSON; one with them goes through JSON.stringify),
// text[] element by element the same way (a list row's ~140 event ids: no
// string objects made), integers, seq as a decimal string, timestamptz
// (microseconds since 2000-01-01) as ISO UTC with milliseconds, uuids as
// lower-case hex; only jsonb (filters, before, after: small) is parsed and
// canonicalized. Then one SHA-256 over the buffer.
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
import { createHash } from "node:crypto";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { HASHED_COLUMN_NAMES, canonicalJson } from "./canonical";

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
const KEY_PREFIXES: Buffer[] = SORTED_COLUMNS.map((column, i) => Buffer.from(`${i === 0 ? "{" : ","}${JSON.stringify(column)}:`, "utf8"));
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
 * A parser of COPY's binary format: header, then tuples (int16 field count,
 * each field an int32 length (-1 = NULL) and its bytes), then -1. Chunks may
 * split anything; only a split tuple's bytes are copied.
 */
export class BinaryCopyParser {
  private pending: Buffer | null = null;
  private headerDone = false;
  finished = false;

  /** Calls `onTuple` with each complete tuple's fields (views into the chunk, valid during the call). */
  push(chunk: Buffer, onTuple: (fields: Array<Buffer | null>) => void): void {
    const buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let offset = 0;
    if (!this.headerDone) {
      if (buffer.length < 19) {
        this.pending = Buffer.from(buffer);
        return;
      }
      if (!buffer.subarray(0, 11).equals(SIGNATURE)) throw new Error("the COPY stream is not in PostgreSQL's binary format");
      const extension = buffer.readInt32BE(15);
      if (buffer.length < 19 + extension) {
        this.pending = Buffer.from(buffer);
        return;
      }
      offset = 19 + extension;
      this.headerDone = true;
    }
    const fields: Array<Buffer | null> = [];
    for (;;) {
      if (buffer.length - offset < 2) break;
      const count = buffer.readInt16BE(offset);
      if (count === -1) {
        this.finished = true;
        return;
      }
      let cursor = offset + 2;
      fields.length = 0;
      let complete = true;
      for (let i = 0; i < count; i += 1) {
        if (buffer.length - cursor < 4) {
          complete = false;
          break;
        }
        const length = buffer.readInt32BE(cursor);
        cursor += 4;
        if (length === -1) {
          fields.push(null);
          continue;
        }
        if (buffer.length - cursor < length) {
          complete = false;
          break;
        }
        fields.push(buffer.subarray(cursor, cursor + length));
        cursor += length;
      }
      if (!complete) break;
      onTuple(fields);
      offset = cursor;
    }
    if (offset < buffer.length) this.pending = Buffer.from(buffer.subarray(offset));
  }
}

const text = (field: Buffer | null | undefined): string => (field ? field.toString("utf8") : "");

/** Streams `COPY (query) TO STDOUT (FORMAT binary)` through `onTuple`. */
export async function copyBinary(client: pg.Client, query: string, onTuple: (fields: Array<Buffer | null>) => void): Promise<void> {
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
  await copyBinary(client, query, (fields) => {
    if (stopped) return;
    const canonical = encodeCanonical(fields);
    const row: StreamedRow = {
      id: (fields[0] as Buffer).readBigInt64BE(0),
      chainId: (fields[chainIndex] as Buffer).readInt16BE(0),
      seq: (fields[seqIndex] as Buffer).readBigInt64BE(0),
      prevHash: text(fields[prevIndex]),
      hash: text(fields[1]),
      hasSubMillisecondTime: canonical.hasSubMillisecondTime,
      computedHash: createHash("sha256").update(canonical.bytes).digest("hex"),
    };
    if (onRow(row) === false) stopped = true;
  });
}

// ─── The canonical JSON, written from binary fields ─────────────────────────

const POSTGRES_EPOCH_MS = 946_684_800_000n;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEEDS_ESCAPE = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte += 1) NEEDS_ESCAPE[byte] = 1;
NEEDS_ESCAPE[QUOTE] = 1;
NEEDS_ESCAPE[BACKSLASH] = 1;
let scratch = Buffer.allocUnsafe(1 << 16);
let out = 0;

/** The row's canonical JSON (./canonical.ts), written into the scratch buffer (valid until the next call). */
export function encodeCanonical(fields: ReadonlyArray<Buffer | null>): { bytes: Buffer; hasSubMillisecondTime: boolean } {
  out = 0;
  let hasSubMillisecondTime = false;
  for (let i = 0; i < KINDS.length; i += 1) {
    writeBytes(KEY_PREFIXES[i] as Buffer);
    const field = fields[i + FIXED_FIELDS];
    if (field === null || field === undefined) {
      writeAscii("null");
      continue;
    }
    switch (KINDS[i]) {
      case "text":
        writeJsonString(field, 0, field.length);
        break;
      case "uuid": {
        const hex = field.toString("hex");
        writeAscii(`"${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}"`);
        break;
      }
      case "int2":
        writeAscii(String(field.readInt16BE(0)));
        break;
      case "int4":
        writeAscii(String(field.readInt32BE(0)));
        break;
      case "int8-string":
        writeAscii(`"${field.readBigInt64BE(0)}"`);
        break;
      case "timestamptz": {
        const micros = field.readBigInt64BE(0);
        if (micros % 1000n !== 0n) hasSubMillisecondTime = true;
        writeAscii(`"${new Date(Number(micros / 1000n + POSTGRES_EPOCH_MS)).toISOString()}"`);
        break;
      }
      case "text[]":
        writeTextArray(field);
        break;
      case "jsonb":
        // jsonb_send: a version byte (1), then the JSON text.
        writeUtf8(canonicalJson(JSON.parse(field.toString("utf8", 1))));
        break;
    }
  }
  writeAscii("}");
  return { bytes: scratch.subarray(0, out), hasSubMillisecondTime };
}

function ensure(more: number): void {
  if (out + more <= scratch.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, out + more));
  scratch.copy(bigger, 0, 0, out);
  scratch = bigger;
}

function writeBytes(bytes: Buffer): void {
  ensure(bytes.length);
  bytes.copy(scratch, out);
  out += bytes.length;
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
function writeJsonString(field: Buffer, start: number, end: number): void {
  ensure(end - start + 2);
  const target = scratch;
  let at = out;
  target[at++] = QUOTE;
  for (let k = start; k < end; k += 1) {
    const byte = field[k] as number;
    if (NEEDS_ESCAPE[byte] === 1) {
      writeUtf8(JSON.stringify(field.toString("utf8", start, end)));
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
 */
function writeTextArray(field: Buffer): void {
  const ndim = field.readInt32BE(0);
  if (ndim === 0) return writeAscii("[]");
  if (ndim !== 1) return writeAscii('"\\u0000"');
  const count = field.readInt32BE(12);
  let offset = 20;
  writeAscii("[");
  for (let i = 0; i < count; i += 1) {
    if (i > 0) {
      ensure(1);
      scratch[out++] = 0x2c; // ,
    }
    const length = field.readInt32BE(offset);
    offset += 4;
    if (length === -1) {
      writeAscii("null");
      continue;
    }
    writeJsonString(field, offset, offset + length);
    offset += length;
  }
  writeAscii("]");
}

/**
 * The floor full verification is measured against (npm run bench:audit):
 * the same rows, the same stream and framing, each row's bytes hashed once —
 * reading plus SHA-256, nothing else. Returns rows and bytes read.
 */
export async function copyAndHashFloor(client: pg.Client, range: { chainId: number; afterSeq: bigint; throughSeq: bigint }): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  const query = `SELECT e.* FROM audit_event e WHERE e.chain_id = ${Number(range.chainId)} AND e.seq > ${BigInt(range.afterSeq)} AND e.seq <= ${BigInt(range.throughSeq)} ORDER BY e.seq`;
  await copyBinary(client, query, (fields) => {
    const hash = createHash("sha256");
    for (const field of fields) if (field) {
      hash.update(field);
      bytes += field.length;
    }
    hash.digest();
    rows += 1;
  });
  return { rows, bytes };
}
