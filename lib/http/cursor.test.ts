// The one cursor codec: opaque base64url JSON, checked field by field on the
// way back in, so that nothing PostgreSQL would refuse reaches it (issue 10, finding 6).
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { cursorBigint, cursorCodec, cursorInt4, cursorText, cursorTimestamp, cursorUuid, MAX_CURSOR_LENGTH } from "./cursor";

const ID = "0f0e0d0c-0b0a-4908-8706-050403020100";
const codec = cursorCodec(z.strictObject({ t: cursorTimestamp, i: cursorUuid, n: cursorBigint.optional(), l: cursorInt4.optional(), x: cursorText(20).optional() }));
const token = (payload: unknown) => Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");

describe("cursorCodec", () => {
  it("round-trips a payload through an opaque base64url token", () => {
    const payload = { t: "2026-11-20T10:00:00.123Z", i: ID, n: "9223372036854775807", l: -2147483648, x: "zoë" };
    const encoded = codec.encode(payload);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(codec.decode(encoded)).toEqual(payload);
    expect(codec.decode(token({ t: "2026-11-20T10:00:00+15:59", i: ID.toUpperCase() }))).toEqual({ t: "2026-11-20T10:00:00+15:59", i: ID });
  });

  it.each([
    ["an offset beyond +15:59", { t: "2026-11-20T10:00:00+16:00", i: ID }],
    ["an offset of -23:00", { t: "2026-11-20T10:00:00-23:00", i: ID }],
    ["an impossible date", { t: "2026-02-30T10:00:00Z", i: ID }],
    ["an impossible time", { t: "2026-11-20T25:61:00Z", i: ID }],
    ["a 36-dash id", { t: "2026-11-20T10:00:00Z", i: "-".repeat(36) }],
    ["an id that is not a UUID", { t: "2026-11-20T10:00:00Z", i: "1; DROP TABLE x" }],
    ["a bigint beyond range", { t: "2026-11-20T10:00:00Z", i: ID, n: "9223372036854775808" }],
    ["a bigint written as a number", { t: "2026-11-20T10:00:00Z", i: ID, n: 5 }],
    ["an integer beyond int4", { t: "2026-11-20T10:00:00Z", i: ID, l: 2147483648 }],
    ["a fraction where an integer belongs", { t: "2026-11-20T10:00:00Z", i: ID, l: 1.5 }],
    ["text with NUL", { t: "2026-11-20T10:00:00Z", i: ID, x: "a\u0000b" }],
    ["text with an unpaired surrogate", { t: "2026-11-20T10:00:00Z", i: ID, x: "a\uD800b" }],
    ["an extra field", { t: "2026-11-20T10:00:00Z", i: ID, extra: 1 }],
    ["a missing field", { i: ID }],
    ["an array", ["2026-11-20T10:00:00Z", ID]],
  ])("decodes %s to null", (_label, payload) => {
    expect(codec.decode(token(payload))).toBeNull();
  });

  it.each([
    ["not base64url", "a+b/c="],
    ["not UTF-8", Buffer.from([0xff, 0xfe, 0xfd]).toString("base64url")],
    ["not JSON", Buffer.from("hello").toString("base64url")],
    ["empty", ""],
    ["too long", "A".repeat(MAX_CURSOR_LENGTH + 1)],
  ])("decodes a token that is %s to null", (_label, text) => {
    expect(codec.decode(text)).toBeNull();
  });
});
