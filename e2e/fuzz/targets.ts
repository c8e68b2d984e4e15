// What the fuzz stage sends: one target per /api/v1 route (found on disk),
// one for /v2/track and one per server action (found in the build's
// manifest), each with a fast-check arbitrary of malformed requests. A
// generated request is a small, printable description (FuzzInput); render()
// turns it into bytes, with the persona's session cookie, at send time.
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { AUDIT_ACTIONS } from "../../lib/audit/actions";
import { PEOPLE_SORTS, PEOPLE_STATUSES } from "../../lib/admin/people-query";
import { AUDIT_SORTS } from "../../lib/audit/audit-query";
import { EVENT_COLUMN_IDS } from "../../lib/telemetry/event-columns";
import { EVENT_SORTS, QUICK_RANGES } from "../../lib/telemetry/event-query";
import { AUDIT_OUTCOMES, EMPLOYERS, EMPLOYMENT_TYPES, EVENT_KINDS, FIELD_CLASSES, GROUP_KEYS, PURPOSES, ROLES, UI_KINDS } from "../../lib/telemetry/vocabulary";
import { DEMO_INGESTION_KEY } from "../../server/ingest/demo-ingestion-key";
import { discoverApiRoutes, ruleForRoute, type ApiRoute } from "../api-routes";
import { UNKNOWN_EVENT_ID, type SignedInPersona } from "../fixtures";
import { actionRuleFor, discoverServerActions, type ServerAction } from "../server-actions";
import type { RawRequest } from "./http";
import {
  HOSTILE_DATE_TEXT,
  HOSTILE_JSON_NUMBERS,
  HOSTILE_NUMBER_TEXT,
  HOSTILE_UUID_TEXT,
  badCookieHeader,
  badJsonText,
  deepJson,
  deepNesting,
  encodeComponent,
  encodeForUrl,
  headerSafe,
  hostileJsonValue,
  hostileText,
  jsonText,
  longText,
  urlEncoding,
  valueOf,
} from "./hostile";

// ─── What a generated request is ─────────────────────────────────────────────

/** Who sends it: a signed-in persona (its real session cookie), nobody, or a Cookie header carrying no usable session. */
export type Identity = { kind: "persona"; persona: SignedInPersona } | { kind: "anonymous" } | { kind: "bad-cookie"; header: string };

export type FuzzBody =
  | { utf8: string }
  /** gzip of the text; `corrupt` flips bytes in the middle of the stream */
  | { gzip: string; corrupt: boolean };

export type FuzzInput = {
  identity: Identity;
  method: string;
  /** path and query string, exactly as sent */
  path: string;
  headers: Array<[string, string]>;
  body?: FuzzBody;
};

export type TargetKind = "api" | "track" | "action";

export type FuzzTarget = {
  /** e.g. "GET,HEAD /api/v1/events", "POST /v2/track", "action setPurposeAction" */
  name: string;
  kind: TargetKind;
  /** session: the data layer's gate decides and audits; key: an ingestion key; public: no access decision */
  auth: "session" | "ingestion-key" | "token" | "public";
  arbitrary: fc.Arbitrary<FuzzInput>;
};

/** Real ids from the database under test, so that some requests reach real rows. */
export type FuzzContext = {
  baseURL: string;
  eventIds: string[];
  auditIds: string[];
  personIds: string[];
};

/** `arbitrary` one time in `oneIn`, else undefined. */
function rarely<T>(arbitrary: fc.Arbitrary<T>, oneIn = 6): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

// ─── Rendering ───────────────────────────────────────────────────────────────

export const SESSION_COOKIE = "authjs.session-token";
const MULTIPART_BOUNDARY = "----telemetry-portal-fuzz-7MA4YWxkTrZu0gW";

/** The bytes to send; `tokens` are the personas' session tokens, `fallbackToken` fills `{token}` in bad cookies. */
export function render(input: FuzzInput, tokens: Record<SignedInPersona, string>, fallbackToken: string, userAgent: string): RawRequest {
  const headers: Array<[string, string]> = [["User-Agent", userAgent], ...input.headers];
  if (input.identity.kind === "persona") headers.push(["Cookie", `${SESSION_COOKIE}=${tokens[input.identity.persona]}`]);
  else if (input.identity.kind === "bad-cookie") headers.push(["Cookie", input.identity.header.replaceAll("{token}", fallbackToken)]);
  let body: Buffer | undefined;
  if (input.body && "utf8" in input.body) body = Buffer.from(input.body.utf8, "utf8");
  else if (input.body) {
    body = gzipSync(Buffer.from(input.body.gzip, "utf8"));
    if (input.body.corrupt && body.length > 12) {
      for (let index = 10; index < body.length - 8; index += 7) body[index] = (body[index] ?? 0) ^ 0x5a;
    }
  }
  return { method: input.method, path: input.path, headers, body };
}

/** A short, printable form of a generated request (long texts cut), for failure reports. */
export function describeInput(input: FuzzInput): string {
  const cut = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);
  const who = input.identity.kind === "persona" ? `signed in as ${input.identity.persona}` : input.identity.kind === "anonymous" ? "anonymous" : `Cookie: ${cut(input.identity.header, 120)}`;
  const lines = [`${input.method} ${cut(input.path)}  (${who})`, ...input.headers.map(([name, value]) => `${name}: ${cut(value, 200)}`)];
  if (input.body && "utf8" in input.body) lines.push(`body: ${cut(JSON.stringify(input.body.utf8), 500)}`);
  else if (input.body) lines.push(`body: gzip${input.body.corrupt ? " (corrupted)" : ""} of ${cut(JSON.stringify(input.body.gzip), 500)}`);
  return lines.join("\n");
}

// ─── Who sends it ────────────────────────────────────────────────────────────

type IdentityWeights = { permitted: number; denied: number; anonymous: number; badCookie: number };
const DEFAULT_WEIGHTS: IdentityWeights = { permitted: 6, denied: 1, anonymous: 1, badCookie: 2 };

