// fast-check arbitraries for hostile input: the values an attacker (or a
// broken client) puts where the portal expects something well-formed. Each is
// small to print and shrinks towards the simplest value that still fails.
import fc from "fast-check";

export const NUL = "\u0000";
/** Unpaired UTF-16 surrogates: valid in a JS string, not in UTF-8 or PostgreSQL text. */
export const LONE_SURROGATES = ["\ud800", "\udfff", "\udbff", "a\ud83d", "\ude00b"] as const;

/** Characters and snippets that break parsers, queries, CSV cells and logs. */
const SPECIAL_PIECES = [
  NUL,
  ...LONE_SURROGATES,
  "\r\n",
  "\t",
  "\u2028",
  "\u202e",
  "\ufeff",
  "\u00ff",
  "\u{1f600}",
  '"',
  "'",
  "\\",
  "`",
  "%",
  "%00",
  "%zz",
  "%E2%82",
  "%ED%A0%80",
  "+",
  "&",
  "=",
  ";",
  ",",
  "#",
  "?",
  "/",
  "..",
  "<script>alert(1)</script>",
  '=HYPERLINK("http://evil.example","x")',
  "${7*7}",
  "' OR '1'='1",
  "'); DROP TABLE audit_event;--",
  "__proto__",
  "constructor",
  "[object Object]",
  "null",
  "undefined",
] as const;

/** Numbers written as text: huge, signed, exponents, other scripts, beyond every integer type. */
export const HOSTILE_NUMBER_TEXT = [
  "0",
  "-0",
  "-1",
  "1.5",
  "1e3",
  "1e309",
  "-1e309",
  "NaN",
  "Infinity",
  "0x10",
  "1_000",
  " 5",
  "5 ",
  "٣",
  "2147483647",
  "2147483648",
  "-2147483649",
  "9007199254740993",
  "9223372036854775807",
  "9223372036854775808",
  "18446744073709551616",
  "99999999999999999999999999999999999999",
  "0.1e-400",
  "1".repeat(400),
] as const;

/** Date-times: valid, impossible days and clocks, offsets beyond ±15:59, years out of range, other formats. */
export const HOSTILE_DATE_TEXT = [
  "2026-11-20",
  "2026-11-20T09:30Z",
  "2026-11-20T09:30:00.123456Z",
  "2026-11-20T09:30:00+15:59",
  "2026-11-20T09:30:00+16:00",
  "2026-11-20T09:30:00-99:99",
  "2026-11-20T09:30:00+0530",
  "2026-11-20T09:30:00+05:60",
  "2026-02-29",
  "2024-02-29T24:00:00Z",
  "2026-02-30T00:00:00Z",
  "2026-13-01",
  "2026-00-10",
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00Z",
  "1969-12-31T23:59:59Z",
  "9999-12-31T23:59:59.999999Z",
  "10000-01-01T00:00:00Z",
  "+275760-09-13T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "2026-11-20T09:30:00.1234567890123Z",
  "1700000000",
  "yesterday",
  "2026-11-20 09:30:00 GMT",
  "Fri, 20 Nov 2026 09:30:00 GMT",
] as const;

/** UUID look-alikes: 36 dashes, wrong lengths, braces, upper case, non-hex, the nil UUID. */
export const HOSTILE_UUID_TEXT = [
  "-".repeat(36),
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "0000000-0000-4000-8000-000000000000",
  "00000000-0000-4000-8000-0000000000000",
  "{00000000-0000-4000-8000-000000000000}",
  "00000000000040008000000000000000",
  "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
  "00000000-0000-4000-8000-00000000000\u0000",
  "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE",
  " 00000000-0000-4000-8000-000000000000 ",
  "00000000-0000-4000-8000-000000000000;SELECT 1",
] as const;

const asciiWord = fc.string({ unit: "grapheme-ascii", maxLength: 16 });
const unicodeWord = fc.string({ unit: "binary", maxLength: 8 });
const special = fc.constantFrom(...SPECIAL_PIECES);

/** Long text: around the portal's limits (200, 256, 320, 500, 2,000) and up to 10 kB. */
export const longText = fc
  .tuple(fc.constantFrom("a", "é", "\u{1f600}", "%", NUL, "\ud800", "ab "), fc.constantFrom(199, 201, 257, 321, 501, 2001, 2049, 4097, 10_000))
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));

/** Any text a client could send: words, specials, numbers, dates, look-alike ids, long runs. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(asciiWord, unicodeWord, special), { minLength: 1, maxLength: 4 }).map((pieces) => pieces.join("")) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NUMBER_TEXT) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_DATE_TEXT) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_UUID_TEXT) },
  { weight: 1, arbitrary: longText },
  { weight: 1, arbitrary: fc.constant("") },
);

/** A value: either one of `valid` (so the deeper layers run) or hostile text. */
export function valueOf(valid: readonly string[], validWeight = 2): fc.Arbitrary<string> {
  if (valid.length === 0) return hostileText;
  return fc.oneof({ weight: validWeight, arbitrary: fc.constantFrom(...valid) }, { weight: 2, arbitrary: hostileText });
}

// ─── JSON ────────────────────────────────────────────────────────────────────

/** Numbers JSON can carry that no column can: huge, tiny, negative zero, beyond 2^53 (written as JSON text). */
export const HOSTILE_JSON_NUMBERS = ["1e308", "-1e308", "1e400", "5e-324", "-0", "9007199254740993", "123456789012345678901234567890", "0.1", "-1", "2147483648"] as const;

