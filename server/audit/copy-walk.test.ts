// The COPY walk's parser and canonical encoder against canonical.ts: rows
// built as PostgreSQL's binary COPY sends them, split into chunks at every
// size, must hash exactly as hashAuditColumns hashes the same row — or, for a
// row the fast path cannot encode, differ (the slow path then decides), never
// match a different row.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HASHED_COLUMN_NAMES, hashAuditColumns, sha256Hex } from "./canonical";
import { BinaryCopyParser, type CopyTuple, encodeCanonical, verificationSelectList } from "./copy-walk";

type Row = Record<string, unknown>;

const SELECTED = verificationSelectList()
  .split(", ")
  .map((column) => column.replace(/^e\./, ""));

const POSTGRES_EPOCH_MS = 946_684_800_000;

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function textArray(values: Array<string | null>): Buffer {
  if (values.length === 0) return Buffer.concat([int32(0), int32(0), int32(25)]);
  const parts = [int32(1), int32(values.includes(null) ? 1 : 0), int32(25), int32(values.length), int32(1)];
  for (const value of values) {
    if (value === null) parts.push(int32(-1));
    else {
      const bytes = Buffer.from(value, "utf8");
      parts.push(int32(bytes.length), bytes);
    }
  }
  return Buffer.concat(parts);
}

/** One column's binary COPY form. */
function encodeField(column: string, value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  switch (column) {
    case "id": {
      const buffer = Buffer.alloc(8);
      buffer.writeBigInt64BE(BigInt(value as string));
      return buffer;
    }
    case "chain_id": {
      const buffer = Buffer.alloc(2);
      buffer.writeInt16BE(value as number);
      return buffer;
    }
    case "seq": {
      const buffer = Buffer.alloc(8);
      buffer.writeBigInt64BE(BigInt(value as string));
      return buffer;
    }
    case "row_count":
      return int32(value as number);
    case "occurred_at": {
      const buffer = Buffer.alloc(8);
      buffer.writeBigInt64BE(BigInt(Date.parse(value as string) - POSTGRES_EPOCH_MS) * 1000n);
      return buffer;
    }
    case "actor_person_id":
      return Buffer.from((value as string).replaceAll("-", ""), "hex");
    case "actor_groups":
    case "actor_roles":
    case "event_ids":
    case "machine_ids":
    case "field_classes":
      return textArray(value as Array<string | null>);
    case "filters":
    case "before":
    case "after":
      // jsonb_send: version 1, then the text PostgreSQL prints (keys by length, spaces)
      return Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(value, null, 1), "utf8")]);
    default:
      return Buffer.from(String(value), "utf8");
  }
}

function copyStream(rows: Row[]): Buffer {
  const parts: Buffer[] = [Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), int32(0), int32(0)];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(SELECTED.length);
    parts.push(count);
    for (const column of SELECTED) {
      const field = encodeField(column, row[column]);
      if (field === null) parts.push(int32(-1));
      else parts.push(int32(field.length), field);
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  parts.push(trailer);
  return Buffer.concat(parts);
}

function row(seq: number, overrides: Row = {}): Row {
  const base: Row = {
    id: String(1000 + seq),
    chain_id: 3,
    seq: String(seq),
    occurred_at: new Date(Date.UTC(2026, 10, 30, 12, 0, seq % 60, 123)).toISOString(),
    request_id: randomUUID(),
    actor_person_id: randomUUID(),
    actor_email: "viewer@github.example",
    actor_employer: "github",
    actor_groups: ["copilot_team"],
    actor_roles: ["viewer"],
    actor_ip: "203.0.113.7",
    actor_user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156",
    action: "events.list",
    outcome: "allowed",
    reason: null,
    purpose: "evaluate_product",
    purpose_detail: null,
    target_type: "telemetry_event",
    target_id: null,
    event_ids: Array.from({ length: 100 + (seq % 50) }, () => randomUUID()),
    machine_ids: [randomUUID()],
    field_classes: ["environment", "measurements"],
    filters: { kind: "completion", os: "linux", limit: 50, nested: { b: 1, a: [true, null] } },
    row_count: 140,
    file_sha256: null,
    before: null,
    after: null,
    prev_hash: sha256Hex(`prev ${seq}`),
    ...overrides,
  };
  base.hash = hashAuditColumns(base);
  return base;
}