function identityArb(permitted: SignedInPersona | undefined, denied: readonly SignedInPersona[], weights: IdentityWeights = DEFAULT_WEIGHTS, options: { tokenCookies?: boolean } = {}): fc.Arbitrary<Identity> {
  const choices: Array<fc.WeightedArbitrary<Identity>> = [
    { weight: weights.anonymous, arbitrary: fc.constant<Identity>({ kind: "anonymous" }) },
    {
      weight: weights.badCookie,
      arbitrary: (options.tokenCookies === false ? badCookieHeader.filter((header) => !header.includes("{token}")) : badCookieHeader).map((header): Identity => ({ kind: "bad-cookie", header })),
    },
  ];
  if (permitted && weights.permitted > 0) choices.push({ weight: weights.permitted, arbitrary: fc.constant<Identity>({ kind: "persona", persona: permitted }) });
  if (denied.length > 0 && weights.denied > 0) choices.push({ weight: weights.denied, arbitrary: fc.constantFrom(...denied).map((persona): Identity => ({ kind: "persona", persona })) });
  return fc.oneof(...choices);
}

// ─── Headers every request may carry ─────────────────────────────────────────

const hostileHeaderValue = hostileText.map((text) => headerSafe(text).slice(0, 4000));

/** Headers a client may add: odd Accept, forged internal headers, junk forwarding headers, a hostile User-Agent (it goes into audit rows). */
const extraHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constant("Accept"), fc.constantFrom("application/json", "text/html", "*/*", "text/x-component", "", "application/json;q=0, text/html")),
  fc.tuple(fc.constant("X-Forwarded-For"), fc.oneof(fc.constantFrom("198.51.100.7", "not-an-ip", "999.999.999.999", "::1", "1.1.1.1, 2.2.2.2", "%00", "::ffff:127.0.0.1", "[::1]:80", "fe80::1%eth0", "2001:db8::1"), hostileHeaderValue)),
  // (X-Forwarded-Host and -Proto are left out: from a trusted proxy they name another origin, which the front answers with its 421 page, by design)
  fc.tuple(fc.constantFrom("Forwarded", "X-Real-Ip"), fc.oneof(fc.constantFrom("for=1.2.3.4", "for=\"[::1]\"", "127.0.0.1"), hostileHeaderValue)),
  fc.tuple(fc.constantFrom("X-Portal-Request-Id", "X-Portal-Client-Ip", "X-Portal-Refusal", "X-Middleware-Subrequest", "X-Invoke-Path", "X-Request-Id"), hostileHeaderValue),
  fc.tuple(fc.constant("User-Agent"), fc.oneof(hostileHeaderValue, longText.map((text) => headerSafe(text).slice(0, 8000)))),
  fc.tuple(fc.constantFrom("Accept-Language", "Referer", "If-None-Match", "Range", "Accept-Encoding"), hostileHeaderValue),
);

const extraHeaders = fc.oneof({ weight: 3, arbitrary: fc.constant<Array<[string, string]>>([]) }, { weight: 1, arbitrary: fc.array(extraHeader, { minLength: 1, maxLength: 3 }) });

/** For state-changing requests: usually the portal's own origin (or none), sometimes another site. */
function originHeaders(baseURL: string): fc.Arbitrary<Array<[string, string]>> {
  const origin = new URL(baseURL).origin;
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<Array<[string, string]>>([["Origin", origin]], [["Origin", origin], ["Sec-Fetch-Site", "same-origin"]], []) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Array<[string, string]>>(
        [["Origin", "https://evil.example"]],
        [["Origin", "null"]],
        [["Sec-Fetch-Site", "cross-site"]],
        [["Sec-Fetch-Site", "same-site"]],
        [["Origin", `${origin}.evil.example`]],
        [["Origin", origin], ["Origin", "https://evil.example"]],
        [["Sec-Fetch-Site", "%00"]],
      ),
    },
  );
}

// ─── Query strings ───────────────────────────────────────────────────────────

const paramName = fc.oneof(
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 }),
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "", "a[b]", "limit[]", "LIMIT", "sort ", " cursor", "kind%00", "\u0000", "\ud800", "x".repeat(2000)),
);

/** A query string from known parameters (with values valid or hostile), unknown ones, repeats, and odd encodings. */
function queryArb(params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const known = Object.entries(params).map(([name, value]) => value.map((text): [string, string] => [name, text]));
  const pair: fc.Arbitrary<[string, string]> = known.length > 0 ? fc.oneof({ weight: 5, arbitrary: fc.oneof(...known) }, { weight: 1, arbitrary: fc.tuple(paramName, hostileText) }) : fc.tuple(paramName, hostileText);
  const encodedPair = fc.tuple(pair, urlEncoding, urlEncoding, fc.constantFrom("=", "=", "=", "", "==")).map(([[name, value], nameEncoding, valueEncoding, equals]) => {
    return `${encodeForUrl(name, nameEncoding)}${equals}${equals === "" ? "" : encodeForUrl(value, valueEncoding)}`;
  });
  return fc
    .tuple(fc.array(encodedPair, { maxLength: 6 }), fc.boolean(), fc.constantFrom("", "", "", "", "&", "&&", "#fragment", "?", ";a=1"))
    .map(([pairs, repeatFirst, tail]) => {
      const all = repeatFirst && pairs[0] !== undefined ? [...pairs, pairs[0]] : pairs;
      return all.length === 0 && tail === "" ? "" : `?${all.join("&")}${tail}`;
    });
}

// ─── Cursors ─────────────────────────────────────────────────────────────────

const hostileJsonScalar = fc.oneof(hostileText, fc.integer(), fc.double(), fc.constant(null), fc.boolean(), fc.constantFrom<unknown>([], {}, [1], { a: 1 }));

/**
 * An opaque cursor: base64url of a small JSON object whose fields (sort `s`,
 * value `v` or time `t`, id `i`) are valid or hostile; or of JSON that is not
 * such an object; or not base64url at all.
 */
function cursorArb(sorts: readonly string[], fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<string> {
  const fieldArbs = Object.fromEntries(Object.entries({ s: fc.constantFrom<unknown>(...sorts), ...fields }).map(([key, valid]) => [key, fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: hostileJsonScalar })]));
  const payload = fc.oneof(
    { weight: 4, arbitrary: fc.record(fieldArbs, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.tuple(fc.record(fieldArbs), fc.dictionary(fc.string({ maxLength: 4 }), hostileJsonScalar, { minKeys: 1, maxKeys: 2 })).map(([known, extra]) => ({ ...extra, ...known })) },
    { weight: 1, arbitrary: hostileJsonValue },
  );
  const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(payload, rarely(fc.constantFrom(...HOSTILE_JSON_NUMBERS))).map(([value, huge]) => base64url(jsonText(value, huge ?? undefined))) },
    { weight: 1, arbitrary: fc.tuple(payload).map(([value]) => Buffer.from(JSON.stringify(value) ?? "null").toString("base64")) },
    { weight: 1, arbitrary: badJsonText.map(base64url) },
    { weight: 1, arbitrary: fc.constantFrom("", "!!!", "a", "eyJ", "====", "%00", "A".repeat(2049), "eyJzIjoidGltZV9kZXNjIn0=", "eyJzIjoidGltZV9kZXNjIn0.eyJ9") },
    { weight: 1, arbitrary: hostileText },
  );
}