/** A JSON text whose values are hostile: strings with NUL and lone surrogates (as \u escapes), huge numbers, nesting. */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileText,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(asciiWord, special, unicodeWord), tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** JSON.stringify, but with huge numbers spliced in as raw JSON number text (JSON.stringify cannot write them). */
export function jsonText(value: unknown, hugeNumber?: string): string {
  const text = JSON.stringify(value) ?? "null";
  if (!hugeNumber) return text;
  // Replace the first number literal outside strings, if any, else wrap.
  const match = /(?<=[[:,])-?\d+(\.\d+)?(e[+-]?\d+)?(?=[\],}])/i.exec(text.replace(/"(?:[^"\\]|\\.)*"/g, (s) => "_".repeat(s.length)));
  if (!match) return text;
  return text.slice(0, match.index) + hugeNumber + text.slice(match.index + match[0].length);
}

/** Arrays or objects nested `depth` levels: closed, left open, or mixed. */
export type DeepNesting = { depth: number; shape: "array" | "object" | "mixed"; closed: boolean };

export const deepNesting: fc.Arbitrary<DeepNesting> = fc.record({
  depth: fc.oneof(fc.constantFrom(63, 64, 65, 66, 67, 1000, 10_000, 100_000), fc.integer({ min: 1, max: 100_000 })),
  shape: fc.constantFrom("array", "object", "mixed"),
  closed: fc.boolean(),
});

export function deepJson({ depth, shape, closed }: DeepNesting, inner = "1"): string {
  const open = (level: number) => (shape === "array" || (shape === "mixed" && level % 2 === 0) ? "[" : '{"a":');
  const close = (level: number) => (shape === "array" || (shape === "mixed" && level % 2 === 0) ? "]" : "}");
  let opening = "";
  let closing = "";
  for (let level = 0; level < depth; level++) {
    opening += open(level);
    if (closed) closing = close(level) + closing;
  }
  return opening + inner + closing;
}

/** Texts that are not JSON, or barely: truncated, trailing garbage, single quotes, NaN, comments, a BOM, empty. */
export const badJsonText = fc.oneof(
  fc.constantFrom("", " ", "{", "[", '{"a":', "{'a':1}", "{a:1}", "[1,]", '{"a":1,}', "NaN", "[NaN]", "[Infinity]", "undefined", "/* */{}", "\ufeff{}", "{}{}", '{"a":1}garbage', "\u0000", "[1e999999]", '"\\ud800"', '"\\u0000"', '{"__proto__":{"admin":true}}'),
  hostileText.map((text) => `{"${text}`),
);

// ─── Cookies ─────────────────────────────────────────────────────────────────

/**
 * A Cookie header that carries no usable session: NUL, garbage, very long,
 * an unknown token, the session cookie under other names, or repeated.
 * `{token}` stands for the persona's real token (see targets.ts).
 */
export const badCookieHeader: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "authjs.session-token=%00",
    "authjs.session-token=",
    "authjs.session-token",
    "authjs.session-token=00000000-0000-4000-8000-000000000000",
    "authjs.session-token=%E2%82",
    "authjs.session-token=%ZZ",
    'authjs.session-token="quoted"',
    "authjs.session-token={token}x",
    "authjs.session-token={token}%00",
    "authjs.session-token=%00; authjs.session-token={token}",
    "authjs.session-token={token}; authjs.session-token=%00",
    "__Secure-authjs.session-token={token}",
    "__Host-authjs.session-token={token}",
    "AUTHJS.SESSION-TOKEN={token}",
    ";;;;",
    "=",
    "a=b; authjs.session-token=;",
  ),
  hostileText.map((text) => `authjs.session-token=${encodeComponent(text).slice(0, 8000)}`),
  fc.constantFrom(1000, 4000, 8000).map((length) => `authjs.session-token=${"A".repeat(length)}`),
  fc.string({ unit: "binary-ascii", maxLength: 40 }).map((text) => headerSafe(text)),
);

/** What Node's client lets into a header value (no control characters; Latin-1 bytes pass). */
export function headerSafe(text: string): string {
  return [...text].map((char) => (/[\t\x20-\x7e\x80-\xff]/.test(char) ? char : encodeComponent(char))).join("");
}

// ─── Percent-encoding ────────────────────────────────────────────────────────

/** How a text is written into a URL: encoded properly, partly raw, with broken escapes, or with `+` for spaces. */
export type UrlEncoding = "proper" | "raw" | "broken" | "plus" | "double";

export const urlEncoding: fc.Arbitrary<UrlEncoding> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<UrlEncoding>("proper") },
  { weight: 1, arbitrary: fc.constantFrom<UrlEncoding>("raw", "broken", "plus", "double") },
);

/** Writes `text` into a URL path or query component; the result is always something Node's client will send. */
export function encodeForUrl(text: string, encoding: UrlEncoding): string {
  switch (encoding) {
    case "proper":
      return encodeComponent(text);
    case "plus":
      return encodeComponent(text).replaceAll("%20", "+");
    case "double":
      return encodeComponent(encodeComponent(text));
    case "broken":
      // a trailing lone "%", or a truncated multi-byte sequence
      return `${encodeComponent(text)}${text.length % 2 === 0 ? "%" : "%E2%82"}`;
    case "raw":
      // as typed: only what the request line cannot carry is escaped
      return [...text].map((char) => (/[\x21-\x7e\xa0-\xff]/.test(char) && char !== "#" ? char : encodeComponent(char))).join("");
  }
}

/** encodeURIComponent that survives lone surrogates (as the bytes of U+FFFD would not show them: %ED%A0%80, CESU-style). */
export function encodeComponent(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16).toUpperCase()}%${(0x80 | ((code >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`;
    } else out += encodeURIComponent(char);
  }
  return out;
}
