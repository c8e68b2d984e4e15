// One way to read a query string, for every list the portal serves (events,
// audit rows, people) and for their pages and /api/v1 handlers alike.
//
// A query arrives as URLSearchParams (route handlers) or as Next's
// searchParams object (pages); queryObject() turns either into one strict zod
// schema, so that every list refuses the same things the same way, each a 400
// naming the parameter:
//   - an unknown parameter:               `unknown parameter "colour"`
//   - a repeated single-valued parameter: `limit: may be given only once`
//   - a bad value:                        `limit: must be at most 500`, `os: must not contain NUL characters`, …
// Empty values (a form's blank fields) count as absent.
//
// Safe on both sides.
import { z } from "zod";
import { bigintIdString, parseDateTime, storableText, uuidString } from "./input-values";

/** Next's searchParams object. */
export type RawSearchParams = Record<string, string | string[] | undefined>;

/**
 * URLSearchParams or Next's searchParams → one value per key, an array when
 * the key is repeated; empty values dropped. Anything else is passed on for
 * zod to refuse.
 */
export function normalizeSearchParams(input: unknown): unknown {
  let entries: Array<[string, unknown]>;
  if (input instanceof URLSearchParams) entries = [...new Set(input.keys())].map((key) => [key, input.getAll(key)]);
  else if (input !== null && typeof input === "object" && !Array.isArray(input)) entries = Object.entries(input);
  else return input;
  const kept: Array<[string, unknown]> = [];
  for (const [key, value] of entries) {
    const values = (Array.isArray(value) ? value : [value]).filter((item) => item !== undefined && item !== "");
    if (values.length > 0) kept.push([key, values.length === 1 ? values[0] : values]);
  }
  // Object.fromEntries defines own properties: `?__proto__=…` is an unknown parameter, not a prototype.
  return Object.fromEntries(kept);
}

/** The message of an unknown parameter (zod's unrecognized_keys), the same on every list. */
const UNKNOWN_PARAMETERS = {
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === "unrecognized_keys" && issue.keys
      ? `unknown parameter${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}`
      : undefined,
};

/** A query schema: the shape's parameters and no others. */
export function queryObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, UNKNOWN_PARAMETERS);
}

/** Reads URLSearchParams or Next's searchParams into `schema` (a queryObject, possibly refined). */
export function fromSearchParams<T extends z.ZodType>(schema: T) {
  return z.preprocess(normalizeSearchParams, schema);
}

// ─── Parameters ──────────────────────────────────────────────────────────────

/** A parameter that may appear once (optional). */
export function single<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (!Array.isArray(value)) return value;
    if (value.length === 1) return value[0];
    ctx.addIssue({ code: "custom", message: "may be given only once" });
    return z.NEVER;
  }, schema.optional());
}

/** Free text (a filter value): trimmed, not empty, at most `max` characters, no NUL or unpaired surrogates. */
export function textParam(max: number) {
  return single(storableText(max));
}

/** One of a closed list. */
export function enumParam<const T extends readonly [string, ...string[]]>(values: T, message = `must be one of ${values.join(", ")}`) {
  return single(z.enum(values, { error: message }));
}

/** A whole number written as text (no exponents, no blanks inside), within [min, max]. */
export function integerParam(min: number, max: number) {
  return single(
    z
      .string({ error: "must be a whole number" })
      .trim()
      .regex(/^-?\d+$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),
  );
}

/** A decimal number written as text, within [min, max]. */
export function decimalParam(min: number, max: number) {
  const range = `must be between ${min} and ${max}`;
  return single(
    z
      .string({ error: "must be a number" })
      .trim()
      .max(40, "must be a number")
      .regex(/^-?(\d+(\.\d*)?|\.\d+)$/, "must be a number")
      .transform(Number)
      .pipe(z.number().min(min, range).max(max, range)),
  );
}

/** "true" or "false". */
export function booleanParam() {
  return single(z.enum(["true", "false"], { error: 'must be "true" or "false"' }).transform((value) => value === "true"));
}

export const DATE_TIME_MESSAGE = "must be an ISO 8601 date-time, e.g. 2026-11-20T09:30Z (no offset means UTC)";

/** A date or date-time (see parseDateTime), as a Date. */
export function dateTimeParam(message = DATE_TIME_MESSAGE) {
  return single(
    z
      .string({ error: message })
      .max(64, message)
      .transform((value, ctx) => {
        const parsed = parseDateTime(value);
        if (!parsed) {
          ctx.addIssue({ code: "custom", message });
          return z.NEVER;
        }
        return parsed;
      }),
  );
}

/** A UUID (canonical 8-4-4-4-12 form), lower-cased. */
export function uuidParam(message?: string) {
  return single(uuidString(message));
}

/** A bigint row id as decimal text, within range. */
export function bigintIdParam(message?: string) {
  return single(bigintIdString(message));
}

/** A list of known values, repeatable and/or comma-separated, de-duplicated; an unknown value names itself (and, for short lists, what is known). */
export function listParam<const T extends readonly [string, ...string[]]>(values: T, noun: string, options: { listKnown?: boolean } = {}) {
  const known = (options.listKnown ?? true) ? `; expected one of ${values.join(", ")}` : "";
  return z
    .union([z.string(), z.array(z.string())], { error: `must be ${noun} names` })
    .optional()
    .transform((value, ctx) => {
      const items = (value === undefined ? [] : Array.isArray(value) ? value : [value])
        .flatMap((item) => item.split(","))
        .map((item) => item.trim())
        .filter(Boolean);
      const unknown = items.filter((item) => !(values as readonly string[]).includes(item));
      if (unknown.length > 0) {
        // Only the first few, each shortened: the message must not become an echo chamber.
        const named = unknown.slice(0, 5).map((item) => JSON.stringify(item.slice(0, 40)));
        ctx.addIssue({ code: "custom", message: `unknown ${noun} ${named.join(", ")}${known}` });
        return z.NEVER;
      }
      return [...new Set(items)] as Array<T[number]>;
    });
}

/** A repeatable parameter whose every value is one of a closed list (each refusal names its position). */
export function repeatedEnumParam<const T extends readonly [string, ...string[]]>(values: T, noun: string) {
  return z.preprocess(
    (value) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]),
    z.array(z.enum(values, { error: `is not a known ${noun}` })).optional(),
  );
}

/** An opaque cursor decoded by `decode`; null from it is a 400 that says to start again. */
export const CURSOR_INVALID = "is not valid; start again from the first page";

export function cursorParam<T>(decode: (token: string) => T | null) {
  return single(
    z.string({ error: CURSOR_INVALID }).transform((value, ctx) => {
      const cursor = decode(value.trim());
      if (cursor === null) {
        ctx.addIssue({ code: "custom", message: CURSOR_INVALID });
        return z.NEVER;
      }
      return cursor;
    }),
  );
}

/** A cursor made for another sort order than the one asked for: the same refusal, with the reason. */
export function refuseCursorOfAnotherSort(ctx: z.RefinementCtx): void {
  ctx.addIssue({ code: "custom", path: ["cursor"], message: `${CURSOR_INVALID} (it belongs to another sort order)` });
}
