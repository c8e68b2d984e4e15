// Audit alerts against real databases (PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set, as the runtime role): each rule fires on the rows
// it watches and not on others; each alert is a row, an audit row written by
// the system and a notification to the active auditors; re-running raises
// nothing twice; and (PostgreSQL) a row that commits late on another chain is
// still read.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AlertRule } from "@/lib/audit/alert-rules";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { verifyAuditChain } from "@/server/audit/verify-audit-chain";
import { pickChain, writeAuditEvent, type AuditEntry } from "@/server/audit/write-audit-event";
import type { Database } from "@/server/db/connect";
import { webhookId, type NotifyConfig } from "@/server/notify/notify-config";
import { getMetrics } from "@/server/observability/metrics";
import { seededTestTargets } from "@/test/test-databases";
import type { AlertConfig } from "./alert-config";
import { evaluateAuditAlerts } from "./evaluate-audit-alerts";

const KEYS = [{ id: "alerts1", key: randomBytes(32) }];
const HOOK = "https://hooks.example/alerts";
const NOTIFY: NotifyConfig = {
  portalUrl: "https://portal.test",
  email: { smtp: { host: "127.0.0.1", port: 2525, secure: false, requireTls: false, auth: null }, from: "portal@portal.test" },
  webhooks: [{ id: webhookId(HOOK), url: HOOK }],
  webhookSecret: null,
  maxAttempts: 3,
  retryBaseSeconds: 30,
  retryMaxSeconds: 3_600,
  retentionDays: 30,
};
const OFF: Record<AlertRule, number | null> = { bulk_read: null, content_reveals: null, export: null, off_hours: null, denial_burst: null, break_glass: null };
const HOUR = 3_600_000;

function configWith(thresholds: Partial<Record<AlertRule, number>>, overrides: Partial<AlertConfig> = {}): AlertConfig {
  return {
    thresholds: { ...OFF, ...thresholds },
    windowsMs: { bulk_read: HOUR, content_reveals: HOUR, export: 24 * HOUR, off_hours: 12 * HOUR, denial_burst: 10 * 60_000, break_glass: 0 },
    workingHours: { startMinute: 9 * 60, endMinute: 17 * 60, days: [0, 1, 2, 3, 4, 5, 6] },
    breakGlassActions: [],
    ...overrides,
  };
}

/** An Etc/GMT zone in which it is now about `hour` o'clock (Etc/GMT-5 is UTC+5). */
function zoneWhereItIs(hour: number): string {
  let offset = (hour - new Date().getUTCHours() + 24) % 24;
  if (offset > 14) offset -= 24;
  return offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}

type AlertRow = { id: bigint; rule: string; subject_key: string; person_id: string | null; subject_label: string; count: bigint; threshold: bigint; audit_event_ids: bigint[]; audit_event_count: number; summary: string };

