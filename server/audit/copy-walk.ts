// Full verification at the speed of reading: audit rows streamed out of
// PostgreSQL with COPY … TO STDOUT (FORMAT binary), hashed in one pass.
//
// The canonical JSON of a row (./canonical.ts) is a fixed sequence of
// "key":value members in sorted key order. PostgreSQL builds every member
// whose JSON it writes exactly as JSON.stringify does — text and text[]
// (to_json escapes ", \, \b \f \n \r \t and other controls as \u00xx, like
// JSON.stringify; text cannot hold lone surrogates), integers, enums, uuids,
// seq as a decimal string, occurred_at as ISO UTC with milliseconds — as
// literal text segments; only the three jsonb columns (filters, before,
// after), whose key order and numbers PostgreSQL writes differently, come as
// separate fields that Node parses and canonicalizes (they are small or null).
// Node then feeds the segments to one SHA-256 with no per-row object for the
// big columns (event ids): the row's bytes go from the socket to the hash.
//
// Sound either way: a fast hash equal to the stored one means these bytes are
// the ones hashed when the row was written (the encoding is injective), and a
// fast hash that differs is re-checked on the slow path (row_to_json →
// canonicalAuditColumns) before a row is called altered, so an encoding
// difference could cost time but never a false alarm.
//
// PGlite has no COPY TO STDOUT here: verify-audit-chain.ts falls back to
// keyset batches there.
//
// This module does not import "server-only": `npm run audit:verify` runs it.
import { createHash } from "node:crypto";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { HASHED_COLUMN_NAMES, canonicalJson } from "./canonical";

const JSONB_COLUMNS = new Set(["filters", "before", "after"]);

/** The SQL that writes one member's value exactly as canonical.ts does. */
function valueSql(column: string): string {
  switch (column) {
    case "chain_id":
      return "e.chain_id::text";
    case "row_count":
      return "coalesce(e.row_count::text, 'null')";
    case "seq":
      return "to_json(e.seq::text)::text";
    case "occurred_at":
      return `to_json(to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text`;
    default:
      return `coalesce(to_json(e.${column})::text, 'null')`;
  }
}

/**
 * The row's canonical JSON as alternating text segments and jsonb columns:
 * segment, jsonb, segment, jsonb, …, segment (all columns in sorted order).
 */
function canonicalParts(): { segments: string[]; jsonb: string[] } {
  const sorted = [...HASHED_COLUMN_NAMES].sort();
  const segments: string[] = [];
  const jsonb: string[] = [];
  let current: string[] = [];
  let prefix = "{";
  for (const column of sorted) {
    const key = `${prefix}${JSON.stringify(column)}:`;
    prefix = ",";
    if (JSONB_COLUMNS.has(column)) {
      current.push(`'${key}'`);
      segments.push(current.join(" || "));
      jsonb.push(column);
      current = [];
    } else {
      current.push(`'${key}'`, valueSql(column));
    }
  }
  current.push("'}'");
  segments.push(current.join(" || "));
  return { segments, jsonb };
}

const PARTS = canonicalParts();
/** id, chain_id, seq, prev_hash, hash, sub-millisecond flag, then segment/jsonb alternating. */
const FIXED_FIELDS = 6;

/** The SELECT list of the verification stream (exported for the unit test that checks it against canonical.ts). */
export function verificationSelectList(): string {
  const fields = [
    "e.id::text",
    "e.chain_id::text",
    "e.seq::text",
    "e.prev_hash",
    "e.hash",
    "(date_part('microseconds', e.occurred_at)::bigint % 1000 <> 0)::text",
  ];
  PARTS.segments.forEach((segment, i) => {
    fields.push(`(${segment})`);
    const column = PARTS.jsonb[i];
    if (column) fields.push(`e.${column}::text`);
  });
  return fields.join(",\n       ");
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
  let stopped = false;
  await copyBinary(client, query, (fields) => {
    if (stopped) return;
    const hash = createHash("sha256");
    for (let i = FIXED_FIELDS, part = 0; i < fields.length; i += 1, part += 1) {
      const field = fields[i];
      if (part % 2 === 0) {
        if (field) hash.update(field);
      } else if (field === null || field === undefined) {
        hash.update("null");
      } else {
        hash.update(canonicalJson(JSON.parse(field.toString("utf8"))), "utf8");
      }
    }
    const row: StreamedRow = {
      id: BigInt(text(fields[0])),
      chainId: Number(text(fields[1])),
      seq: BigInt(text(fields[2])),
      prevHash: text(fields[3]),
      hash: text(fields[4]),
      hasSubMillisecondTime: text(fields[5]) === "true",
      computedHash: hash.digest("hex"),
    };
    if (onRow(row) === false) stopped = true;
  });
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
