// Paging both ways without a database: the cursor's direction and offset
// survive the round trip, a previous page's query reads backwards, and
// pageRows turns it round and says what lies on either side.
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, type EventCursor } from "@/lib/telemetry/event-query";
import { Prisma } from "@/server/db/generated/client";
import { cursorBefore, keysetCondition, pageQuery, pageRows } from "./event-sql";

const ID = "0b3c3c8e-3f57-4a53-9a51-6d3f8c1f0a11";
const at = (value: string | number, extra: Partial<EventCursor> = {}): EventCursor => ({ sort: "time_desc", value, id: ID, ...extra });

describe("cursors both ways", () => {
  it("round-trips direction and offset, and still reads a cursor without them", () => {
    const before = at("2026-11-20T10:00:00.000Z", { before: true, offset: 50 });
    expect(decodeCursor(encodeCursor(before))).toEqual(before);
    expect(decodeCursor(encodeCursor(at("2026-11-20T10:00:00.000Z")))).toEqual(at("2026-11-20T10:00:00.000Z"));
  });

  it("refuses a tampered direction or a negative offset", () => {
    const forge = (payload: object) => Buffer.from(JSON.stringify(payload)).toString("base64url");
    expect(decodeCursor(forge({ s: "time_desc", v: "2026-11-20T10:00:00.000Z", i: ID, d: "x" }))).toBeNull();
    expect(decodeCursor(forge({ s: "time_desc", v: "2026-11-20T10:00:00.000Z", i: ID, o: -1 }))).toBeNull();
  });

  it("reads a previous page backwards: the comparison and the order turn round", () => {
    const after = pageQuery(Prisma.sql`id`, Prisma.sql`TRUE`, "time_desc", at("2026-11-20T10:00:00.000Z"), 51);
    const before = pageQuery(Prisma.sql`id`, Prisma.sql`TRUE`, "time_desc", at("2026-11-20T10:00:00.000Z", { before: true }), 51);
    expect(after.sql).toContain("(time, id) <");
    expect(after.sql).toContain("ORDER BY time DESC, id DESC");
    expect(before.sql).toContain("(time, id) >");
    expect(before.sql).toContain("ORDER BY time ASC, id ASC");
    expect(keysetCondition("latency_asc", { sort: "latency_asc", value: 5, id: ID, before: true })?.sql).toContain("(latency_ms, id) <");
  });

  it("makes a before-cursor from a row", () => {
    expect(cursorBefore("time_desc", { id: ID, time: new Date("2026-11-20T10:00:00Z") })).toEqual(at("2026-11-20T10:00:00.000Z", { before: true }));
  });
});

describe("pageRows", () => {
  const rows = (n: number, from = 1) => Array.from({ length: n }, (_, index) => from + index);

  it("forwards: the extra row means a next page", () => {
    expect(pageRows(rows(51), null, 50)).toMatchObject({ rows: rows(50), hasAfter: true, hasBefore: false, offset: 0 });
    expect(pageRows(rows(20), at("x", { offset: 50 }), 50)).toMatchObject({ rows: rows(20), hasAfter: false, hasBefore: true, offset: 50 });
  });

  it("backwards: rows come nearest-first and are turned round; the extra row means a previous page", () => {
    // the page before row 101 (offset 100): rows 100, 99, … 50 fetched
    const fetched = rows(51, 50).reverse();
    const page = pageRows(fetched, at("x", { before: true, offset: 100 }), 50);
    expect(page.rows).toEqual(rows(50, 51));
    expect(page).toMatchObject({ hasBefore: true, hasAfter: true, offset: 50 });
  });

  it("backwards onto the first page: nothing before, offset 0 whatever the cursor said", () => {
    const page = pageRows(rows(50).reverse(), at("x", { before: true, offset: 50 }), 50);
    expect(page).toMatchObject({ rows: rows(50), hasBefore: false, hasAfter: true, offset: 0 });
  });

  it("does not invent a position an old cursor did not carry", () => {
    expect(pageRows(rows(51), at("x"), 50).offset).toBeNull();
  });
});
