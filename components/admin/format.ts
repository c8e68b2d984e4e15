// Display helpers for the admin console. Times are shown in UTC, in the portal's one format (lib/format/date-time.ts).
import { formatDate as formatDateOnly, formatDateTime as formatDateTimeUtc, formatRelativeTime } from "@/lib/format/date-time";
import { EMPLOYER_LABELS, type Employer, type EmploymentType } from "@/lib/telemetry/vocabulary";
import type { CapabilityDto, GrantState, PersonAccessStatus } from "@/server/data/admin/types";

/** 2026-11-24 */
export function formatDate(iso: string): string {
  return formatDateOnly(iso);
}

/** 2026-11-24 09:30 UTC */
export function formatDateTime(iso: string): string {
  return formatDateTimeUtc(iso);
}

/** "in 3 days", "in 5 hours", "2 days ago" — relative to `now`. */
export function relativeTime(iso: string, now: number): string {
  return formatRelativeTime(iso, now);
}

export function employmentLabel(employer: Employer, type: EmploymentType): string {
  return `${EMPLOYER_LABELS[employer]} ${type}`;
}

export const STATUS_LABELS: Record<PersonAccessStatus, string> = { active: "Active", no_access: "No grant in force", disabled: "Disabled" };
export const STATUS_BADGES: Record<PersonAccessStatus, string> = { active: "badge badge--ok", no_access: "badge badge--warn", disabled: "badge badge--danger" };
export const GRANT_STATE_LABELS: Record<GrantState, string> = { active: "In force", expired: "Expired", revoked: "Revoked" };
export const GRANT_STATE_BADGES: Record<GrantState, string> = { active: "badge badge--ok", expired: "badge", revoked: "badge badge--danger" };

/** A capability's badge: green only when the grants add up to something. */
export const CAPABILITY_BADGES: Record<CapabilityDto["tone"], string> = {
  ok: "badge badge--ok",
  partial: "badge badge--warn",
  none: "badge badge--warn",
  disabled: "badge badge--danger",
};

/** The access list's short status: "Active" only when the grants give something, else why not. */
export function capabilityShortLabel(capability: CapabilityDto): string {
  if (capability.tone === "ok") return "Active";
  if (capability.tone === "partial") return capability.summary.split(";")[0] ?? capability.summary;
  return capability.tone === "disabled" ? "Disabled" : "No grant in force";
}
