// The audit alert rules (server/audit/alerts/), as data: what each watches and
// how the console names it. Thresholds are configuration (ALERT_* in the
// README). Safe on both sides.

export const ALERT_RULES = ["bulk_read", "content_reveals", "export", "off_hours", "denial_burst", "break_glass"] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export const ALERT_RULE_LABELS: Record<AlertRule, string> = {
  bulk_read: "Bulk read",
  content_reveals: "Content reveals",
  export: "Telemetry export",
  off_hours: "Outside working hours",
  denial_burst: "Burst of denials",
  break_glass: "Break-glass use",
};

/** What was counted, for "count" columns: "6,000 events disclosed". */
export const ALERT_RULE_UNITS: Record<AlertRule, [singular: string, plural: string]> = {
  bulk_read: ["event disclosed", "events disclosed"],
  content_reveals: ["content reveal", "content reveals"],
  export: ["export", "exports"],
  off_hours: ["access outside working hours", "accesses outside working hours"],
  denial_burst: ["denied request", "denied requests"],
  break_glass: ["break-glass use", "break-glass uses"],
};

export function describeCount(rule: AlertRule, count: number): string {
  const [singular, plural] = ALERT_RULE_UNITS[rule];
  return `${count.toLocaleString("en-US")} ${count === 1 ? singular : plural}`;
}
