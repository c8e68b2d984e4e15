// The portal's one date-time format: ISO-like, 24-hour, always UTC, so a time
// reads the same on every page (explorer, event page, admin, audit console)
// and sorts as text: "2026-11-24 09:30 UTC". Relative times ("in 3 days",
// "5 minutes ago") go beside it where the distance matters more than the
// instant (expiries, last use). Safe on both sides.

export type DateTimePrecision = "date" | "minute" | "second" | "millisecond";

type DateInput = string | Date;

function toDate(input: DateInput): Date | null {
  const date = input instanceof Date ? input : new Date(input);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * "2026-11-24 09:30:12 UTC" (precision "second"), "2026-11-24 09:30 UTC"
 * ("minute", the default), "2026-11-24" ("date"), "… 09:30:12.345 UTC"
 * ("millisecond"). `suffix: false` leaves " UTC" out where a heading says it
 * once (table columns headed "Time (UTC)"). Anything that is not a time: "—".
 */
export function formatDateTime(input: DateInput, options: { precision?: DateTimePrecision; suffix?: boolean } = {}): string {
  const date = toDate(input);
  if (!date) return "—";
  const { precision = "minute", suffix = true } = options;
  const iso = date.toISOString();
  if (precision === "date") return iso.slice(0, 10);
  const length = precision === "minute" ? 16 : precision === "second" ? 19 : 23;
  return `${iso.slice(0, 10)} ${iso.slice(11, length)}${suffix ? " UTC" : ""}`;
}

/** "2026-11-24" */
export function formatDate(input: DateInput): string {
  return formatDateTime(input, { precision: "date" });
}

/**
 * "in 3 days", "5 hours ago", "just now" — relative to `now` (ms): minutes
 * under an hour, hours under two days ("in 36 hours"), days under 60 days,
 * then months (30 days) and years (365 days), rounded.
 */
export function formatRelativeTime(input: DateInput, now: number): string {
  const date = toDate(input);
  if (!date) return "—";
  const delta = date.getTime() - now;
  const distance = Math.abs(delta);
  if (distance < 60_000) return "just now";
  const [unit, size] =
    distance < 3_600_000
      ? ["minute", 60_000]
      : distance < 2 * 86_400_000
        ? ["hour", 3_600_000]
        : distance < 60 * 86_400_000
          ? ["day", 86_400_000]
          : distance < 365 * 86_400_000
            ? ["month", 30 * 86_400_000]
            : ["year", 365 * 86_400_000];
  const count = Math.round(distance / size);
  const text = `${count} ${unit}${count === 1 ? "" : "s"}`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}
