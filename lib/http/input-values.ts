// The values the portal reads from URLs (query parameters, path segments,
// cursors), checked here once so that nothing malformed reaches the database:
// text PostgreSQL can store (no NUL, no unpaired UTF-16 surrogates), UUIDs in
// their canonical 8-4-4-4-12 form, bigint ids within range, and date-times
// whose every part — the date, the clock and the UTC offset — exists.
// Safe on both sides.
import { z } from "zod";

// ─── Text ────────────────────────────────────────────────────────────────────

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL could not take this text as it is, or null when it can. */
export function textProblem(text: string): string | null {
  if (text.includes("\u0000")) return "must not contain NUL characters";
  if (LONE_SURROGATE.test(text)) return "must not contain unpaired UTF-16 surrogates";
  return null;
}

/** A zod check for textProblem, to chain after z.string(). */
export function refineStorableText(text: string, ctx: z.RefinementCtx): void {
  const problem = textProblem(text);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}

/** Trimmed, non-empty text PostgreSQL can store, at most `max` characters. */
export function storableText(max: number) {
  return z
    .string({ error: "must be text" })
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .superRefine(refineStorableText);
}

// ─── Ids ─────────────────────────────────────────────────────────────────────

/**
 * A UUID in canonical 8-4-4-4-12 hexadecimal form, lower-cased. z.guid()
 * checks the shape only (any version), which is what PostgreSQL's uuid type
 * accepts; a string of 36 dashes is not one.
 */
export function uuidString(message = "must be a UUID") {
  return z
    .string({ error: message })
    .trim()
    .pipe(z.guid(message))
    .transform((id) => id.toLowerCase());
}

export const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** Decimal text of a positive PostgreSQL bigint (1 … 9223372036854775807), without a sign or leading zeros. */
export function isBigintId(text: string): boolean {
  // zod runs every check even after one fails: BigInt() only ever sees digits.
  return /^[1-9]\d{0,18}$/.test(text) && BigInt(text) <= BIGINT_MAX;
}

/** A positive bigint id as decimal text, within range. */
export function bigintIdString(message = "must be a row number") {
  return z
    .string({ error: message })
    .trim()
    .refine(isBigintId, `${message} (1 to ${BIGINT_MAX})`);
}

/** A PostgreSQL `integer` (int4). */
export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;

// ─── Date-times ──────────────────────────────────────────────────────────────

/** UTC offsets PostgreSQL's timestamptz accepts: up to ±15:59. */
export const MAX_OFFSET_HOURS = 15;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

type DateTimeParts = { year: number; month: number; day: number; hour: number; minute: number; second: number; millisecond: number; offsetMinutes: number };

/** Every part exists: a real calendar day, a clock time, an offset within ±15:59. */
function toDate(parts: DateTimeParts, minYear: number): Date | null {
  const { year, month, day, hour, minute, second, millisecond, offsetMinutes } = parts;
  if (year < minYear || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (Math.abs(offsetMinutes) > MAX_OFFSET_HOURS * 60 + 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 19xx
  date.setUTCHours(hour, minute, second, millisecond);
  const time = date.getTime() - offsetMinutes * 60_000;
  return Number.isFinite(time) ? new Date(time) : null;
}

/** "Z", "+02:00", "-0500" → minutes east of UTC; null when the minutes part is out of range. */
function offsetMinutesOf(zone: string | undefined): number | null {
  if (!zone || zone.toUpperCase() === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  return minutes > 59 ? null : sign * (hours * 60 + minutes);
}

const LENIENT_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A date-time typed by a person (query filters): ISO 8601 date or date-time,
 * "T" or a space between, seconds and fraction optional, and an offset
 * (Z, ±hh:mm or ±hhmm, at most ±15:59) or none, which means UTC. Years
 * 1970–9999. Null for anything else, including days and times that do not
 * exist (2026-02-30, 25:00).
 */
export function parseDateTime(value: string): Date | null {
  const match = LENIENT_DATE_TIME.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", fraction = "0", zone] = match;
  const offsetMinutes = offsetMinutesOf(zone);
  if (offsetMinutes === null) return null;
  return toDate(
    {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour: Number(h),
      minute: Number(mi),
      second: Number(s),
      millisecond: Math.floor(Number(`0.${fraction}`) * 1000),
      offsetMinutes,
    },
    1970,
  );
}

const STRICT_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A machine-written timestamp (cursors): `YYYY-MM-DDTHH:MM:SS[.ffffff]` and
 * `Z` or `±HH:MM` (at most ±15:59), every part existing. The text is what
 * PostgreSQL is given, so nothing it would refuse (or read differently) passes.
 */
export function isStrictTimestamp(value: string): boolean {
  const match = STRICT_TIMESTAMP.exec(value);
  if (!match) return false;
  const [, y, mo, d, h, mi, s, , zone] = match;
  const offsetMinutes = offsetMinutesOf(zone);
  if (offsetMinutes === null) return false;
  const parts = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s), millisecond: 0, offsetMinutes };
  return toDate(parts, 1) !== null;
}
