// When an event happened, as the sender says: an ISO 8601 date-time (with a
// time zone or "Z"). Refused when it is not one, lies before 2000, or more
// than a day in the future (a broken clock would pin it to the top of every
// time-sorted list).
import "server-only";

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const FUTURE_TOLERANCE_MS = 86_400_000;

export function parseEventTime(text: string, now: Date): { ok: true; value: Date } | { ok: false; message: string } {
  const trimmed = text.trim();
  const ms = ISO_DATE_TIME.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (!Number.isFinite(ms)) return { ok: false, message: "must be an ISO 8601 date-time with a time zone, e.g. 2026-11-24T10:15:00.000Z" };
  if (ms < EARLIEST_MS) return { ok: false, message: "lies before the year 2000" };
  if (ms > now.getTime() + FUTURE_TOLERANCE_MS) return { ok: false, message: "lies more than a day in the future" };
  return { ok: true, value: new Date(ms) };
}