const cursorTimestamps = fc.constantFrom<unknown>(...HOSTILE_DATE_TEXT, "2026-11-20T09:30:00.000Z", "2026-11-20T09:30:00.000+15:59", "infinity", "-infinity");
const cursorUuids = fc.oneof(fc.uuid(), fc.constantFrom<unknown>(...HOSTILE_UUID_TEXT));
const cursorBigints = fc.constantFrom<unknown>("1", "42", "9223372036854775807", "9223372036854775808", "0", "-1", "01", "1e3", 42, 9223372036854775807);
const cursorNumbers = fc.oneof(fc.integer(), fc.double(), fc.constantFrom<unknown>(2147483648, -2147483649, 1.5, 1e308, "12"));

// ─── Parameters of each list ─────────────────────────────────────────────────

const text = (...valid: string[]) => valueOf(valid);
const numberText = (...valid: string[]) => fc.oneof(fc.constantFrom(...valid, ...HOSTILE_NUMBER_TEXT), hostileText);
const dateText = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_DATE_TEXT) }, { weight: 1, arbitrary: hostileText });
const listOf = (values: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...values),
    fc.subarray([...values], { minLength: 1 }).map((picked) => picked.join(",")),
    fc.array(fc.oneof(fc.constantFrom(...values), hostileText), { minLength: 1, maxLength: 3 }).map((picked) => picked.join(",")),
    hostileText,
  );

const EVENT_FILTERS: Record<string, fc.Arbitrary<string>> = {
  range: text(...QUICK_RANGES),
  from: dateText,
  to: dateText,
  kind: listOf(EVENT_KINDS),
  vscodeVersion: text("1.99.3", "1.106.2"),
  extensionVersion: text("1.250.0"),
  os: text("linux", "darwin", "win32"),
  uiKind: text(...UI_KINDS),
  country: text("GB", "gb", "US", "G", "GBR"),
  region: text("England"),
  city: text("Bracknell"),
  machineId: text("a".repeat(64)),
  sessionId: text("session"),
  errorKind: text("network.timeout"),
  redactionFilter: text("secrets"),
  accepted: text("true", "false"),
  latencyMin: numberText("0", "100", "3600000", "3600001"),
  latencyMax: numberText("0", "500", "3600000"),
  certaintyMin: numberText("0", "0.5", "1", "1.0000001"),
  certaintyMax: numberText("0", "0.9", "1"),
};

const EVENT_CURSOR = cursorArb(EVENT_SORTS, { v: fc.oneof(cursorTimestamps, cursorNumbers), i: cursorUuids });

const AUDIT_FILTERS: Record<string, fc.Arbitrary<string>> = {
  actor: text("viewer.copilot@github.example", "admin@github.example"),
  action: listOf(AUDIT_ACTIONS),
  outcome: text(...AUDIT_OUTCOMES),
  purpose: text(...PURPOSES, "none"),
  from: dateText,
  to: dateText,
  eventId: fc.oneof(fc.uuid(), fc.constantFrom(...HOSTILE_UUID_TEXT), hostileText),
  machineId: text("a".repeat(64)),
  person: fc.oneof(fc.uuid(), fc.constantFrom("anonymous", ...HOSTILE_UUID_TEXT), hostileText),
  employer: text(...EMPLOYERS, "none"),
  routine: text("hide", "show"),
};

/** The parameters each list route reads (its query schema in lib/); routes not listed take none. */
const QUERY_PARAMS: Record<string, Record<string, fc.Arbitrary<string>>> = {
  "/api/v1/events": {
    ...EVENT_FILTERS,
    sort: text(...EVENT_SORTS),
    limit: numberText("1", "50", "500", "501"),
    cursor: EVENT_CURSOR,
    columns: listOf(EVENT_COLUMN_IDS),
  },
  "/api/v1/events/export": { ...EVENT_FILTERS, sort: text(...EVENT_SORTS), columns: listOf(EVENT_COLUMN_IDS) },
  "/api/v1/events/insights": EVENT_FILTERS,
  "/api/v1/events/histogram": EVENT_FILTERS,
  "/api/v1/audit/checkpoints/consistency": { from: numberText("1", "2", "5", "0", "-1", "9007199254740993"), to: numberText("1", "3", "10", "0", "1e3") },
  "/api/v1/audit": {
    ...AUDIT_FILTERS,
    sort: text(...AUDIT_SORTS),
    limit: numberText("1", "50", "500", "501"),
    cursor: cursorArb(AUDIT_SORTS, { t: cursorTimestamps, i: cursorBigints }),
  },
  "/api/v1/audit/export": AUDIT_FILTERS,
  "/api/v1/audit/disclosures": { machineId: text("a".repeat(64), "unknown") },
  "/api/v1/admin/people": {
    q: text("ada", "github.example"),
    employer: text(...EMPLOYERS),
    type: text(...EMPLOYMENT_TYPES),
    group: text(...GROUP_KEYS),
    role: text(...ROLES),
    status: text(...PEOPLE_STATUSES),
    sort: text(...PEOPLE_SORTS),
    limit: numberText("1", "50", "200", "201"),
    cursor: cursorArb(PEOPLE_SORTS, { v: fc.oneof(cursorTimestamps, hostileJsonScalar, fc.constantFrom<unknown>("ada", "admin@github.example")), i: cursorUuids }),
  },
};

/**
 * Reads that are costly when they succeed (a whole-trail verification, a
 * whole-trail export): the permitted persona sends a smaller share of them, so
 * the stage stays within its time budget; everything else is as for any route.
 */
