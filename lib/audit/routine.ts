// "Routine" audit rows: the trail's background noise, hidden by the audit
// console (and its API and export) unless `routine=show` is asked for. Safe on
// both sides: the console explains the rule, the data layer turns it into SQL
// (server/data/audit/audit-rows.ts, auditRoutineSql).
//
// Routine means a look-up that discloses no telemetry and changes nothing:
//   - `session.view` with any outcome: the header's and home page's "who am
//     I", including the anonymous look-up refused at every sign-in;
//   - `admin.view` allowed: an admin viewing the access list, a person, the
//     groups or the ingestion keys (every change has its own action);
//   - `audit.search` allowed: the audit console's own searches (one per page
//     view and filter click), and its checkpoint panel (`audit.checkpoints`)
//     SIEM delivery page (`audit.delivery_view`) and alerts list
//     (`audit.alerts_list`).
// Refusals of admin.view and audit.search stay visible: a viewer trying the
// admin or audit console is exactly what an auditor looks for.
import type { AuditAction } from "./actions";
import type { AuditOutcome } from "@/lib/telemetry/vocabulary";

export type RoutineRule = { action: AuditAction; outcomes: readonly AuditOutcome[] | "any"; why: string };

export const ROUTINE_RULES: readonly RoutineRule[] = [
  { action: "session.view", outcomes: "any", why: "own identity look-ups, including the anonymous one at every sign-in" },
  { action: "admin.view", outcomes: ["allowed"], why: "admins viewing the access list" },
  { action: "audit.search", outcomes: ["allowed"], why: "the audit console's own searches" },
  { action: "audit.checkpoints", outcomes: ["allowed"], why: "the audit console's signed-checkpoint panel, read with every page view" },
  { action: "audit.delivery_view", outcomes: ["allowed"], why: "auditors viewing the SIEM delivery status" },
  { action: "audit.alerts_list", outcomes: ["allowed"], why: "auditors viewing the list of alerts" },
];

export const ROUTINE_MODES = ["hide", "show"] as const;
export type RoutineMode = (typeof ROUTINE_MODES)[number];

/** True when a row with this action and outcome is routine (the same rule as the SQL). */
export function isRoutine(action: string, outcome: AuditOutcome): boolean {
  return ROUTINE_RULES.some((rule) => rule.action === action && (rule.outcomes === "any" || rule.outcomes.includes(outcome)));
}
