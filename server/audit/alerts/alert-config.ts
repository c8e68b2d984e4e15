// The alert rules' thresholds and windows, from the environment (ALERT_* in
// server/config/env.ts and the README). A threshold means "more than N in the
// window"; null turns the rule off.
//
// No "server-only": the job runner (scripts/start.ts) evaluates alerts.
import type { AlertRule } from "@/lib/audit/alert-rules";
import type { PortalEnv } from "@/server/config/env";

export type WorkingHours = { startMinute: number; endMinute: number; days: readonly number[] };

export type AlertConfig = {
  thresholds: Record<AlertRule, number | null>;
  windowsMs: Record<AlertRule, number>;
  workingHours: WorkingHours;
  /** audit actions that are a break-glass use; a trailing "*" matches a prefix */
  breakGlassActions: readonly string[];
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export function loadAlertConfig(env: PortalEnv): AlertConfig {
  return {
    thresholds: {
      bulk_read: env.ALERT_BULK_READ_EVENTS_PER_HOUR,
      content_reveals: env.ALERT_REVEALS_PER_HOUR,
      export: env.ALERT_EXPORTS_PER_DAY,
      off_hours: env.ALERT_OFF_HOURS === "on" ? 0 : null,
      denial_burst: env.ALERT_DENIALS,
      break_glass: 0,
    },
    windowsMs: {
      bulk_read: HOUR,
      content_reveals: HOUR,
      export: 24 * HOUR,
      // One alert per person per 12 hours of off-hours activity.
      off_hours: 12 * HOUR,
      denial_burst: env.ALERT_DENIALS_WINDOW_MINUTES * MINUTE,
      // Every use is its own alert.
      break_glass: 0,
    },
    workingHours: { ...env.ALERT_WORKING_HOURS, days: env.ALERT_WORKING_DAYS },
    breakGlassActions: env.ALERT_BREAK_GLASS_ACTIONS,
  };
}