const WHOLE_TRAIL: IdentityWeights = { permitted: 1, denied: 20, anonymous: 20, badCookie: 59 };
const COSTLY_ROUTES: Record<string, IdentityWeights> = {
  "/api/v1/audit/verify": WHOLE_TRAIL,
  "/api/v1/audit/export": { permitted: 1, denied: 3, anonymous: 3, badCookie: 6 },
  "/api/v1/events/export": { permitted: 1, denied: 1, anonymous: 1, badCookie: 2 },
};
/** The same for server actions: "Verify now" walks every chain. */
const COSTLY_ACTIONS: Record<string, IdentityWeights> = {
  verifyNowAction: WHOLE_TRAIL,
};

// ─── Path segments ───────────────────────────────────────────────────────────

const DOT_SEGMENTS = [".", "..", "%2e", "%2E%2E", ".%2e", "%2e%2e%2f", "..%2F..%2Fme", "%2F", "a%2Fb", "%5C", "%00", "%C0%AE", "%E2%82", "%", "%zz", "%ED%A0%80", "%F0%9F%98%80", "%EF%BF%BD"] as const;

/** A dynamic segment: a real id, a valid id that names nothing, or hostile (look-alikes, dots, broken escapes, 10 kB). */
function segmentArb(valid: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...valid).map(encodeComponent) },
    { weight: 1, arbitrary: fc.constantFrom(...valid).map((id) => [...id].map((char) => `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`).join("")) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_UUID_TEXT, ...HOSTILE_NUMBER_TEXT).map(encodeComponent) },
    { weight: 2, arbitrary: fc.constantFrom(...DOT_SEGMENTS) },
    { weight: 2, arbitrary: fc.tuple(hostileText, urlEncoding).map(([value, encoding]) => encodeForUrl(value, encoding) || "%20") },
  );
}

/** The path of a route with its dynamic segments generated; sometimes a trailing slash, a doubled slash or an extra segment. */
function routePathArb(route: ApiRoute, valuesFor: (param: string) => string[]): fc.Arbitrary<string> {
  const parts = route.segments.map((segment) => ("literal" in segment ? fc.constant(segment.literal) : segmentArb(valuesFor(segment.param))));
  const shape = fc.oneof({ weight: 12, arbitrary: fc.constant("plain") }, { weight: 1, arbitrary: fc.constantFrom("trailing-slash", "double-slash", "extra-segment", "unknown-sibling") });
  return fc.tuple(fc.tuple(...parts), shape).map(([values, variant]) => {
    const path = `/api/v1/${values.join("/")}`;
    switch (variant) {
      case "trailing-slash":
        return `${path}/`;
      case "double-slash":
        return path.replace("/api/v1/", "/api/v1//");
      case "extra-segment":
        return `${path}/extra`;
      case "unknown-sibling":
        return path.replace(/\/[^/]+$/, "/nothing-here");
      default:
        return path;
    }
  });
}

// ─── Methods ─────────────────────────────────────────────────────────────────

const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** Mostly a method the route exports; sometimes another standard one, or one no route handles (TRACE, PROPFIND, lower case). */
function methodArb(methods: readonly string[]): fc.Arbitrary<string> {
  const others = ALL_METHODS.filter((method) => !methods.includes(method));
  return fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...methods) },
    ...(others.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...others) }] : []),
    { weight: 1, arbitrary: fc.constantFrom("TRACE", "PROPFIND", "get", "M-SEARCH", "PURGE", "QUERY") },
  );
}

// ─── JSON bodies ─────────────────────────────────────────────────────────────

const JSON_CONTENT_TYPES = ["application/json", "application/json; charset=utf-8"] as const;
const OTHER_CONTENT_TYPES = ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/JSON", "application/jsonx", "application/json, text/plain", "", "*/*", "application/x-json-stream"] as const;

/** Mostly JSON; sometimes another type, none, or two Content-Type headers. */
const contentTypeHeaders: fc.Arbitrary<Array<[string, string]>> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...JSON_CONTENT_TYPES).map((type): Array<[string, string]> => [["Content-Type", type]]) },
  { weight: 1, arbitrary: fc.constantFrom(...OTHER_CONTENT_TYPES).map((type): Array<[string, string]> => [["Content-Type", type]]) },
  { weight: 1, arbitrary: fc.constantFrom<Array<[string, string]>>([], [["Content-Type", "text/plain"], ["Content-Type", "application/json"]], [["Content-Type", "application/json"], ["Content-Type", "text/plain"]]) },
);

/** A JSON body: near-valid objects from `shape`, hostile JSON, texts that are not JSON, or nesting up to 100,000 levels. */
function jsonBodyArb(shape: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzBody> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(shape, rarely(fc.constantFrom(...HOSTILE_JSON_NUMBERS))).map(([value, huge]): FuzzBody => ({ utf8: jsonText(value, huge ?? undefined) })) },
    { weight: 2, arbitrary: hostileJsonValue.map((value): FuzzBody => ({ utf8: jsonText(value) })) },
    { weight: 1, arbitrary: badJsonText.map((text): FuzzBody => ({ utf8: text })) },
    { weight: 1, arbitrary: deepNesting.map((nesting): FuzzBody => ({ utf8: deepJson(nesting) })) },
    { weight: 1, arbitrary: longText.map((text): FuzzBody => ({ utf8: JSON.stringify({ purpose: text, detail: text }) })) },
  );
}

/** Puts hostile values and unknown keys into a valid-looking object; `required` keys are always there (their values may still be hostile). */
function objectOf(fields: Record<string, fc.Arbitrary<unknown>>, required: string[] = [], validWeight = 3): fc.Arbitrary<Record<string, unknown>> {
  const hostileFields = Object.fromEntries(Object.entries(fields).map(([key, valid]) => [key, fc.oneof({ weight: validWeight, arbitrary: valid }, { weight: 1, arbitrary: hostileJsonValue })]));
  return fc.tuple(fc.record(hostileFields, { requiredKeys: required }), rarely(fc.dictionary(fc.constantFrom("__proto__", "constructor", "extra", "purpose ", ""), hostileJsonValue, { minKeys: 1, maxKeys: 2 }))).map(([known, extra]) => ({ ...(extra ?? {}), ...known }));
}

const PURPOSE_BODY = objectOf({ purpose: fc.constantFrom(...PURPOSES), detail: fc.oneof(fc.constant("Reviewing the quarterly acceptance numbers."), hostileText) });

// ─── Telemetry intake ────────────────────────────────────────────────────────

