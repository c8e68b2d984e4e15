// What a person can actually do with the grants in force, in words: the
// admin console's status badge and the person's own "My access" page say
// "Can browse telemetry", or why a grant gives nothing ("Role without a
// group: sees nothing"), never a green "Active" for someone who sees nothing.
// Safe on both sides; the policy (./policy.ts) still decides every request.
import { GROUP_LABELS, type GroupKey, type Role } from "@/lib/telemetry/vocabulary";

const DAY_MS = 86_400_000;

export type Capability = {
  /** ok: the grants add up to something; partial: some grant gives nothing alone; none: nothing in force; disabled */
  tone: "ok" | "partial" | "none" | "disabled";
  summary: string;
  /** "expires in 5 days", "expired on 2026-11-29", …; null when there is nothing to say */
  expiry: string | null;
};

export type CapabilityFacts = {
  personStatus: "active" | "disabled";
  /** groups and roles of the grants in force (a telemetry grant counts as its group and the viewer role) */
  groups: readonly GroupKey[];
  roles: readonly Role[];
  /** the earliest expiry among the grants in force */
  nextExpiry: Date | null;
  /** the latest expiry among grants that ran out (not revoked), if any */
  lastExpiredAt?: Date | null;
};

/** "expires in 5 days", "expires in 7 hours", "expires within the hour". */
export function expiresIn(expiresAt: Date, now: Date): string {
  const ms = expiresAt.getTime() - now.getTime();
  if (ms <= 0) return `expired on ${expiresAt.toISOString().slice(0, 10)}`;
  const days = Math.floor(ms / DAY_MS);
  if (days >= 1) return `expires in ${days} day${days === 1 ? "" : "s"}`;
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 1 ? `expires in ${hours} hour${hours === 1 ? "" : "s"}` : "expires within the hour";
}

export function capabilityOf(facts: CapabilityFacts, now: Date): Capability {
  if (facts.personStatus === "disabled") return { tone: "disabled", summary: "Disabled: sees nothing", expiry: null };
  const groups = [...new Set(facts.groups)];
  const roles = new Set(facts.roles);
  const parts: string[] = [];
  let partial = false;
  if (roles.has("viewer") && groups.length > 0) parts.push(`Can browse telemetry (${groups.map((group) => GROUP_LABELS[group]).join(", ")})`);
  else if (roles.has("viewer")) {
    parts.push("Role without a group: sees nothing");
    partial = true;
  } else if (groups.length > 0) {
    parts.push("Group without the viewer role: sees nothing");
    partial = true;
  }
  if (roles.has("admin")) parts.push("Manages the access list");
  if (roles.has("auditor")) parts.push("Reads the audit trail");
  if (parts.length === 0 || !facts.nextExpiry) {
    const expired = facts.lastExpiredAt ? `expired on ${facts.lastExpiredAt.toISOString().slice(0, 10)}` : null;
    return { tone: "none", summary: "No grant in force: sees nothing", expiry: expired };
  }
  // Sentence case after the first part.
  const summary = parts.map((part, index) => (index === 0 ? part : part.charAt(0).toLowerCase() + part.slice(1))).join("; ");
  return { tone: partial ? "partial" : "ok", summary, expiry: expiresIn(facts.nextExpiry, now) };
}
