// The auditor console's alerts (server/audit/alerts/): the list, newest
// first, and one alert with the audit rows that triggered it. Auditors only
// (audit.read), each read audited (audit.alerts_list, audit.alert_view).
import "server-only";
import { z } from "zod";
import { ALERT_RULES, type AlertRule } from "@/lib/audit/alert-rules";
import { bigintIdString } from "@/lib/http/input-values";
import { bigintIdParam, enumParam, fromSearchParams, queryObject } from "@/lib/http/query-params";
import { audited } from "@/server/access/audited";
import { loadAlertConfig } from "@/server/audit/alerts/alert-config";
import { getEnv } from "@/server/config/env";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";

export const ALERTS_PAGE_SIZE = 50;

export type AlertTriggerDto = { id: string; occurredAt: string; action: string; outcome: "allowed" | "denied" | "error"; actorEmail: string | null; actorIp: string | null; eventCount: number; rowCount: number | null };

export type AuditAlertDto = {
  id: string;
  rule: AlertRule;
  subjectLabel: string;
  personId: string | null;
  windowStart: string;
  windowEnd: string;
  count: number;
  threshold: number;
  summary: string;
  createdAt: string;
  /** how many rows triggered it, and (list) the first few ids or (detail) every stored one */
  triggerCount: number;
  triggerIds: string[];
};

export type RuleSettingDto = { rule: AlertRule; threshold: number | null; windowMinutes: number };

export type AuditAlertListDto = { items: AuditAlertDto[]; nextBefore: string | null; rules: RuleSettingDto[]; workingHours: { start: string; end: string; days: number[] }; breakGlassActions: string[] };

export type AuditAlertDetailDto = { alert: AuditAlertDto; triggers: AlertTriggerDto[] };

const alertListSchema = fromSearchParams(
  queryObject({
    rule: enumParam(ALERT_RULES),
    before: bigintIdParam("must be an alert number"),
  }),
);

const alertIdSchema = z.strictObject({ id: bigintIdString("must be an alert number") });

type AlertSqlRow = {
  id: bigint;
  rule: string;
  subject_label: string;
  person_id: string | null;
  window_start: Date;
  window_end: Date;
  count: bigint;
  threshold: bigint;
  summary: string;
  created_at: Date;
  audit_event_count: number;
  trigger_ids: bigint[] | null;
};

const LIST_TRIGGER_IDS = 5;

function toAlertDto(row: AlertSqlRow): AuditAlertDto {
  return {
    id: String(row.id),
    rule: (ALERT_RULES as readonly string[]).includes(row.rule) ? (row.rule as AlertRule) : "bulk_read",
    subjectLabel: row.subject_label,
    personId: row.person_id,
    windowStart: new Date(row.window_start).toISOString(),
    windowEnd: new Date(row.window_end).toISOString(),
    count: Number(row.count),
    threshold: Number(row.threshold),
    summary: row.summary,
    createdAt: new Date(row.created_at).toISOString(),
    triggerCount: Number(row.audit_event_count),
    triggerIds: (row.trigger_ids ?? []).map(String),
  };
}

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

export async function listAuditAlerts(input: unknown): Promise<AuditAlertListDto> {
  return audited({ action: "audit.alerts_list", permission: "audit.read", requirePurpose: false, details: { targetType: "audit_alert" } }, async ({ tx }) => {
    const query = parseInput(alertListSchema, input);
    const rows = await tx.$queryRaw<AlertSqlRow[]>`
      SELECT id, rule, subject_label, person_id::text, window_start, window_end, count, threshold, summary, created_at, audit_event_count,
             audit_event_ids[1:${LIST_TRIGGER_IDS}] AS trigger_ids
        FROM audit_alert
       WHERE (${query.rule ?? null}::text IS NULL OR rule = ${query.rule ?? null})
         AND (${query.before ?? null}::bigint IS NULL OR id < ${query.before ?? null}::bigint)
       ORDER BY id DESC
       LIMIT ${ALERTS_PAGE_SIZE + 1}`;
    const items = rows.slice(0, ALERTS_PAGE_SIZE).map(toAlertDto);
    const config = loadAlertConfig(getEnv());
    return {
      value: {
        items,
        nextBefore: rows.length > ALERTS_PAGE_SIZE ? (items.at(-1)?.id ?? null) : null,
        rules: ALERT_RULES.map((rule) => ({ rule, threshold: config.thresholds[rule], windowMinutes: config.windowsMs[rule] / 60_000 })),
        workingHours: { start: hhmm(config.workingHours.startMinute), end: hhmm(config.workingHours.endMinute), days: [...config.workingHours.days] },
        breakGlassActions: [...config.breakGlassActions],
      },
      audit: { filters: { rule: query.rule ?? null, page: query.before ? "older" : "first" }, rowCount: items.length },
    };
  });
}

export async function getAuditAlert(id: unknown): Promise<AuditAlertDetailDto> {
  return audited({ action: "audit.alert_view", permission: "audit.read", requirePurpose: false, details: { targetType: "audit_alert" } }, async ({ tx }) => {
    const { id: alertId } = parseInput(alertIdSchema, { id });
    const [row] = await tx.$queryRaw<AlertSqlRow[]>`
      SELECT id, rule, subject_label, person_id::text, window_start, window_end, count, threshold, summary, created_at, audit_event_count,
             audit_event_ids AS trigger_ids
        FROM audit_alert WHERE id = ${alertId}::bigint`;
    if (!row) throw new AppError("not_found", `There is no alert ${alertId}.`);
    const alert = toAlertDto(row);
    const triggers = await tx.$queryRaw<Array<{ id: bigint; occurred_at: Date; action: string; outcome: AlertTriggerDto["outcome"]; actor_email: string | null; actor_ip: string | null; event_count: number; row_count: number | null }>>`
      SELECT id, occurred_at, action, outcome::text, actor_email, actor_ip, cardinality(event_ids) AS event_count, row_count
        FROM audit_event WHERE id = ANY(${alert.triggerIds}::text[]::bigint[])
       ORDER BY occurred_at, id`;
    return {
      value: {
        alert,
        triggers: triggers.map((trigger) => ({
          id: String(trigger.id),
          occurredAt: new Date(trigger.occurred_at).toISOString(),
          action: trigger.action,
          outcome: trigger.outcome,
          actorEmail: trigger.actor_email,
          actorIp: trigger.actor_ip,
          eventCount: Number(trigger.event_count),
          rowCount: trigger.row_count === null ? null : Number(trigger.row_count),
        })),
      },
      audit: { targetId: alertId },
    };
  });
}