/** Property and measurement names the intake maps to columns or content, and some it does not know. */
const PROPERTY_NAMES = [
  "common.vscodemachineid",
  "common.vscodesessionid",
  "common.vscodeversion",
  "common.extname",
  "common.extversion",
  "common.os",
  "common.platformversion",
  "common.uikind",
  "completionId",
  "languageId",
  "latencyMs",
  "meanProb",
  "numSuggestions",
  "compCharLen",
  "postProcessing",
  "filter",
  "accepted",
  "stillInCodeRatio",
  "errorKind",
  "prefix",
  "suffix",
  "suggestion",
  "line",
  "character",
  "relativePath",
  "unknownProperty",
] as const;

const propertyName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PROPERTY_NAMES) }, { weight: 1, arbitrary: hostileText });
const propertyValue = fc.oneof(hostileText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), hostileJsonValue);
const measurementValue = fc.oneof({ weight: 3, arbitrary: fc.oneof(fc.integer(), fc.double()) }, { weight: 1, arbitrary: propertyValue });
const EVENT_TIMES = ["2026-11-01T10:15:00.000Z", "2026-11-01T10:15:00.000Z", "2026-11-01T10:15:00.000Z", "2026-11-01T10:15:00+15:59", "2026-11-01T10:15:00+16:00", "1999-12-31T23:59:59Z", "2099-01-01T00:00:00Z", "2026-02-30T10:00:00Z"];
const EVENT_NAMES = ["GitHub.copilot/ghostText.shown", "ghostText.accepted", "ghostText.rejected", "networking.error", "GitHub.copilot/completion.requested", "=HYPERLINK(\"x\")"];

const trackEnvelope: fc.Arbitrary<unknown> = objectOf({
  iKey: fc.oneof({ weight: 4, arbitrary: fc.constant(DEMO_INGESTION_KEY) }, { weight: 1, arbitrary: fc.constantFrom("", " ", "unknown-key", DEMO_INGESTION_KEY.toUpperCase(), `${DEMO_INGESTION_KEY}\u0000`) }),
  time: valueOf(EVENT_TIMES, 12),
  name: fc.constantFrom("Microsoft.ApplicationInsights.Event", "x"),
  tags: fc.dictionary(fc.constantFrom("ai.user.id", "ai.session.id", "ai.location.ip", "ai.cloud.roleInstance"), hostileText, { maxKeys: 3 }),
  data: objectOf({
    baseType: valueOf(["EventData", "EventData", "EventData", "ExceptionData", "MessageData", "MetricData"], 12),
    baseData: objectOf({
      ver: fc.constantFrom<unknown>(2, "2", null),
      name: valueOf(EVENT_NAMES, 12),
      properties: fc.dictionary(propertyName, propertyValue, { maxKeys: 6 }),
      measurements: fc.dictionary(propertyName, measurementValue, { maxKeys: 4 }),
      exceptions: fc.array(objectOf({ typeName: valueOf(["Error", "TypeError", "Object"], 12), message: fc.oneof(hostileText, hostileJsonValue.map((value) => JSON.stringify(value))), stack: hostileText }), { maxLength: 2 }),
    }, ["name"], 12),
  }, ["baseType", "baseData"], 12),
}, ["iKey", "time", "data"], 12);

const nativeEvent: fc.Arbitrary<unknown> = objectOf({
  name: valueOf(EVENT_NAMES, 12),
  time: valueOf(EVENT_TIMES, 12),
  machineId: valueOf(["a".repeat(64)], 12),
  sessionId: valueOf(["fuzz-session"], 12),
  vscodeVersion: valueOf(["1.99.3"], 12),
  extensionName: valueOf(["GitHub.copilot"], 12),
  extensionVersion: valueOf(["1.250.0"], 12),
  os: valueOf(["linux"], 12),
  osVersion: valueOf(["6.8.0"], 12),
  uiKind: valueOf(["desktop", "web"], 12),
  properties: fc.dictionary(propertyName, propertyValue, { maxKeys: 6 }),
  measurements: fc.dictionary(propertyName, measurementValue, { maxKeys: 4 }),
  exception: objectOf({ typeName: valueOf(["Error"], 12), message: hostileText, stack: hostileText }),
}, ["name", "time", "machineId", "sessionId"], 12);

const INTAKE_CONTENT_TYPES = ["application/json", "application/x-json-stream", "text/plain", "application/octet-stream"] as const;

/** Content-Encoding: none, gzip (sound or corrupted), or one the intake does not speak. */
function intakeBody(text: fc.Arbitrary<string>): fc.Arbitrary<{ body: FuzzBody; headers: Array<[string, string]> }> {
  return fc.oneof(
    { weight: 8, arbitrary: text.map((utf8) => ({ body: { utf8 } as FuzzBody, headers: [] as Array<[string, string]> })) },
    { weight: 2, arbitrary: fc.tuple(text, fc.boolean()).map(([gzip, corrupt]) => ({ body: { gzip, corrupt } as FuzzBody, headers: [["Content-Encoding", "gzip"]] as Array<[string, string]> })) },
    {
      weight: 1,
      arbitrary: fc.tuple(text, fc.constantFrom("br", "deflate", "gzip, gzip", "identity", "x-gzip", "compress", "GZIP")).map(([utf8, encoding]) => ({ body: { utf8 } as FuzzBody, headers: [["Content-Encoding", encoding]] as Array<[string, string]> })),
    },
  );
}

/** /v2/track bodies: a JSON array of envelopes, newline-delimited JSON, one envelope, or worse (nesting up to 100,000 levels). */
const trackBodyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.array(trackEnvelope, { minLength: 1, maxLength: 5 }), rarely(fc.constantFrom(...HOSTILE_JSON_NUMBERS))).map(([envelopes, huge]) => jsonText(envelopes, huge ?? undefined)) },
  { weight: 2, arbitrary: fc.array(fc.oneof(trackEnvelope.map((envelope) => JSON.stringify(envelope)), badJsonText), { minLength: 1, maxLength: 5 }).map((lines) => lines.join("\n")) },
  { weight: 1, arbitrary: trackEnvelope.map((envelope) => JSON.stringify(envelope, null, 2)) },
  {
    weight: 2,
    arbitrary: fc.tuple(deepNesting, fc.constantFrom("bare", "in-envelope", "in-array", "ndjson")).map(([nesting, place]) => {
      const deep = deepJson(nesting);
      const envelope = (inner: string) => `{"iKey":"${DEMO_INGESTION_KEY}","time":"2026-11-01T10:15:00.000Z","data":{"baseType":"EventData","baseData":{"name":"x","properties":{"p":${inner}}}}}`;
      if (place === "bare") return deep;
      if (place === "in-envelope") return `[${envelope(deep)}]`;
      if (place === "in-array") return `[${envelope("1")},${deep}]`;
      return `${envelope("1")}\n${deep}`;
    }),
  },
  { weight: 1, arbitrary: badJsonText },
  { weight: 1, arbitrary: hostileJsonValue.map((value) => JSON.stringify(value) ?? "null") },
);

