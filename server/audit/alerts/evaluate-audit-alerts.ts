// Audit alerts: rules over the trail, evaluated as rows arrive (the
// `audit.alerts` job, every minute).
//
// READING NEW ROWS. Rows of concurrent chains commit in an order their ids do
// not show, so an id cursor would skip a row that commits late. Within one
// chain, though, seq N+1 is written only after the transaction that wrote seq
// N committed (both hold the chain head's row lock until their commit;
// server/audit/write-audit-event.ts), so the committed rows of a chain are
// always a gap-free prefix in seq order. The job keeps one cursor per chain
// (`audit_alert_cursor`) and reads `seq > cursor` per chain: every committed
// row is read exactly once, whatever order the chains commit in. The cursors
// are locked (FOR UPDATE) for the whole evaluation, so instances take turns,
// and they move in the same transaction as the alerts, their audit rows and
// their notifications: a crash re-reads the batch, and the unique key
// (rule, subject, window end) keeps a re-read from alerting twice.
//
// RULES. Each rule counts matching rows of one subject (the person; for
// denials with nobody signed in, the client address) in a sliding window and
// fires when the count is MORE THAN its threshold:
//   bulk_read        events disclosed (event ids per row; an export's row count) per hour
//   content_reveals  content reveals per hour
//   export           telemetry exports per day (default threshold 0: every export)
//   off_hours        disclosures outside the person's working hours, in their time zone (12-hour window)
//   denial_burst     denied requests per ALERT_DENIALS_WINDOW_MINUTES
//   break_glass      every use of an action in ALERT_BREAK_GLASS_ACTIONS
// Windows are evaluated at every matching row within one window of a new row
// (before and after it, so a row that committed late still completes the
// windows it belongs to), and only windows holding a new row can fire. One
// alert per rule, subject and window: after an alert ending at t, the same
// rule and subject fire again only for a window ending after t + window.
//
// EACH ALERT is a row in `audit_alert`, an audit row written by the system
// (`audit.alert_raised`, so the SIEM streaming carries it), and a
// notification (kind audit.alert) to every active auditor and the webhooks.
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import type { AuditAction } from "@/lib/audit/actions";
import { ALERT_RULE_LABELS, ALERT_RULES, describeCount, type AlertRule } from "@/lib/audit/alert-rules";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { grantInForce } from "@/server/access/grant-in-force";
import { writeAuditEvent, type AuditEntry } from "@/server/audit/write-audit-event";
import { Prisma, type PrismaClient } from "@/server/db/generated/client";
import { enqueueNotification, type EnqueueOptions } from "@/server/notify/enqueue";
import { getMetrics } from "@/server/observability/metrics";
import type { AlertConfig, WorkingHours } from "./alert-config";

/** Audit actions that disclose telemetry to their actor. */
export const DISCLOSURE_ACTIONS = ["events.list", "events.view", "events.reveal", "events.export", "events.chart", "events.facets", "events.timeline"] as const satisfies readonly AuditAction[];
const EXPORT_ACTIONS = ["events.export"] as const;
/** Triggering row ids kept on an alert (the count keeps the true number). */
const MAX_IDS_PER_ALERT = 1_000;
/** A bound on the rows one window query reads for one subject. */
const MAX_WINDOW_ROWS = 200_000;

export type AlertEvaluationOptions = {
  config: AlertConfig;
  /** every audit row the run writes carries it (one request id: one chain) */
  requestId: string;
  /** rows read per chain and transaction (default 1,000) */
  batchPerChain?: number;
  /** stop starting new batches after this long (default 50 s) */
  budgetMs?: number;
  now?: () => Date;
  /** the notification configuration (default: the process's) */
  notify?: EnqueueOptions;
};

export type AlertEvaluationResult = { rowsRead: number; alertsRaised: number; batches: number };

type BatchRow = {
  id: bigint;
  chain_id: number;
  seq: bigint;
  occurred_at: Date;
  actor_person_id: string | null;
  actor_email: string | null;
  actor_ip: string | null;
  action: string;
  outcome: string;
};

type WindowRow = { id: bigint; occurred_at: Date; actor_email: string | null; weight: number };

type Subject = { key: string; personId: string | null; ip: string | null; label: string };

type RaisedAlert = {
  rule: AlertRule;
  subject: Subject;
  windowStart: Date;
  windowEnd: Date;
  count: number;
  threshold: number;
  ids: bigint[];
  summary: string;
};

