// The access list's query: read like every other list (issue 10, finding 6).
import { describe, expect, it } from "vitest";
import { decodePeopleCursor, encodePeopleCursor, listPeopleQuerySchema, type PeopleCursor } from "./people-query";

const ID = "0f0e0d0c-0b0a-4908-8706-050403020100";
const token = (payload: unknown) => Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");

function problems(input: unknown): string[] {
  const result = listPeopleQuerySchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("listPeopleQuerySchema", () => {
  it("fills the defaults and drops a form's blank fields", () => {
    expect(listPeopleQuerySchema.parse(new URLSearchParams("q=&employer=&sort=&limit="))).toEqual({ sort: "name_asc", limit: 50 });
    expect(listPeopleQuerySchema.parse({ q: " Vera ", employer: "github", status: "active", limit: "2" })).toEqual({
      q: "Vera",
      employer: "github",
      status: "active",
      sort: "name_asc",
      limit: 2,
    });
  });

  it("refuses NUL and overlong text in q, naming it", () => {
    expect(problems(new URLSearchParams("q=a%00b"))).toEqual(["q: must not contain NUL characters"]);
    expect(problems({ q: "x".repeat(201) })).toEqual(["q: must be at most 200 characters"]);
  });

  it("refuses repeated and unknown parameters as every list does", () => {
    expect(problems(new URLSearchParams("sort=name_asc&sort=email_asc"))).toEqual(["sort: may be given only once"]);
    expect(problems(new URLSearchParams("q=a&q=b"))).toEqual(["q: may be given only once"]);
    expect(problems({ colour: "red" })).toEqual([': unknown parameter "colour"']);
    expect(problems({ limit: "201" })).toEqual(["limit: must be at most 200"]);
    expect(problems({ limit: "1e2" })).toEqual(["limit: must be a whole number"]);
  });
});

describe("people cursors", () => {
  it.each<PeopleCursor>([
    { sort: "name_asc", value: "vera copilot", id: ID },
    { sort: "email_desc", value: "viewer@openai.example", id: ID },
    { sort: "expiry_asc", value: "infinity", id: ID },
    { sort: "expiry_desc", value: "-infinity", id: ID },
    { sort: "created_desc", value: "2026-11-24T10:00:00.123Z", id: ID },
  ])("round-trip %j", (cursor) => {
    expect(decodePeopleCursor(encodePeopleCursor(cursor))).toEqual(cursor);
    expect(listPeopleQuerySchema.parse({ sort: cursor.sort, cursor: encodePeopleCursor(cursor) }).cursor).toEqual(cursor);
  });

  it.each([
    ["an impossible date", { s: "created_desc", v: "2026-02-30T99:99:99.000Z", i: ID }],
    ["a time-zone offset beyond +15:59", { s: "created_asc", v: "2026-11-24T10:00:00+16:00", i: ID }],
    ["text where a time belongs", { s: "expiry_asc", v: "tomorrow", i: ID }],
    ["a 36-dash id", { s: "name_asc", v: "vera", i: "-".repeat(36) }],
    ["NUL in the sort value", { s: "email_asc", v: "a\u0000b", i: ID }],
    ["the old array form with an impossible date", ["created_desc", "2026-02-30T99:99:99Z", ID]],
    ["the old array form with a 36-dash id", ["name_asc", "vera", "-".repeat(36)]],
  ])("refuses %s with a 400 on the cursor", (_label, payload) => {
    const sort = Array.isArray(payload) ? payload[0] : payload.s;
    expect(problems({ sort, cursor: token(payload) })).toEqual(["cursor: is not valid; start again from the first page"]);
  });

  it("refuses a cursor of another sort order", () => {
    const cursor = encodePeopleCursor({ sort: "name_asc", value: "vera", id: ID });
    expect(problems({ sort: "email_asc", cursor })).toEqual(["cursor: is not valid; start again from the first page (it belongs to another sort order)"]);
  });
});
