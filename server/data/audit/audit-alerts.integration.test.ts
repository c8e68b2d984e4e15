// The alerts' data layer through the gate, against real databases: auditors
// list alerts and open one with its triggering rows, each read audited;
// anyone else is refused and the refusal audited; bad input is a 400 naming
// the parameter, an unknown alert a 404.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { evaluateAuditAlerts } from "@/server/audit/alerts/evaluate-audit-alerts";
import { writeAuditEvent } from "@/server/audit/write-audit-event";
import type { Database } from "@/server/db/connect";
import { AppError } from "@/server/http/app-error";
import { signInForTest } from "@/test/sessions";
import { seededTestTargets } from "@/test/test-databases";
import { getAuditAlert, listAuditAlerts } from "./audit-alerts";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 19).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  process.env.ALERT_REVEALS_PER_HOUR = "1";
  return { token: null as string | null, db: null as Database | null, requestId: "" };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest alerts", "x-portal-request-id": state.requestId, "x-portal-client-ip": "127.0.0.1" }),
}));

vi.mock("@/server/db/client", () => ({
  getDatabase: async () => state.db,
  getPrisma: async () => state.db?.prisma,
}));

const KEYS = [{ id: "itk1", key: Buffer.alloc(32, 19) }];

describe.each(seededTestTargets({ label: "alerts_data", keys: KEYS }))("audit alerts in the console's data layer on $name", (target) => {
  let db: Database;
  let alertId: string;
  let triggerIds: string[];

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
    const viewer = await db.prisma.person.findUniqueOrThrow({ where: { email: "viewer.copilot@github.example" } });
    triggerIds = [];
    for (let index = 0; index < 2; index += 1) {
      const written = await db.prisma.$transaction(
        (tx) =>
          writeAuditEvent(tx, {
            requestId: `test-${randomUUID()}`,
            actor: { personId: viewer.id, email: viewer.email, employer: "github", groups: ["copilot_team"], roles: ["viewer"] },
            actorIp: "10.0.0.7",
            actorUserAgent: null,
            action: "events.reveal",
            outcome: "allowed",
            eventIds: [randomUUID()],
          }),
        AUDITED_TRANSACTION,
      );
      triggerIds.push(String(written.id));
    }
    const { loadAlertConfig } = await import("@/server/audit/alerts/alert-config");
    const { parseEnv } = await import("@/server/config/env");
    await evaluateAuditAlerts(db.prisma, { config: loadAlertConfig(parseEnv()), requestId: "job:test-alerts-data" });
    const [alert] = await db.prisma.$queryRaw<Array<{ id: bigint }>>`SELECT id FROM audit_alert WHERE rule = 'content_reveals' AND person_id = ${viewer.id}::uuid`;
    alertId = String(alert?.id);
  });

  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
  });

  const as = async (email: string) => {
    state.token = await signInForTest(db.prisma, email);
    state.requestId = randomUUID();
    return state.requestId;
  };
  const auditOf = (requestId: string) =>
    db.prisma.$queryRaw<Array<{ action: string; outcome: string; actor_email: string | null; target_type: string | null; target_id: string | null; row_count: number | null; reason: string | null }>>`
      SELECT action, outcome::text, actor_email, target_type, target_id, row_count, reason FROM audit_event WHERE request_id = ${requestId} ORDER BY id`;

  it("lists alerts for an auditor, newest first, with the first triggering rows and the rules in force; audited", async () => {
    const requestId = await as("auditor@github.example");
    const list = await listAuditAlerts(new URLSearchParams());
    const alert = list.items.find((item) => item.id === alertId);
    expect(alert).toMatchObject({ rule: "content_reveals", subjectLabel: "viewer.copilot@github.example", count: 2, threshold: 1, triggerCount: 2, triggerIds });
    expect(list.rules).toContainEqual({ rule: "content_reveals", threshold: 1, windowMinutes: 60 });
    expect(await auditOf(requestId)).toEqual([
      expect.objectContaining({ action: "audit.alerts_list", outcome: "allowed", actor_email: "auditor@github.example", target_type: "audit_alert", row_count: list.items.length }),
    ]);
    expect((await listAuditAlerts(new URLSearchParams({ rule: "export" }))).items).toEqual([]);
  });

  it("opens one alert with every row that triggered it; audited with the alert's number", async () => {
    const requestId = await as("auditor@github.example");
    const { alert, triggers } = await getAuditAlert(alertId);
    expect(alert.id).toBe(alertId);
    expect(triggers.map((row) => [row.id, row.action, row.outcome, row.actorEmail, row.eventCount])).toEqual(
      triggerIds.map((id) => [id, "events.reveal", "allowed", "viewer.copilot@github.example", 1]),
    );
    expect(await auditOf(requestId)).toEqual([expect.objectContaining({ action: "audit.alert_view", outcome: "allowed", target_type: "audit_alert", target_id: alertId })]);
  });

  it("refuses everyone but auditors, and audits the refusal", async () => {
    for (const email of ["admin@github.example", "viewer.copilot@github.example"]) {
      const requestId = await as(email);
      await expect(listAuditAlerts(new URLSearchParams())).rejects.toMatchObject({ status: 403 });
      expect(await auditOf(requestId)).toEqual([expect.objectContaining({ action: "audit.alerts_list", outcome: "denied", actor_email: email })]);
      const again = await as(email);
      await expect(getAuditAlert(alertId)).rejects.toMatchObject({ status: 403 });
      expect(await auditOf(again)).toEqual([expect.objectContaining({ action: "audit.alert_view", outcome: "denied" })]);
    }
  });

  it("answers bad input with a 400 naming the parameter, and an unknown alert with a 404", async () => {
    await as("auditor@github.example");
    const refusal = await listAuditAlerts(new URLSearchParams({ rule: "nope" })).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ status: 400, issues: [expect.objectContaining({ path: "rule" })] });
    await expect(listAuditAlerts(new URLSearchParams({ colour: "red" }))).rejects.toMatchObject({ status: 400 });
    await expect(listAuditAlerts(new URLSearchParams({ before: "-1" }))).rejects.toMatchObject({ status: 400 });
    await expect(getAuditAlert("12abc")).rejects.toMatchObject({ status: 400 });
    await expect(getAuditAlert("999999999")).rejects.toMatchObject({ status: 404 });
  });
});