/** /api/v1/telemetry bodies: {"events":[…]} with hostile events, or worse. */
const telemetryBodyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(objectOf({ events: fc.array(nativeEvent, { minLength: 1, maxLength: 5 }) }, ["events"], 12), rarely(fc.constantFrom(...HOSTILE_JSON_NUMBERS))).map(([batch, huge]) => jsonText(batch, huge ?? undefined)) },
  {
    weight: 2,
    arbitrary: fc.tuple(deepNesting, fc.constantFrom("bare", "in-event", "as-events")).map(([nesting, place]) => {
      const deep = deepJson(nesting);
      if (place === "bare") return deep;
      if (place === "as-events") return `{"events":${deep}}`;
      return `{"events":[{"name":"x","time":"2026-11-01T10:15:00.000Z","machineId":"m","sessionId":"s","properties":{"p":${deep}}}]}`;
    }),
  },
  { weight: 1, arbitrary: badJsonText },
  { weight: 1, arbitrary: hostileJsonValue.map((value) => JSON.stringify(value) ?? "null") },
  { weight: 1, arbitrary: fc.constantFrom('{"events":[]}', '{"events":{}}', '{"events":null}', `{"events":[${"{},".repeat(10_000)}{}]}`) },
);

const authorizationHeaders: fc.Arbitrary<Array<[string, string]>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Array<[string, string]>>([["Authorization", `Bearer ${DEMO_INGESTION_KEY}`]]) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom<Array<[string, string]>>(
        [],
        [["Authorization", "Bearer"]],
        [["Authorization", "Bearer "]],
        [["Authorization", `Basic ${Buffer.from(`x:${DEMO_INGESTION_KEY}`).toString("base64")}`]],
        [["Authorization", `bearer ${DEMO_INGESTION_KEY}`]],
        [["Authorization", `Bearer ${DEMO_INGESTION_KEY} extra`]],
        [["Authorization", `Bearer ${DEMO_INGESTION_KEY}`], ["Authorization", "Bearer other"]],
        [["Authorization", `Bearer ${DEMO_INGESTION_KEY}%00`]],
      ),
      hostileText.map((text): Array<[string, string]> => [["Authorization", `Bearer ${headerSafe(text).slice(0, 8000)}`]]),
    ),
  },
);

// ─── Server actions ──────────────────────────────────────────────────────────

const JUSTIFICATION = "Needed for the quarterly review of completion quality.";

/** The form fields each action reads, with values that pass its schema; a new action gets unknown fields only until it is listed here. */
export const ACTION_FIELDS: Record<string, Record<string, readonly string[]>> = {
  signOutAction: {},
  verifyNowAction: {},
  signInAction: { provider: ["demo", "github", "microsoft-entra-id", "oidc"], callbackUrl: ["/events", "//evil.example", "/\\evil.example", "https://evil.example/", "/%0a/evil.example"], prompt: ["login", "none"] },
  setPurposeAction: { purpose: PURPOSES, detail: ["Reviewing the quarterly acceptance numbers."], next: ["/events", "//evil.example", "/\\evil.example/", "/\t/evil.example", "javascript:alert(1)"] },
  createPersonAction: { name: ["Fuzz Person"], email: ["fuzz.person@github.example"], employer: EMPLOYERS, employmentType: EMPLOYMENT_TYPES },
  updatePersonAction: { personId: [UNKNOWN_EVENT_ID], name: ["Fuzz Person"], email: ["fuzz.person@github.example"], employer: EMPLOYERS, employmentType: EMPLOYMENT_TYPES },
  grantAccessAction: {
    personId: [UNKNOWN_EVENT_ID],
    access: [...GROUP_KEYS.map((key) => `telemetry:${key}`), ...GROUP_KEYS.map((key) => `group:${key}`), ...ROLES.map((role) => `role:${role}`)],
    duration: ["30", "60", "90", "date"],
    expiresAt: ["2027-01-01", "2026-12-01T00:00:00+02:00"],
    justification: [JUSTIFICATION],
  },
  createAccessRequestAction: { groupKey: GROUP_KEYS, grantId: [UNKNOWN_EVENT_ID], durationDays: ["30", "60", "90"], justification: [JUSTIFICATION], ticketRef: ["SEC-1234"] },
  cancelAccessRequestAction: { requestId: [UNKNOWN_EVENT_ID] },
  approveAccessRequestAction: { requestId: [UNKNOWN_EVENT_ID], comment: ["Confirmed with the manager."] },
  denyAccessRequestAction: { requestId: [UNKNOWN_EVENT_ID], reason: [JUSTIFICATION] },
  updateGroupApproversAction: {
    groupKey: GROUP_KEYS,
    approverEmails: ["approver@github.example", "approver@github.example, viewer.copilot@github.example"],
    approvalsRequired: ["1", "2", "3"],
    sensitiveApprovalsRequired: ["2", "3"],
    justification: [JUSTIFICATION],
  },
  extendGrantAction: { personId: [UNKNOWN_EVENT_ID], grantId: [UNKNOWN_EVENT_ID], expiresAt: ["2027-01-01"], justification: [JUSTIFICATION] },
  extendExpiringGrantAction: { grantId: [UNKNOWN_EVENT_ID], expiresAt: ["2027-01-01"], justification: [JUSTIFICATION] },
  revokeGrantAction: { personId: [UNKNOWN_EVENT_ID], grantId: [UNKNOWN_EVENT_ID], reason: [JUSTIFICATION] },
  disablePersonAction: { personId: [UNKNOWN_EVENT_ID], reason: [JUSTIFICATION] },
  enablePersonAction: { personId: [UNKNOWN_EVENT_ID], reason: [JUSTIFICATION] },
  createIngestionKeyAction: { name: ["Fuzz producer"] },
  revokeIngestionKeyAction: { keyId: [UNKNOWN_EVENT_ID], reason: [JUSTIFICATION] },
  createScimTokenAction: { name: ["Fuzz identity provider"] },
  revokeScimTokenAction: { keyId: [UNKNOWN_EVENT_ID], reason: [JUSTIFICATION] },
  updateGroupScopeAction: {
    groupKey: GROUP_KEYS,
    justification: [JUSTIFICATION],
    ...Object.fromEntries(EVENT_KINDS.map((kind) => [`kind:${kind}`, ["on", "off"]])),
    ...Object.fromEntries(FIELD_CLASSES.map((fieldClass) => [`class:${fieldClass}`, ["on"]])),
  },
  importAccessListAction: {},
};

