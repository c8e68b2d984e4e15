// One way to read a query string on every list: the same refusals, worded the
// same way, each naming its parameter (issue 10, finding 6).
import { describe, expect, it } from "vitest";
import {
  CURSOR_INVALID,
  booleanParam,
  cursorParam,
  dateTimeParam,
  enumParam,
  fromSearchParams,
  integerParam,
  listParam,
  normalizeSearchParams,
  queryObject,
  repeatedEnumParam,
  textParam,
  uuidParam,
} from "./query-params";

const schema = fromSearchParams(
  queryObject({
    q: textParam(10),
    sort: enumParam(["asc", "desc"]),
    limit: integerParam(1, 100),
    from: dateTimeParam(),
    flag: booleanParam(),
    id: uuidParam(),
    kind: listParam(["a", "b"], "kind"),
    tag: repeatedEnumParam(["x", "y"], "tag"),
    cursor: cursorParam((token) => (token === "good" ? { at: 1 } : null)),
  }),
);

function problems(input: unknown): string[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("normalizeSearchParams", () => {
  it("reads URLSearchParams and Next's searchParams alike, keeping repeats and dropping blanks", () => {
    const fromUrl = normalizeSearchParams(new URLSearchParams("q=x&kind=a&kind=b&blank=&sort=asc"));
    const fromNext = normalizeSearchParams({ q: "x", kind: ["a", "b"], blank: "", sort: ["asc"], gone: undefined });
    expect(fromUrl).toEqual({ q: "x", kind: ["a", "b"], sort: "asc" });
    expect(fromNext).toEqual(fromUrl);
  });
});

describe("a query schema", () => {
  it("parses what it knows", () => {
    expect(schema.parse(new URLSearchParams("q=%20hello%20&sort=desc&limit=5&flag=true&id=0F0E0D0C-0B0A-4908-8706-050403020100&kind=a,b&tag=x&tag=y&cursor=good"))).toEqual({
      q: "hello",
      sort: "desc",
      limit: 5,
      flag: true,
      id: "0f0e0d0c-0b0a-4908-8706-050403020100",
      kind: ["a", "b"],
      tag: ["x", "y"],
      cursor: { at: 1 },
    });
  });

  it("refuses unknown parameters, naming each", () => {
    expect(problems(new URLSearchParams("colour=red"))).toEqual([': unknown parameter "colour"']);
    expect(problems(new URLSearchParams("__proto__=a&__proto__=b"))).toEqual([': unknown parameter "__proto__"']);
    expect(problems(new URLSearchParams("constructor=x"))).toEqual([': unknown parameter "constructor"']);
    expect(problems({ colour: "red", size: "xl" })).toEqual([': unknown parameters "colour", "size"']);
  });

  it.each(["q", "sort", "limit", "from", "flag", "id", "cursor"])("refuses %s given twice", (name) => {
    const value = { q: "x", sort: "asc", limit: "1", from: "2026-11-20", flag: "true", id: "0f0e0d0c-0b0a-4908-8706-050403020100", cursor: "good" }[name]!;
    expect(problems(new URLSearchParams([[name, value], [name, value]]))).toEqual([`${name}: may be given only once`]);
  });

  it("refuses NUL and unpaired surrogates in text, and text that is too long", () => {
    expect(problems(new URLSearchParams("q=a%00b"))).toEqual(["q: must not contain NUL characters"]);
    expect(problems({ q: "a\uD800b" })).toEqual(["q: must not contain unpaired UTF-16 surrogates"]);
    expect(problems({ q: "x".repeat(11) })).toEqual(["q: must be at most 10 characters"]);
  });

  it("names every other bad value by its parameter", () => {
    expect(problems({ sort: "up", limit: "0", from: "2026-11-20T10:00+16:00", flag: "yes", id: "-".repeat(36), kind: "c", tag: "z", cursor: "bad" })).toEqual([
      "sort: must be one of asc, desc",
      "limit: must be at least 1",
      "from: must be an ISO 8601 date-time, e.g. 2026-11-20T09:30Z (no offset means UTC)",
      "flag: must be \"true\" or \"false\"",
      "id: must be a UUID",
      'kind: unknown kind "c"; expected one of a, b',
      "tag.0: is not a known tag",
      `cursor: ${CURSOR_INVALID}`,
    ]);
  });

  it("refuses what is not a query", () => {
    expect(schema.safeParse("q=x").success).toBe(false);
    expect(schema.safeParse(null).success).toBe(false);
  });

  it("is an ordinary zod schema to refine further", () => {
    const refined = fromSearchParams(queryObject({ limit: integerParam(1, 10) }).refine((query) => query.limit !== 7, { path: ["limit"], message: "not 7" }));
    expect(refined.safeParse({ limit: "7" }).error?.issues.map((issue) => issue.message)).toEqual(["not 7"]);
  });
});