type RuleSpec = {
  rule: AlertRule;
  threshold: number;
  windowMs: number;
  /** the rows this rule counts, as SQL over `audit_event e` and the same in JS */
  where: Prisma.Sql;
  matches(row: Pick<BatchRow, "action" | "outcome">): boolean;
  weight: Prisma.Sql;
  /** denials only: rows without a person count by client address */
  byAddress: boolean;
  /** off_hours: only rows outside the person's working hours count */
  outsideWorkingHours: boolean;
};

const actionList = (actions: readonly string[]) => Prisma.sql`${[...actions]}::text[]`;

function breakGlassMatcher(patterns: readonly string[]): { sql: Prisma.Sql; matches(action: string): boolean } {
  const exact = patterns.filter((pattern) => !pattern.endsWith("*"));
  const prefixes = patterns.filter((pattern) => pattern.endsWith("*")).map((pattern) => pattern.slice(0, -1));
  // LIKE treats _ and % as wildcards: escape them (and the escape character) in the prefix.
  const likes = prefixes.map((prefix) => `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
  return {
    sql: Prisma.sql`(e.action = ANY(${actionList(exact)}) OR e.action LIKE ANY(${actionList(likes)}))`,
    matches: (action) => exact.includes(action) || prefixes.some((prefix) => action.startsWith(prefix)),
  };
}

function ruleSpecs(config: AlertConfig): RuleSpec[] {
  const disclosed = (row: Pick<BatchRow, "action" | "outcome">) => row.outcome === "allowed" && (DISCLOSURE_ACTIONS as readonly string[]).includes(row.action);
  const disclosedSql = Prisma.sql`(e.outcome = 'allowed' AND e.action = ANY(${actionList(DISCLOSURE_ACTIONS)}))`;
  const one = Prisma.sql`1`;
  const breakGlass = breakGlassMatcher(config.breakGlassActions);
  const specs: Record<AlertRule, Omit<RuleSpec, "rule" | "threshold" | "windowMs">> = {
    bulk_read: { where: disclosedSql, matches: disclosed, weight: Prisma.sql`GREATEST(cardinality(e.event_ids), COALESCE(e.row_count, 0))`, byAddress: false, outsideWorkingHours: false },
    content_reveals: {
      where: Prisma.sql`(e.outcome = 'allowed' AND e.action = 'events.reveal')`,
      matches: (row) => row.outcome === "allowed" && row.action === "events.reveal",
      weight: one,
      byAddress: false,
      outsideWorkingHours: false,
    },
    export: {
      where: Prisma.sql`(e.outcome = 'allowed' AND e.action = ANY(${actionList(EXPORT_ACTIONS)}))`,
      matches: (row) => row.outcome === "allowed" && (EXPORT_ACTIONS as readonly string[]).includes(row.action),
      weight: one,
      byAddress: false,
      outsideWorkingHours: false,
    },
    off_hours: { where: disclosedSql, matches: disclosed, weight: one, byAddress: false, outsideWorkingHours: true },
    denial_burst: { where: Prisma.sql`(e.outcome = 'denied')`, matches: (row) => row.outcome === "denied", weight: one, byAddress: true, outsideWorkingHours: false },
    break_glass: {
      where: Prisma.sql`(e.outcome = 'allowed' AND ${breakGlass.sql})`,
      matches: (row) => row.outcome === "allowed" && breakGlass.matches(row.action),
      weight: one,
      byAddress: false,
      outsideWorkingHours: false,
    },
  };
  return ALERT_RULES.flatMap((rule) => {
    const threshold = config.thresholds[rule];
    return threshold === null ? [] : [{ rule, threshold, windowMs: config.windowsMs[rule], ...specs[rule] }];
  });
}

// ─── Working hours ───────────────────────────────────────────────────────────

const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter for the zone, or for UTC when the stored zone is not one the runtime knows. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  } catch {
    return formatterFor("UTC");
  }
  formatters.set(timeZone, format);
  return format;
}

/** True when `instant` falls outside the working hours and days in `timeZone`. */
export function isOutsideWorkingHours(instant: Date, timeZone: string, hours: WorkingHours): boolean {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: string) => parts.find((item) => item.type === type)?.value ?? "";
  const weekday = WEEKDAY_INDEX[part("weekday")] ?? -1;
  const minute = Number(part("hour")) * 60 + Number(part("minute"));
  return !hours.days.includes(weekday) || minute < hours.startMinute || minute >= hours.endMinute;
}

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function describeWindow(spec: RuleSpec, config: AlertConfig, timeZone: string | null): string {
  const minutes = spec.windowMs / 60_000;
  if (spec.rule === "break_glass") return "";
  if (spec.rule === "off_hours") {
    const days = config.workingHours.days.map((day) => DAY_NAMES[day]).join(", ");
    return ` outside working hours (${hhmm(config.workingHours.startMinute)}–${hhmm(config.workingHours.endMinute)}, ${days}; ${timeZone ?? "UTC"})`;
  }
  const span = minutes === 60 ? "an hour" : minutes === 1_440 ? "a day" : minutes % 60 === 0 ? `${minutes / 60} hours` : `${minutes} minutes`;
  return ` within ${span} (more than ${spec.threshold.toLocaleString("en-US")})`;
}

// ─── Evaluation ──────────────────────────────────────────────────────────────

const iso = (date: Date) => date.toISOString();

async function readBatch(tx: Prisma.TransactionClient, batchPerChain: number): Promise<{ rows: BatchRow[]; cursors: Map<number, bigint>; full: boolean }> {
  // New chains (AUDIT_CHAINS raised) start at their beginning.
  await tx.$executeRaw`INSERT INTO audit_alert_cursor (chain_id, seq) SELECT chain_id, 0 FROM audit_chain_head ON CONFLICT (chain_id) DO NOTHING`;
  const cursorRows = await tx.$queryRaw<Array<{ chain_id: number; seq: bigint }>>`SELECT chain_id, seq FROM audit_alert_cursor ORDER BY chain_id FOR UPDATE`;
  const cursors = new Map<number, bigint>();
  const rows: BatchRow[] = [];
  let full = false;
  for (const cursor of cursorRows) {
    const chainRows = await tx.$queryRaw<BatchRow[]>`
      SELECT id, chain_id, seq, occurred_at, actor_person_id::text, actor_email, actor_ip, action, outcome::text
        FROM audit_event
       WHERE chain_id = ${cursor.chain_id} AND seq > ${BigInt(cursor.seq)}
       ORDER BY seq
       LIMIT ${batchPerChain}`;
    if (chainRows.length === batchPerChain) full = true;
    const last = chainRows.at(-1);
    if (last) cursors.set(Number(cursor.chain_id), BigInt(last.seq));
    rows.push(...chainRows);
  }
  return { rows, cursors, full };
}

function subjectOf(row: Pick<BatchRow, "actor_person_id" | "actor_email" | "actor_ip">, byAddress: boolean): Subject | null {
  if (row.actor_person_id) return { key: row.actor_person_id, personId: row.actor_person_id, ip: null, label: row.actor_email ?? row.actor_person_id };
  if (byAddress && row.actor_ip) return { key: `ip:${row.actor_ip}`, personId: null, ip: row.actor_ip, label: row.actor_email ? `${row.actor_email} (${row.actor_ip})` : `an unidentified client at ${row.actor_ip}` };
  return null;
}

async function evaluateSubject(
  tx: Prisma.TransactionClient,
  spec: RuleSpec,
  subject: Subject,
  newRows: BatchRow[],
  config: AlertConfig,
  timeZone: string | null,
): Promise<RaisedAlert[]> {
  const [previous] = await tx.$queryRaw<Array<{ window_end: Date | null }>>`
    SELECT max(window_end) AS window_end FROM audit_alert WHERE rule = ${spec.rule} AND subject_key = ${subject.key}`;
  let lastEnd = previous?.window_end ? new Date(previous.window_end).getTime() : null;
  const times = newRows.map((row) => new Date(row.occurred_at).getTime());
  const latest = Math.max(...times) + spec.windowMs;
  // A window that may still fire ends after lastEnd + window, so it holds only rows after lastEnd.
  const earliest = Math.max(Math.min(...times) - spec.windowMs, lastEnd ?? -Infinity);
  if (lastEnd !== null && latest <= lastEnd + spec.windowMs) return [];
  const subjectSql = subject.personId
    ? Prisma.sql`e.actor_person_id = ${subject.personId}::uuid`
    : Prisma.sql`e.actor_person_id IS NULL AND e.actor_ip = ${subject.ip}`;
  let rows = await tx.$queryRaw<WindowRow[]>`
    SELECT e.id, e.occurred_at, e.actor_email, (${spec.weight})::int AS weight
      FROM audit_event e
     WHERE ${subjectSql} AND ${spec.where}
       AND e.occurred_at >= ${iso(new Date(earliest))}::timestamptz AND e.occurred_at <= ${iso(new Date(latest))}::timestamptz
     ORDER BY e.occurred_at, e.id
     LIMIT ${MAX_WINDOW_ROWS}`;
  if (spec.outsideWorkingHours) rows = rows.filter((row) => isOutsideWorkingHours(new Date(row.occurred_at), timeZone ?? "UTC", config.workingHours));
  if (rows.length === 0) return [];

  const isNew = new Set(newRows.map((row) => String(row.id)));
  const raised: RaisedAlert[] = [];
  let start = 0;
  let sum = 0;
  let newInWindow = 0;
  for (let end = 0; end < rows.length; end += 1) {
    const endRow = rows[end];
    if (!endRow) break;
    const endTime = new Date(endRow.occurred_at).getTime();
    sum += Number(endRow.weight);
    if (isNew.has(String(endRow.id))) newInWindow += 1;
    for (;;) {
      const startRow = rows[start];
      if (!startRow || new Date(startRow.occurred_at).getTime() >= endTime - spec.windowMs) break;
      sum -= Number(startRow.weight);
      if (isNew.has(String(startRow.id))) newInWindow -= 1;
      start += 1;
    }
    const quiet = lastEnd !== null && endTime <= lastEnd + spec.windowMs;
    if (sum > spec.threshold && newInWindow > 0 && !quiet) {
      const window = rows.slice(start, end + 1);
      const label = endRow.actor_email ?? subject.label;
      const who = subject.personId ? label : subject.label;
      raised.push({
        rule: spec.rule,
        subject: { ...subject, label: who },
        windowStart: new Date(rows[start]?.occurred_at ?? endRow.occurred_at),
        windowEnd: new Date(endRow.occurred_at),
        count: sum,
        threshold: spec.threshold,
        ids: window.map((row) => BigInt(row.id)),
        summary: `${ALERT_RULE_LABELS[spec.rule]}: ${who}, ${describeCount(spec.rule, sum)}${describeWindow(spec, config, timeZone)}.`,
      });
      lastEnd = endTime;
    }
  }
  return raised;
}

async function activeAuditorIds(tx: Prisma.TransactionClient, now: Date): Promise<string[]> {
  const auditors = await tx.person.findMany({ where: { status: "active", grants: { some: { role: "auditor", ...grantInForce(now) } } }, select: { id: true } });
  return auditors.map((person) => person.id);
}

const formatUtc = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

async function evaluateBatch(prisma: PrismaClient, options: AlertEvaluationOptions, specs: RuleSpec[]): Promise<{ rowsRead: number; alertsRaised: number; full: boolean; rules: AlertRule[] }> {
  const batchPerChain = options.batchPerChain ?? 1_000;
  const now = options.now ?? (() => new Date());
  return prisma.$transaction(async (tx) => {
    const { rows, cursors, full } = await readBatch(tx, batchPerChain);
    if (rows.length === 0) return { rowsRead: 0, alertsRaised: 0, full: false, rules: [] };

    const raised: RaisedAlert[] = [];
    const timeZones = new Map<string, string>();
    const personIds = [...new Set(rows.map((row) => row.actor_person_id).filter((id): id is string => id !== null))];
    if (specs.some((spec) => spec.outsideWorkingHours) && personIds.length > 0) {
      for (const person of await tx.person.findMany({ where: { id: { in: personIds } }, select: { id: true, timeZone: true } })) timeZones.set(person.id, person.timeZone);
    }
    for (const spec of specs) {
      const bySubject = new Map<string, { subject: Subject; rows: BatchRow[] }>();
      for (const row of rows) {
        if (!spec.matches(row)) continue;
        const subject = subjectOf(row, spec.byAddress);
        if (!subject) continue;
        const entry = bySubject.get(subject.key) ?? { subject, rows: [] };
        entry.rows.push(row);
        bySubject.set(subject.key, entry);
      }
      for (const { subject, rows: newRows } of bySubject.values()) {
        const timeZone = subject.personId ? (timeZones.get(subject.personId) ?? "UTC") : null;
        raised.push(...(await evaluateSubject(tx, spec, subject, newRows, options.config, timeZone)));
      }
    }

    const auditRows: AuditEntry[] = [];
    const rules: AlertRule[] = [];
    if (raised.length > 0) {
      const auditors = await activeAuditorIds(tx, now());
      raised.sort((a, b) => a.windowEnd.getTime() - b.windowEnd.getTime() || a.rule.localeCompare(b.rule));
      for (const alert of raised) {
        const ids = alert.ids.slice(0, MAX_IDS_PER_ALERT);
        const [inserted] = await tx.$queryRaw<Array<{ id: bigint }>>`
          INSERT INTO audit_alert (rule, subject_key, person_id, subject_label, window_start, window_end, count, threshold, audit_event_ids, audit_event_count, summary)
          VALUES (${alert.rule}, ${alert.subject.key}, ${alert.subject.personId}::uuid, ${alert.subject.label},
                  ${iso(alert.windowStart)}::timestamptz, ${iso(alert.windowEnd)}::timestamptz, ${BigInt(alert.count)}, ${BigInt(alert.threshold)},
                  ${ids.map(String)}::text[]::bigint[], ${alert.ids.length}, ${alert.summary})
          ON CONFLICT (rule, subject_key, window_end) DO NOTHING
          RETURNING id`;
        if (!inserted) continue;
        const alertId = String(inserted.id);
        rules.push(alert.rule);
        const window = alert.windowStart.getTime() === alert.windowEnd.getTime() ? `at ${formatUtc(alert.windowEnd)}` : `from ${formatUtc(alert.windowStart)} to ${formatUtc(alert.windowEnd)}`;
        await enqueueNotification(
          tx,
          {
            kind: "audit.alert",
            subject: `Audit alert: ${ALERT_RULE_LABELS[alert.rule]} — ${alert.subject.label}`.slice(0, 200),
            text: `${alert.summary}\n\n${alert.ids.length.toLocaleString("en-US")} audit row${alert.ids.length === 1 ? "" : "s"} ${window}. Open the alert to see them.`,
            link: `/audit/alerts/${alertId}`,
            recipientPersonIds: auditors,
            dedupeKey: `audit-alert:${alertId}`,
          },
          options.notify,
        );
        auditRows.push({
          requestId: options.requestId,
          // Written by the portal itself: no person, no address.
          actor: null,
          actorIp: null,
          actorUserAgent: "telemetry-portal (audit.alerts job)",
          action: "audit.alert_raised",
          outcome: "allowed",
          reason: alert.summary,
          targetType: "audit_alert",
          targetId: alertId,
          rowCount: alert.ids.length,
          after: {
            rule: alert.rule,
            subject: alert.subject.label,
            personId: alert.subject.personId,
            windowStart: alert.windowStart,
            windowEnd: alert.windowEnd,
            count: alert.count,
            threshold: alert.threshold,
            auditEventIds: ids.slice(0, 100).map(String),
          },
        });
      }
    }

    for (const [chainId, seq] of cursors) {
      await tx.$executeRaw`UPDATE audit_alert_cursor SET seq = ${seq}, updated_at = now() WHERE chain_id = ${chainId} AND seq < ${seq}`;
    }
    // Audit rows last: each holds its chain head's lock until the commit.
    for (const entry of auditRows) await writeAuditEvent(tx, entry);
    return { rowsRead: rows.length, alertsRaised: auditRows.length, full, rules };
  }, AUDITED_TRANSACTION);
}

/** Reads the rows committed since the last run and raises the alerts they trigger. Idempotent. */
export async function evaluateAuditAlerts(prisma: PrismaClient, options: AlertEvaluationOptions): Promise<AlertEvaluationResult> {
  const specs = ruleSpecs(options.config);
  const budgetMs = options.budgetMs ?? 50_000;
  const startedAt = Date.now();
  const result: AlertEvaluationResult = { rowsRead: 0, alertsRaised: 0, batches: 0 };
  for (;;) {
    const batch = await evaluateBatch(prisma, options, specs);
    // Counted once committed.
    for (const rule of batch.rules) getMetrics().auditAlerts.inc({ rule });
    result.batches += 1;
    result.rowsRead += batch.rowsRead;
    result.alertsRaised += batch.alertsRaised;
    if (!batch.full || Date.now() - startedAt > budgetMs) return result;
  }
}