/** Parses `stream` cut into chunks of `size` bytes; returns each tuple's computed and stored hash. */
function walk(stream: Buffer, size: number): Array<{ computed: string; stored: string; id: bigint; fast: boolean }> {
  const parser = new BinaryCopyParser();
  const seen: Array<{ computed: string; stored: string; id: bigint; fast: boolean }> = [];
  const onTuple = (tuple: CopyTuple) => {
    const { bytes, fast } = encodeCanonical(tuple);
    seen.push({ computed: sha256Hex(bytes.toString("utf8")), stored: tuple.text(1), id: tuple.buffer.readBigInt64BE(tuple.start(0)), fast });
  };
  for (let offset = 0; offset < stream.length; offset += size) parser.push(Buffer.from(stream.subarray(offset, offset + size)), onTuple);
  expect(parser.finished).toBe(true);
  return seen;
}

describe("the COPY walk", () => {
  it("selects id, hash and every hashed column", () => {
    expect(SELECTED.slice(0, 2)).toEqual(["id", "hash"]);
    expect([...SELECTED.slice(2)].sort()).toEqual([...HASHED_COLUMN_NAMES].sort());
  });

  it("hashes ordinary list rows exactly as canonical.ts does (the fast encoding), however the stream is cut", { timeout: 60_000 }, () => {
    const rows = Array.from({ length: 12 }, (_, i) => row(i + 1));
    const stream = copyStream(rows);
    for (const size of [1, 2, 3, 7, 19, 64, 1000, 4096, 16_385, stream.length]) {
      const seen = walk(stream, size);
      expect(seen.map((tuple) => tuple.id)).toEqual(rows.map((r) => BigInt(r.id as string)));
      for (const tuple of seen) expect(tuple).toMatchObject({ computed: tuple.stored, fast: true });
    }
  });

  it("encodes text that needs escaping, non-ASCII text, empty arrays and NULL columns as canonical.ts does", () => {
    const rows = [
      row(1, { reason: 'said "no" \\ then\nleft\t', actor_user_agent: "Émile’s browser 🚀", actor_groups: [], machine_ids: [], filters: null, row_count: null, actor_person_id: null }),
      // ids with quotes or backslashes never take the fast path
      row(2, { event_ids: ['a","b', "c\\d", "plain"] }),
      // NULL elements inside an array (the WebAssembly path refuses them; written in JavaScript)
      row(3, { event_ids: ["x", null, "y", null, null, "z"], machine_ids: [null] }),
      // non-ASCII without quotes or backslashes: the fast encoding
      row(6, { actor_user_agent: "Zoë’s 🚀 browser", event_ids: ["é", "ü🚀", ""] }),
      // an element 34 bytes long: its length word holds a '"' byte (the careful encoding, still exact)
      row(4, { event_ids: ["0123456789012345678901234567890123", "q"] }),
      row(5, { before: { email: "a@b", groups: ["x"] }, after: { email: "a@b", groups: ["x", "y"] }, file_sha256: sha256Hex("file") }),
    ];
    const stream = copyStream(rows);
    for (const size of [5, 333, stream.length]) {
      const seen = walk(stream, size);
      expect(seen).toHaveLength(rows.length);
      for (const tuple of seen) expect(tuple.computed).toBe(tuple.stored);
    }
  });

  it("gives a row with a control character (copied unescaped by the fast encoding) its careful encoding", () => {
    const original = row(8, { machine_ids: ["tab\there", "line\nbreak"], reason: "two\nlines" });
    const stream = copyStream([original]);
    const parser = new BinaryCopyParser();
    let fast: { hash: string; fast: boolean } | undefined;
    let careful: string | undefined;
    parser.push(stream, (tuple) => {
      const encoded = encodeCanonical(tuple);
      fast = { hash: sha256Hex(encoded.bytes.toString("utf8")), fast: encoded.fast };
      careful = sha256Hex(encodeCanonical(tuple, "careful").bytes.toString("utf8"));
    });
    expect(fast).toMatchObject({ fast: true });
    expect(fast?.hash).not.toBe(original.hash);
    expect(careful).toBe(original.hash);
  });

  it("never lets a changed array encode like the original", () => {
    // ["a","b"] and the single element a","b would be the same bytes if quotes were copied unescaped
    const original = row(7, { event_ids: ["a", "b"] });
    const altered = { ...original, event_ids: ['a","b'] };
    const [seen] = walk(copyStream([altered]), 64);
    expect(seen?.stored).toBe(original.hash);
    expect(seen?.computed).not.toBe(original.hash);
  });

  it("refuses a stream that is not binary COPY", () => {
    const parser = new BinaryCopyParser();
    expect(() => parser.push(Buffer.from("id,hash\n1,abc\n0123456789"), () => undefined)).toThrow(/binary format/);
  });
});
