// The audit console's query: read like every other list (issue 10, finding 6).
import { describe, expect, it } from "vitest";
import { auditFilterSchema, auditRowIdSchema, auditSearchSchema, decodeAuditCursor, encodeAuditCursor, type AuditCursor } from "./audit-query";

const token = (payload: unknown) => Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");

function problems(input: unknown, schema: typeof auditSearchSchema | typeof auditFilterSchema = auditSearchSchema): string[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("auditSearchSchema", () => {
  it("fills the defaults and reads filters", () => {
    expect(auditSearchSchema.parse(new URLSearchParams("actor=ada&action=events.list&action=events.view&from=2026-11-24"))).toEqual({
      actor: "ada",
      action: ["events.list", "events.view"],
      from: new Date("2026-11-24T00:00:00.000Z"),
      routine: "hide",
      sort: "time_desc",
      limit: 50,
    });
  });

  it("reads people, employers, purpose none and the routine toggle", () => {
    const id = "6F2E0000-0000-4000-8000-000000000001";
    expect(auditFilterSchema.parse(new URLSearchParams(`person=${id}&person=anonymous&employer=none&employer=github&purpose=none&routine=show`))).toEqual({
      person: [id.toLowerCase(), "anonymous"],
      employer: ["none", "github"],
      purpose: ["none"],
      routine: "show",
    });
    expect(problems({ person: "ada" })).toEqual(['person.0: must be a person id (a UUID) or "anonymous"']);
    expect(problems({ employer: "acme" })).toEqual(["employer.0: is not a known employer"]);
    expect(problems({ routine: "all" })).toEqual(["routine: must be one of hide, show"]);
    expect(problems(new URLSearchParams("routine=show&routine=hide"))).toEqual(["routine: may be given only once"]);
  });

  it.each([
    ["actor", "must not contain NUL characters"],
    ["machineId", "must not contain NUL characters"],
  ])("refuses NUL in the %s filter", (key, message) => {
    expect(problems(new URLSearchParams([[key, "a\u0000b"]]))).toEqual([`${key}: ${message}`]);
  });

  it("refuses overlong text, a 36-dash event id, offsets beyond ±15:59 and repeated parameters, each by name", () => {
    expect(problems({ actor: "a".repeat(321) })).toEqual(["actor: must be at most 320 characters"]);
    expect(problems({ machineId: "m".repeat(257) })).toEqual(["machineId: must be at most 256 characters"]);
    expect(problems({ eventId: "-".repeat(36) })).toEqual(["eventId: must be an event id (a UUID)"]);
    expect(problems({ to: "2026-11-24T10:00-16:00" })).toEqual([expect.stringMatching(/^to: is not a date or date-time/)]);
    expect(problems(new URLSearchParams("limit=10&limit=20"))).toEqual(["limit: may be given only once"]);
    expect(problems(new URLSearchParams("sort=time_asc&sort=time_desc"))).toEqual(["sort: may be given only once"]);
  });

  it("names unknown parameters as every list does", () => {
    expect(problems({ who: "me" })).toEqual([': unknown parameter "who"']);
    expect(problems({ who: "me" }, auditFilterSchema)).toEqual([': unknown parameter "who"']);
    expect(problems({ limit: "5" }, auditFilterSchema)).toEqual([': unknown parameter "limit"']);
  });
});

describe("audit cursors", () => {
  it("round-trip", () => {
    const cursor: AuditCursor = { sort: "time_asc", occurredAt: "2026-11-24T10:00:00.123Z", id: "9223372036854775807" };
    expect(decodeAuditCursor(encodeAuditCursor(cursor))).toEqual(cursor);
    expect(auditSearchSchema.parse({ sort: "time_asc", cursor: encodeAuditCursor(cursor) }).cursor).toEqual(cursor);
  });

  it.each([
    ["an id beyond bigint", { s: "time_desc", t: "2026-11-24T10:00:00.000Z", i: "9999999999999999999" }],
    ["an offset beyond +15:59", { s: "time_desc", t: "2026-11-24T10:00:00+16:00", i: "42" }],
    ["an impossible date", { s: "time_desc", t: "2026-02-30T10:00:00.000Z", i: "42" }],
    ["an id that is not a number", { s: "time_desc", t: "2026-11-24T10:00:00.000Z", i: "4e2" }],
  ])("refuses %s with a 400 on the cursor", (_label, payload) => {
    expect(decodeAuditCursor(token(payload))).toBeNull();
    expect(problems({ cursor: token(payload) })).toEqual(["cursor: is not valid; start again from the first page"]);
  });

  it("refuses a cursor of the other sort order", () => {
    const cursor = encodeAuditCursor({ sort: "time_asc", occurredAt: "2026-11-24T10:00:00.000Z", id: "1" });
    expect(problems({ cursor })).toEqual(["cursor: is not valid; start again from the first page (it belongs to another sort order)"]);
  });
});

describe("auditRowIdSchema", () => {
  it("takes a bigint in range and nothing else", () => {
    expect(auditRowIdSchema.parse("9223372036854775807")).toBe("9223372036854775807");
    for (const bad of ["9223372036854775808", "99999999999999999999", "0", "abc", ""]) expect(auditRowIdSchema.safeParse(bad).success, bad).toBe(false);
  });
});