describe.each(seededTestTargets({ label: "alerts", keys: KEYS }))("audit alerts on $name", (target) => {
  let db: Database;
  let auditorId: string;
  let run = 0;

  beforeAll(async () => {
    db = await target.open();
    auditorId = (await db.prisma.person.findUniqueOrThrow({ where: { email: "auditor@github.example" } })).id;
  });

  afterAll(async () => {
    await db?.close();
    await target.dispose();
  });

  const evaluate = (config: AlertConfig) => evaluateAuditAlerts(db.prisma, { config, requestId: `job:test-${(run += 1)}`, notify: { config: NOTIFY } });

  beforeEach(async () => {
    // Whatever earlier tests wrote is read with every rule off: each test judges only its own rows.
    await evaluate(configWith({}));
  });

  /** A fresh person on the access list, so each test has subjects of its own. */
  async function person(timeZone = "UTC") {
    const suffix = randomBytes(4).toString("hex");
    return db.prisma.person.create({ data: { name: `Test ${suffix}`, email: `person.${suffix}@github.example`, employer: "github", employmentType: "employee", timeZone } });
  }

  async function write(actor: { id: string; email: string } | null, entry: Partial<AuditEntry> & Pick<AuditEntry, "action" | "outcome">, requestId = `test-${randomUUID()}`) {
    return db.prisma.$transaction(
      (tx) =>
        writeAuditEvent(tx, {
          requestId,
          actor: actor ? { personId: actor.id, email: actor.email, employer: "github", groups: ["copilot_team"], roles: ["viewer"] } : null,
          actorIp: "10.1.2.3",
          actorUserAgent: "test",
          purpose: actor ? "improve_product" : null,
          ...entry,
        }),
      AUDITED_TRANSACTION,
    );
  }

  const alertsFor = (subjectKey: string) =>
    db.prisma.$queryRaw<AlertRow[]>`
      SELECT id, rule, subject_key, person_id::text, subject_label, count, threshold, audit_event_ids, audit_event_count, summary
        FROM audit_alert WHERE subject_key = ${subjectKey} ORDER BY id`;

  const uuids = (count: number) => Array.from({ length: count }, () => randomUUID());

  it("bulk reads: more than N events disclosed by one person within an hour; one alert, audited by the system, notified to every active auditor", async () => {
    const viewer = await person();
    const quiet = await person();
    const rows = [];
    for (let page = 0; page < 3; page += 1) rows.push(await write(viewer, { action: "events.list", outcome: "allowed", eventIds: uuids(50), rowCount: 50 }));
    await write(quiet, { action: "events.list", outcome: "allowed", eventIds: uuids(50), rowCount: 50 });
    await write(quiet, { action: "events.export", outcome: "allowed", rowCount: 40 });

    const config = configWith({ bulk_read: 120 });
    const counted = async () => (await getMetrics().auditAlerts.get()).values.find((value) => value.labels.rule === "bulk_read")?.value ?? 0;
    const countedBefore = await counted();
    expect(await evaluate(config)).toMatchObject({ alertsRaised: 1 });
    expect(await counted()).toBe(countedBefore + 1);
    const [alert, ...more] = await alertsFor(viewer.id);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rule: "bulk_read", person_id: viewer.id, subject_label: viewer.email, count: 150n, threshold: 120n, audit_event_count: 3 });
    expect(alert?.audit_event_ids.map(String)).toEqual(rows.map((row) => String(row.id)));
    expect(alert?.summary).toBe(`Bulk read: ${viewer.email}, 150 events disclosed within an hour (more than 120).`);
    expect(await alertsFor(quiet.id)).toEqual([]);

    // The system's audit row, for the SIEM and the console.
    const [audit] = await db.prisma.$queryRaw<Array<{ actor_email: string | null; outcome: string; reason: string; target_type: string; target_id: string; after: Record<string, unknown> }>>`
      SELECT actor_email, outcome::text, reason, target_type, target_id, after FROM audit_event WHERE action = 'audit.alert_raised' AND target_id = ${String(alert?.id)}`;
    expect(audit).toMatchObject({ actor_email: null, outcome: "allowed", reason: alert?.summary, target_type: "audit_alert" });
    expect(audit?.after).toMatchObject({ rule: "bulk_read", personId: viewer.id, count: 150, threshold: 120, auditEventIds: rows.map((row) => String(row.id)) });

    // Notified: the active auditor by e-mail (not the admin, not the viewer), and the webhook.
    const outbox = await db.prisma.notificationOutbox.findMany({ where: { dedupeKey: `audit-alert:${alert?.id}` }, orderBy: { channel: "asc" } });
    expect(outbox.map((row) => [row.channel, row.recipient, row.kind, row.link])).toEqual([
      ["email", "auditor@github.example", "audit.alert", `/audit/alerts/${alert?.id}`],
      ["webhook", webhookId(HOOK), "audit.alert", `/audit/alerts/${alert?.id}`],
    ]);
    expect(outbox[0]?.recipientPersonId).toBe(auditorId);
    expect(outbox[0]?.subject).toBe(`Audit alert: Bulk read — ${viewer.email}`);

    // More reading in the same hour: the same window, no second alert. Nothing is read twice.
    await write(viewer, { action: "events.list", outcome: "allowed", eventIds: uuids(50), rowCount: 50 });
    expect(await evaluate(config)).toMatchObject({ alertsRaised: 0 });
    expect(await evaluate(config)).toMatchObject({ rowsRead: 0, alertsRaised: 0 });
    expect(await alertsFor(viewer.id)).toHaveLength(1);
    expect((await verifyAuditChain(db.prisma)).ok).toBe(true);
  });

  it("bulk reads count an export's rows", async () => {
    const viewer = await person();
    await write(viewer, { action: "events.export", outcome: "allowed", rowCount: 5_001, fileSha256: "a".repeat(64) });
    await evaluate(configWith({ bulk_read: 5_000 }));
    expect((await alertsFor(viewer.id)).map((alert) => [alert.rule, alert.count])).toEqual([["bulk_read", 5_001n]]);
  });

  it("content reveals over the threshold within an hour", async () => {
    const busy = await person();
    const calm = await person();
    for (let index = 0; index < 3; index += 1) await write(busy, { action: "events.reveal", outcome: "allowed", eventIds: uuids(1) });
    for (let index = 0; index < 2; index += 1) await write(calm, { action: "events.reveal", outcome: "allowed", eventIds: uuids(1) });
    await write(calm, { action: "events.reveal", outcome: "denied", eventIds: uuids(1) });
    await evaluate(configWith({ content_reveals: 2 }));
    expect((await alertsFor(busy.id)).map((alert) => [alert.rule, alert.count, alert.audit_event_count])).toEqual([["content_reveals", 3n, 3]]);
    expect(await alertsFor(calm.id)).toEqual([]);
  });

  it("exports: every telemetry export by default (more than 0 a day), not a refused one", async () => {
    const exporter = await person();
    const refused = await person();
    await write(exporter, { action: "events.export", outcome: "allowed", rowCount: 12, fileSha256: "b".repeat(64) });
    await write(refused, { action: "events.export", outcome: "denied" });
    await write(refused, { action: "audit.export", outcome: "allowed", rowCount: 3 });
    await evaluate(configWith({ export: 0 }));
    const [alert] = await alertsFor(exporter.id);
    expect(alert).toMatchObject({ rule: "export", count: 1n });
    expect(alert?.summary).toBe(`Telemetry export: ${exporter.email}, 1 export within a day (more than 0).`);
    expect(await alertsFor(refused.id)).toEqual([]);
  });

  it("access outside the person's working hours, in their time zone", async () => {
    const night = await person(zoneWhereItIs(3));
    const day = await person(zoneWhereItIs(12));
    await write(night, { action: "events.view", outcome: "allowed", eventIds: uuids(1) });
    await write(night, { action: "session.view", outcome: "allowed" }); // not a disclosure
    await write(day, { action: "events.view", outcome: "allowed", eventIds: uuids(1) });
    await evaluate(configWith({ off_hours: 0 }));
    const [alert, ...more] = await alertsFor(night.id);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rule: "off_hours", count: 1n, audit_event_count: 1 });
    expect(alert?.summary).toContain(`outside working hours (09:00–17:00, Sun, Mon, Tue, Wed, Thu, Fri, Sat; ${night.timeZone})`);
    expect(await alertsFor(day.id)).toEqual([]);

    // Working hours that cover the night person's hour: nothing new.
    const later = await person(zoneWhereItIs(3));
    await write(later, { action: "events.view", outcome: "allowed", eventIds: uuids(1) });
    await evaluate(configWith({ off_hours: 0 }, { workingHours: { startMinute: 0, endMinute: 24 * 60, days: [0, 1, 2, 3, 4, 5, 6] } }));
    expect(await alertsFor(later.id)).toEqual([]);
  });

  it("bursts of denials, by person or, with nobody signed in, by address; again once the window has passed", async () => {
    const prober = await person();
    for (let index = 0; index < 4; index += 1) await write(prober, { action: "events.view", outcome: "denied", reason: "forbidden" });
    const ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let index = 0; index < 4; index += 1) await write(null, { action: "request.refused", outcome: "denied", actorIp: ip });
    const config = configWith({ denial_burst: 3 }, {});
    await evaluate(config);
    expect((await alertsFor(prober.id)).map((alert) => [alert.rule, alert.count])).toEqual([["denial_burst", 4n]]);
    const [byAddress] = await alertsFor(`ip:${ip}`);
    expect(byAddress).toMatchObject({ rule: "denial_burst", person_id: null, subject_label: `an unidentified client at ${ip}`, count: 4n });

    // A short window: a new burst after it has passed is a new alert.
    const short = { ...config, windowsMs: { ...config.windowsMs, denial_burst: 1_000 } };
    const burst = async () => {
      for (let index = 0; index < 4; index += 1) await write(prober, { action: "events.view", outcome: "denied" });
    };
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await burst();
    await evaluate(short);
    expect(await alertsFor(prober.id)).toHaveLength(2);
  });

  it("every use of a break-glass action (exact names and prefixes from the configuration)", async () => {
    const oncall = await person();
    await write(oncall, { action: "admin.bootstrap", outcome: "allowed" });
    await write(oncall, { action: "admin.ingestion_key_create", outcome: "allowed" });
    await write(oncall, { action: "admin.ingestion_key_revoke", outcome: "denied" });
    await write(oncall, { action: "admin.grant_create", outcome: "allowed" });
    await evaluate(configWith({}, { thresholds: { ...OFF, break_glass: 0 }, breakGlassActions: ["admin.bootstrap", "admin.ingestion_key_*"] }));
    const alerts = await alertsFor(oncall.id);
    expect(alerts.map((alert) => [alert.rule, alert.count, alert.audit_event_count])).toEqual([
      ["break_glass", 1n, 1],
      ["break_glass", 1n, 1],
    ]);
    expect(alerts[0]?.summary).toBe(`Break-glass use: ${oncall.email}, 1 break-glass use.`);
  });

  it("raises nothing for a rule that is off", async () => {
    const viewer = await person();
    for (let index = 0; index < 5; index += 1) await write(viewer, { action: "events.reveal", outcome: "allowed", eventIds: uuids(1) });
    await evaluate(configWith({ content_reveals: 10, bulk_read: 100 }));
    expect(await alertsFor(viewer.id)).toEqual([]);
  });

  // Two connections at once: PostgreSQL only (the embedded database has one).
  if (target.name === "PostgreSQL") {
    it("reads a row that commits after rows of another chain that were already read", async () => {
      const viewer = await person();
      const config = configWith({ content_reveals: 1 });
      // Two request ids on different chains.
      const early = `test-${randomUUID()}`;
      let late = `test-${randomUUID()}`;
      while (pickChain(late, 8) === pickChain(early, 8)) late = `test-${randomUUID()}`;

      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let written!: () => void;
      const isWritten = new Promise<void>((resolve) => (written = resolve));
      // The lower id, still uncommitted…
      const holder = db.prisma.$transaction(async (tx) => {
        await writeAuditEvent(tx, { requestId: early, actor: { personId: viewer.id, email: viewer.email, employer: "github", groups: [], roles: ["viewer"] }, actorIp: null, actorUserAgent: null, action: "events.reveal", outcome: "allowed", eventIds: uuids(1) });
        written();
        await held;
      }, AUDITED_TRANSACTION);
      await isWritten;
      // …while a higher id on another chain commits and is read.
      const second = await write(viewer, { action: "events.reveal", outcome: "allowed", eventIds: uuids(1) }, late);
      expect(await evaluate(config)).toMatchObject({ alertsRaised: 0 });
      release();
      await holder;
      // The late row is read next time, and completes the window.
      expect(await evaluate(config)).toMatchObject({ alertsRaised: 1 });
      const [alert] = await alertsFor(viewer.id);
      expect(alert?.count).toBe(2n);
      expect(alert?.audit_event_ids.map(String)).toContain(String(second.id));
    });
  }
});