/** Files for a form's file field (the access-list import): CSV with a valid header and hostile rows, or not CSV at all. */
const csvFile = fc.oneof(
  fc.array(fc.array(hostileText, { minLength: 1, maxLength: 6 }), { maxLength: 4 }).map((rows) => ["email,name,employer,employment_type,access,expires_at,justification", ...rows.map((row) => row.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(","))].join("\r\n")),
  hostileText,
  fc.constantFrom("", "\ufeff", '"unterminated', "a,b\r\n1,2,3,4,5,6,7,8,9"),
);

type FormPart = { name: string; value: string; filename?: string };

/** A form: known fields (valid or hostile values), some left out, some repeated, unknown ones, a file where text belongs. */
function formArb(fields: Record<string, readonly string[]>, withFile: boolean): fc.Arbitrary<FormPart[]> {
  const known = Object.entries(fields).map(([name, valid]) => fc.tuple(fc.constant(name), valueOf(valid, 3)).map(([fieldName, value]): FormPart => ({ name: fieldName, value })));
  const unknown = fc.tuple(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 10 }).filter((name) => /^[\w:$-]+$/.test(name)), hostileText).map(([name, value]): FormPart => ({ name, value }));
  const asFile = fc.tuple(known.length > 0 ? fc.oneof(...known) : unknown, fc.constantFrom("a.csv", "x.txt", "")).map(([part, filename]): FormPart => ({ ...part, filename }));
  const file = csvFile.map((value): FormPart => ({ name: "file", value, filename: "access-list.csv" }));
  const parts: Array<fc.WeightedArbitrary<FormPart>> = [{ weight: 1, arbitrary: unknown }, { weight: 1, arbitrary: asFile }];
  if (known.length > 0) parts.push({ weight: 8, arbitrary: fc.oneof(...known) });
  if (withFile) parts.push({ weight: 6, arbitrary: file });
  // Every known field once (in a random subset), then extras.
  const base = known.length > 0 ? fc.subarray(Object.keys(fields)).chain((names) => (names.length === 0 ? fc.constant<FormPart[]>([]) : fc.tuple(...names.map((name) => valueOf(fields[name] ?? [], 3).map((value): FormPart => ({ name, value })))))) : fc.constant<FormPart[]>([]);
  return fc.tuple(base, fc.array(fc.oneof(...parts), { maxLength: 3 })).map(([first, extra]) => [...first, ...extra]);
}

/** A JSON value as React writes an argument: strings beginning with "$" are escaped as "$$…". */
function reactEscape(value: unknown): unknown {
  if (typeof value === "string") return value.startsWith("$") ? `$${value}` : value;
  if (Array.isArray(value)) return value.map(reactEscape);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reactEscape(item)]));
  return value;
}

/**
 * The argument list, as React encodes it: the shape the action declares
 * (previousState and/or the form as "$K1"), or the wrong shape — missing,
 * extra or wrongly typed arguments are as easy to send as right ones.
 */
