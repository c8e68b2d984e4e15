// The explorer's query string: what it accepts, what it refuses and how it says so.
import { describe, expect, it } from "vitest";
import {
  decodeCursor,
  encodeCursor,
  eventExportQuerySchema,
  eventFilterQuerySchema,
  eventListQuerySchema,
  listQueryToSearchParams,
  parseDateTime,
  type EventCursor,
} from "./event-query";

const ID = "0f0e0d0c-0b0a-4908-8706-050403020100";

function issues(input: unknown, schema: { safeParse(input: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } } = eventListQuerySchema) {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("eventListQuerySchema", () => {
  it("fills the defaults for an empty query", () => {
    expect(eventListQuerySchema.parse({})).toEqual({ filters: { kinds: [] }, sort: "time_desc", limit: 50, cursor: null, columns: null });
  });

  it("reads Next's searchParams and URLSearchParams alike, dropping empty form fields", () => {
    const fromObject = eventListQuerySchema.parse({ kind: ["error", "completion_shown"], os: "linux", city: "", limit: "100", accepted: "false" });
    const fromUrl = eventListQuerySchema.parse(new URLSearchParams("kind=error&kind=completion_shown&os=linux&city=&limit=100&accepted=false"));
    expect(fromUrl).toEqual(fromObject);
    expect(fromObject.filters).toEqual({ kinds: ["error", "completion_shown"], os: "linux", accepted: false });
    expect(fromObject.limit).toBe(100);
  });

  it("accepts kinds comma-separated and de-duplicates them", () => {
    expect(eventListQuerySchema.parse({ kind: "error,completion_shown,error" }).filters.kinds).toEqual(["error", "completion_shown"]);
  });

  it("reads from/to as UTC when they carry no offset, and honours an offset when they do", () => {
    const query = eventListQuerySchema.parse({ from: "2026-11-20T09:30", to: "2026-11-21T10:00:00+02:00" });
    expect(query.filters.from?.toISOString()).toBe("2026-11-20T09:30:00.000Z");
    expect(query.filters.to?.toISOString()).toBe("2026-11-21T08:00:00.000Z");
  });

  it("upper-cases the country and parses numeric ranges", () => {
    const query = eventListQuerySchema.parse({ country: "de", latencyMin: "100", latencyMax: "900", certaintyMin: ".5", certaintyMax: "1" });
    expect(query.filters).toMatchObject({ country: "DE", latencyMin: 100, latencyMax: 900, certaintyMin: 0.5, certaintyMax: 1 });
  });

  it.each([
    [{ kind: "completion_typed" }, /^kind: unknown event kind "completion_typed"/],
    [{ limit: "-1" }, /^limit: must be at least 1$/],
    [{ limit: "0" }, /^limit: must be at least 1$/],
    [{ limit: "501" }, /^limit: must be at most 500$/],
    [{ limit: "ten" }, /^limit: must be a whole number$/],
    [{ limit: ["10", "20"] }, /^limit: may be given only once$/],
    [{ from: "yesterday" }, /^from: must be an ISO 8601 date-time/],
    [{ from: "2026-02-30T10:00Z" }, /^from: must be an ISO 8601 date-time/],
    [{ to: "2026-11-20T25:00" }, /^to: must be an ISO 8601 date-time/],
    [{ from: "2026-11-21", to: "2026-11-20" }, /^to: must be later than from$/],
    [{ range: "24h", from: "2026-11-20" }, /^range: choose a quick range or from\/to, not both$/],
    [{ range: "2w" }, /^range: must be one of 1h, 24h, 7d, 30d$/],
    [{ uiKind: "mobile" }, /^uiKind: must be one of desktop, web$/],
    [{ country: "Germany" }, /^country: must be a two-letter country code$/],
    [{ accepted: "yes" }, /^accepted: must be "true" or "false"$/],
    [{ latencyMin: "500", latencyMax: "100" }, /^latencyMax: must not be less than latencyMin$/],
    [{ certaintyMax: "1.5" }, /^certaintyMax: must be between 0 and 1$/],
    [{ sort: "random" }, /^sort: must be one of time_desc/],
    [{ columns: "time,password" }, /^columns: unknown column "password"$/],
    [{ colour: "red", size: "xl" }, /^: unknown parameters "colour", "size"$/],
    [{ cursor: "garbage!!" }, /^cursor: is not valid; start again from the first page$/],
  ])("refuses %j, naming the problem", (input, message) => {
    expect(issues(input)).toEqual([expect.stringMatching(message)]);
  });

  it.each(["vscodeVersion", "extensionVersion", "os", "region", "city", "machineId", "sessionId", "errorKind", "redactionFilter"])(
    "refuses NUL, unpaired surrogates and overlong text in the %s filter, naming it",
    (key) => {
      expect(issues(new URLSearchParams([[key, "a\u0000b"]]))).toEqual([`${key}: must not contain NUL characters`]);
      expect(issues({ [key]: "a\uDC00b" })).toEqual([`${key}: must not contain unpaired UTF-16 surrogates`]);
      expect(issues({ [key]: "x".repeat(201) })).toEqual([`${key}: must be at most 200 characters`]);
      expect(issues({ [key]: ["a", "b"] })).toEqual([`${key}: may be given only once`]);
    },
  );

  it("refuses a time-zone offset beyond ±15:59", () => {
    expect(issues({ from: "2026-11-20T09:30+16:00" })).toEqual([expect.stringMatching(/^from: must be an ISO 8601 date-time/)]);
    expect(eventListQuerySchema.parse({ from: "2026-11-20T09:30+15:59" }).filters.from?.toISOString()).toBe("2026-11-19T17:31:00.000Z");
  });

  it("refuses a well-formed cursor of another sort order", () => {
    const cursor = encodeCursor({ sort: "time_desc", value: "2026-11-20T10:00:00.000Z", id: ID });
    expect(issues({ sort: "time_asc", cursor })).toEqual([expect.stringMatching(/^cursor: is not valid.*another sort order/)]);
  });

  it("refuses a text that is not a query at all", () => {
    expect(eventListQuerySchema.safeParse("kind=error").success).toBe(false);
  });
});

describe("cursors", () => {
  it.each<EventCursor>([
    { sort: "time_desc", value: "2026-11-20T10:00:00.123Z", id: ID },
    { sort: "latency_asc", value: 250, id: ID },
    { sort: "certainty_desc", value: 0.731, id: ID },
  ])("round-trip %j through an opaque base64url token", (cursor) => {
    const token = encodeCursor(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(token)).toEqual(cursor);
    expect(eventListQuerySchema.parse({ sort: cursor.sort, cursor: token }).cursor).toEqual(cursor);
  });

  it.each([
    ["not base64url", "a+b/c="],
    ["not JSON", Buffer.from("hello").toString("base64url")],
    ["JSON of the wrong shape", Buffer.from(JSON.stringify({ s: "time_desc", v: 1 })).toString("base64url")],
    ["an unknown sort", Buffer.from(JSON.stringify({ s: "name_asc", v: "x", i: ID })).toString("base64url")],
    ["a time sort with a number", Buffer.from(JSON.stringify({ s: "time_desc", v: 5, i: ID })).toString("base64url")],
    ["a latency sort with text", Buffer.from(JSON.stringify({ s: "latency_desc", v: "5", i: ID })).toString("base64url")],
    ["an id that is not a UUID", Buffer.from(JSON.stringify({ s: "time_desc", v: "2026-11-20T10:00:00Z", i: "1; DROP TABLE x" })).toString("base64url")],
    ["extra keys", Buffer.from(JSON.stringify({ s: "time_desc", v: "2026-11-20T10:00:00Z", i: ID, x: 1 })).toString("base64url")],
    ["too long", "A".repeat(4000)],
    ["a time-zone offset beyond +15:59", Buffer.from(JSON.stringify({ s: "time_desc", v: "2026-11-20T10:00:00+16:00", i: ID })).toString("base64url")],
    ["a time-zone offset of -23:59", Buffer.from(JSON.stringify({ s: "time_asc", v: "2026-11-20T10:00:00-23:59", i: ID })).toString("base64url")],
    ["an impossible date", Buffer.from(JSON.stringify({ s: "time_desc", v: "2026-02-30T10:00:00Z", i: ID })).toString("base64url")],
    ["a latency beyond PostgreSQL's integer", Buffer.from(JSON.stringify({ s: "latency_desc", v: 3_000_000_000, i: ID })).toString("base64url")],
    ["a latency with a fraction", Buffer.from(JSON.stringify({ s: "latency_asc", v: 1.5, i: ID })).toString("base64url")],
    ["a 36-dash id", Buffer.from(JSON.stringify({ s: "time_desc", v: "2026-11-20T10:00:00Z", i: "-".repeat(36) })).toString("base64url")],
  ])("decode to null for %s", (_label, token) => {
    expect(decodeCursor(token)).toBeNull();
  });
});

describe("the other schemas", () => {
  it("charts take filters only", () => {
    expect(eventFilterQuerySchema.parse({ kind: "error", range: "7d" })).toEqual({ filters: { kinds: ["error"], range: "7d" } });
    expect(issues({ limit: "10" }, eventFilterQuerySchema)).toEqual([': unknown parameter "limit"']);
  });

  it("exports take filters, sort and columns, but no paging", () => {
    expect(eventExportQuerySchema.parse({ sort: "time_asc", columns: "time,kind" })).toEqual({ filters: { kinds: [] }, sort: "time_asc", columns: ["time", "kind"] });
    expect(issues({ cursor: "abc" }, eventExportQuerySchema)).toEqual([': unknown parameter "cursor"']);
  });
});

describe("back to a query string", () => {
  it("round-trips a parsed query, leaving defaults out", () => {
    const query = eventListQuerySchema.parse({ kind: ["error"], from: "2026-11-20T09:30Z", os: "linux", accepted: "true", sort: "latency_desc", limit: "50" });
    const params = listQueryToSearchParams(query);
    expect(params.toString()).toBe("from=2026-11-20T09%3A30Z&kind=error&os=linux&accepted=true&sort=latency_desc");
    expect(eventListQuerySchema.parse(params)).toEqual(query);
  });

  it("adds a cursor when asked", () => {
    const query = eventListQuerySchema.parse({});
    const cursor = encodeCursor({ sort: "time_desc", value: "2026-11-20T10:00:00.000Z", id: ID });
    expect(listQueryToSearchParams(query, { cursor }).get("cursor")).toBe(cursor);
  });
});

describe("parseDateTime", () => {
  it.each([
    ["2026-11-20", "2026-11-20T00:00:00.000Z"],
    ["2026-11-20T09:30", "2026-11-20T09:30:00.000Z"],
    ["2026-11-20 09:30:15.5", "2026-11-20T09:30:15.500Z"],
    ["2026-11-20T09:30:00Z", "2026-11-20T09:30:00.000Z"],
    ["2026-11-20T09:30:00-0500", "2026-11-20T14:30:00.000Z"],
  ])("reads %s", (text, iso) => {
    expect(parseDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each(["", "20-11-2026", "2026-13-01", "2026-11-20T09:60", "2026-11-20T09:30+25:00", "0000-01-01"])("refuses %j", (text) => {
    expect(parseDateTime(text)).toBeNull();
  });
});
