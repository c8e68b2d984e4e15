// The `sessions.purge-expired` job against real databases (PGlite always,
// PostgreSQL when TEST_DATABASE_URL is set): which sessions go, that each
// ending is audited with the session's person as actor in the transaction that
// deletes it, and that a session in use or already gone is not audited twice.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "@/server/audit/verify-audit-chain";
import type { Database } from "@/server/db/connect";
import { seededTestTargets } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";
import { purgeExpiredSessions } from "./purge-expired-sessions";

const KEYS = [{ id: "jobs1", key: randomBytes(32) }];
const limits = { idleMinutes: 30, maxHours: 12 };
const HOUR = 3_600_000;

type AuditRow = { request_id: string; actor_email: string | null; actor_person_id: string | null; actor_roles: string[]; outcome: string; reason: string | null; purpose: string | null };

describe.each(seededTestTargets({ label: "jobs_sessions", keys: KEYS }))("purging expired sessions on $name", (target) => {
  let db: Database;

  beforeAll(async () => {
    db = await target.open();
  });

  afterAll(async () => {
    await db?.close();
    await target.dispose();
  });

  const sessionExists = async (token: string) => (await db.prisma.session.count({ where: { sessionToken: token } })) === 1;
  const auditRows = (requestId: string) =>
    db.prisma.$queryRawUnsafe<AuditRow[]>(
      `SELECT request_id, actor_email, actor_person_id::text, actor_roles, outcome::text, reason, purpose::text
         FROM audit_event WHERE action = 'auth.session_expired' AND request_id = $1 ORDER BY id`,
      requestId,
    );

  it("ends idle and too-old sessions, one audit row each naming the person, and keeps live ones", async () => {
    const now = Date.now();
    const idle = await signInForTest(db.prisma, "viewer.copilot@github.example", { createdAt: new Date(now - HOUR), expires: new Date(now - 60_000), purpose: "improve_product" });
    const tooOld = await signInForTest(db.prisma, "admin@github.example", { createdAt: new Date(now - 13 * HOUR), expires: new Date(now + 20 * 60_000) });
    const live = await signInForTest(db.prisma, "auditor@github.example", { createdAt: new Date(now - 10 * 60_000), expires: new Date(now + 20 * 60_000) });
    const viewer = await db.prisma.person.findUniqueOrThrow({ where: { email: "viewer.copilot@github.example" } });
    const admin = await db.prisma.person.findUniqueOrThrow({ where: { email: "admin@github.example" } });

    const requestId = `job:test-${randomBytes(4).toString("hex")}`;
    expect(await purgeExpiredSessions(db.prisma, { limits, requestId })).toEqual({ purged: 2, skipped: 0 });

    expect(await sessionExists(idle)).toBe(false);
    expect(await sessionExists(tooOld)).toBe(false);
    expect(await sessionExists(live)).toBe(true);
    const rows = await auditRows(requestId);
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor_email: "viewer.copilot@github.example",
          actor_person_id: viewer.id,
          actor_roles: ["viewer"],
          outcome: "allowed",
          purpose: "improve_product",
          reason: "idle for more than SESSION_IDLE_MINUTES = 30 min",
        }),
        expect.objectContaining({
          actor_email: "admin@github.example",
          actor_person_id: admin.id,
          actor_roles: ["admin"],
          reason: "reached its absolute lifetime (SESSION_MAX_HOURS = 12 h)",
        }),
      ]),
    );
    expect((await verifyAuditChain(db.prisma)).ok).toBe(true);

    // Nothing left to do: a second run ends nothing and writes nothing.
    const again = `job:test-${randomBytes(4).toString("hex")}`;
    expect(await purgeExpiredSessions(db.prisma, { limits, requestId: again })).toEqual({ purged: 0, skipped: 0 });
    expect(await auditRows(again)).toEqual([]);
  });

  it("reads the absolute lifetime from the limits it is given", async () => {
    const now = Date.now();
    const token = await signInForTest(db.prisma, "viewer.health@github.example", { createdAt: new Date(now - 2 * HOUR), expires: new Date(now + 5 * 60_000) });
    const requestId = `job:test-${randomBytes(4).toString("hex")}`;
    // `expires` already carries the idle limit the session was given; the absolute lifetime is read now.
    expect(await purgeExpiredSessions(db.prisma, { limits: { idleMinutes: 30, maxHours: 3 }, requestId })).toEqual({ purged: 0, skipped: 0 });
    expect(await sessionExists(token)).toBe(true);
    expect(await purgeExpiredSessions(db.prisma, { limits: { idleMinutes: 30, maxHours: 1 }, requestId })).toEqual({ purged: 1, skipped: 0 });
    expect(await sessionExists(token)).toBe(false);
    expect(await auditRows(requestId)).toEqual([expect.objectContaining({ actor_email: "viewer.health@github.example", reason: "reached its absolute lifetime (SESSION_MAX_HOURS = 1 h)" })]);
  });

  // Row locks between two connections need PostgreSQL: the embedded database has one connection.
  if (target.name === "PostgreSQL") {
    it("skips a session another transaction holds, and audits it once when it is free", async () => {
      const now = Date.now();
      const token = await signInForTest(db.prisma, "viewer@microsoft.example", { createdAt: new Date(now - HOUR), expires: new Date(now - 60_000) });
      const requestId = `job:test-${randomBytes(4).toString("hex")}`;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = db.prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM auth_session WHERE session_token = ${token} FOR UPDATE`;
        locked();
        await held;
      });
      await isLocked;
      try {
        expect(await purgeExpiredSessions(db.prisma, { limits, requestId })).toEqual({ purged: 0, skipped: 1 });
        expect(await sessionExists(token)).toBe(true);
      } finally {
        release();
        await holder;
      }
      expect(await purgeExpiredSessions(db.prisma, { limits, requestId })).toEqual({ purged: 1, skipped: 0 });
      expect(await auditRows(requestId)).toHaveLength(1);
    });
  }
});