function argumentsArb(arity: number): fc.Arbitrary<unknown[]> {
  const state = fc.oneof(fc.constant(null), fc.constant("$undefined"), hostileJsonValue.map(reactEscape));
  const right = arity === 0 ? fc.constant<unknown[]>([]) : arity === 1 ? fc.constant<unknown[]>(["$K1"]) : state.map((previous): unknown[] => [previous, "$K1"]);
  const notAForm = fc.oneof(fc.integer(), fc.constant(null), hostileText.map(reactEscape), fc.constant("$undefined"), fc.constant([]), fc.constant({ get: 1 }), fc.constant("$K2"));
  const wrong = fc.oneof(
    fc.constant<unknown[]>([]),
    fc.constant<unknown[]>(["$K1"]),
    fc.constant<unknown[]>(["$K1", "$K1"]),
    fc.tuple(state, notAForm).map(([previous, form]): unknown[] => [previous, form]),
    notAForm.map((form): unknown[] => [form]),
    fc.tuple(state, fc.constant("$K1"), hostileJsonValue.map(reactEscape)).map((args): unknown[] => args),
  );
  return fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

function multipartBody(parts: FormPart[]): string {
  const chunks = parts.map(({ name, value, filename }) => {
    const disposition = `form-data; name="${name}"${filename !== undefined ? `; filename="${filename}"` : ""}`;
    const type = filename !== undefined ? "\r\nContent-Type: text/csv" : "";
    return `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n${value}\r\n`;
  });
  return `${chunks.join("")}--${MULTIPART_BOUNDARY}--\r\n`;
}

// ─── The targets ─────────────────────────────────────────────────────────────

function apiTarget(route: ApiRoute, context: FuzzContext): FuzzTarget {
  const rule = ruleForRoute(route);
  if (!rule) throw new Error(`${route.template}: add a rule for it to API_ROUTE_RULES (e2e/api-routes.ts)`);
  const valuesFor = (param: string) => {
    if (param !== "id") throw new Error(`${route.template}: the fuzz stage has no values for the [${param}] segment (e2e/fuzz/targets.ts)`);
    if (route.template.startsWith("/api/v1/audit/")) return [...context.auditIds, "1", "9223372036854775807"];
    if (route.template.startsWith("/api/v1/admin/people/")) return [...context.personIds, UNKNOWN_EVENT_ID];
    return [...context.eventIds, UNKNOWN_EVENT_ID];
  };
  const path = routePathArb(route, valuesFor);
  const query = queryArb(QUERY_PARAMS[route.template] ?? {});
  const identity =
    rule.auth === "session"
      ? identityArb(rule.allowedAs, rule.deniedAs.filter((persona): persona is SignedInPersona => persona !== "no-grant"), COSTLY_ROUTES[route.template])
      : identityArb("viewerCopilot", [], { permitted: 1, denied: 0, anonymous: 4, badCookie: 1 });

  type Content = { body?: FuzzBody; headers: Array<[string, string]> };
  let body: fc.Arbitrary<Content>;
  if (route.template === "/api/v1/telemetry") {
    body = fc.tuple(intakeBody(telemetryBodyText), authorizationHeaders, fc.constantFrom(...INTAKE_CONTENT_TYPES)).map(([intake, authorization, type]) => ({ body: intake.body, headers: [["Content-Type", type], ...intake.headers, ...authorization] }));
  } else if (route.template === "/api/v1/me/purpose") {
    body = fc.tuple(jsonBodyArb(PURPOSE_BODY), contentTypeHeaders).map(([json, type]) => ({ body: json, headers: type }));
  } else if (route.methods.some((method) => method === "POST" || method === "PUT" || method === "PATCH")) {
    // a body the route does not read: none, or anything
    body = fc.oneof({ weight: 3, arbitrary: fc.constant<Content>({ headers: [] }) }, { weight: 1, arbitrary: fc.tuple(jsonBodyArb(hostileJsonValue), contentTypeHeaders).map(([json, type]): Content => ({ body: json, headers: type })) });
  } else {
    body = fc.constant<Content>({ headers: [] });
  }

  return {
    name: `${route.methods.join(",")} ${route.template}`,
    kind: "api",
    auth: rule.auth,
    arbitrary: fc
      .record({ method: methodArb(route.methods), path, query, identity, body, extra: extraHeaders, origin: originHeaders(context.baseURL) })
      .map(({ method, path: routePath, query: search, identity: who, body: content, extra, origin }): FuzzInput => {
        const sendsBody = method !== "GET" && method !== "HEAD" && content.body !== undefined;
        const changesState = method === "POST" || method === "PUT" || method === "PATCH" || method === "DELETE";
        return {
          identity: who,
          method,
          path: `${routePath}${search}`,
          headers: [["Accept", "application/json"], ...(changesState ? origin : []), ...(sendsBody ? content.headers : content.headers.filter(([name]) => name === "Authorization")), ...extra],
          ...(sendsBody ? { body: content.body } : {}),
        };
      }),
  };
}

function trackTarget(context: FuzzContext): FuzzTarget {
  return {
    name: "POST /v2/track",
    kind: "track",
    auth: "ingestion-key",
    arbitrary: fc
      .record({
        method: methodArb(["POST"]),
        intake: intakeBody(trackBodyText),
        type: fc.constantFrom(...INTAKE_CONTENT_TYPES, "application/x-json-stream; charset=utf-8", ""),
        query: fc.oneof({ weight: 5, arbitrary: fc.constant("") }, { weight: 1, arbitrary: queryArb({}) }),
        identity: identityArb("viewerCopilot", [], { permitted: 1, denied: 0, anonymous: 6, badCookie: 1 }),
        extra: extraHeaders,
        origin: originHeaders(context.baseURL),
      })
      .map(({ method, intake, type, query, identity, extra, origin }): FuzzInput => {
        const sendsBody = method !== "GET" && method !== "HEAD";
        return {
          identity,
          method,
          path: `/v2/track${query}`,
          headers: [...(type ? [["Content-Type", type] as [string, string]] : []), ...(sendsBody ? intake.headers : []), ...origin, ...extra],
          ...(sendsBody ? { body: intake.body } : {}),
        };
      }),
  };
}

function actionTarget(action: ServerAction, context: FuzzContext): FuzzTarget {
  const rule = actionRuleFor(action);
  if (!rule) throw new Error(`${action.name} (${action.file}): add a rule to ACTION_RULES (e2e/server-actions.ts)`);
  const fields = ACTION_FIELDS[action.name] ?? {};
  const isSignOut = action.name === "signOutAction";
  // Signing out as a persona would end the session the other targets use: sign-out gets no real session.
  const identity =
    "allowedAs" in rule
      ? identityArb(rule.allowedAs, rule.personas.filter((persona): persona is SignedInPersona => persona !== "no-grant"), COSTLY_ACTIONS[action.name])
      : isSignOut
        ? identityArb(undefined, [], { permitted: 0, denied: 0, anonymous: 2, badCookie: 3 }, { tokenCookies: false })
        : identityArb("viewerCopilot", [], { permitted: 1, denied: 0, anonymous: 4, badCookie: 2 });
  return {
    name: `action ${action.name}`,
    kind: "action",
    auth: "allowedAs" in rule ? "session" : "public",
    arbitrary: fc
      .record({
        args: argumentsArb(action.arity),
        form: formArb(fields, action.name === "importAccessListAction"),
        encoding: fc.oneof({ weight: 9, arbitrary: fc.constant("multipart") }, { weight: 1, arbitrary: fc.constant("text") }),
        identity,
        extra: extraHeaders,
        origin: originHeaders(context.baseURL),
        query: fc.oneof({ weight: 6, arbitrary: fc.constant("") }, { weight: 1, arbitrary: queryArb({}) }),
      })
      .map(({ args, form, encoding, identity: who, extra, origin, query }): FuzzInput => {
        const headers: Array<[string, string]> = [["Next-Action", action.id], ["Accept", "text/x-component"], ...origin, ...extra];
        // React sends a plain-text body when the arguments hold no form: the JSON of the list.
        if (encoding === "text" && !JSON.stringify(args).includes('"$K')) {
          return { identity: who, method: "POST", path: `${action.page}${query}`, headers: [...headers, ["Content-Type", "text/plain;charset=UTF-8"]], body: { utf8: JSON.stringify(args) } };
        }
        const parts: FormPart[] = [{ name: "0", value: JSON.stringify(args) }, ...form.map((part) => ({ ...part, name: `_1_${part.name}` }))];
        return {
          identity: who,
          method: "POST",
          path: `${action.page}${query}`,
          headers: [...headers, ["Content-Type", `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`]],
          body: { utf8: multipartBody(parts) },
        };
      }),
  };
}

/** Every target, in a stable order: the API routes, /v2/track, then the server actions. */
export function discoverTargets(context: FuzzContext): FuzzTarget[] {
  return [...discoverApiRoutes().map((route) => apiTarget(route, context)), trackTarget(context), ...discoverServerActions().map((action) => actionTarget(action, context))];
}
