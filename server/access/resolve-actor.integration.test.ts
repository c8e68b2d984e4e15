// resolveActor against a real database: a fresh embedded PGlite always, and a
// fresh PostgreSQL database (tp_it_<random>, dropped afterwards) when
// TEST_DATABASE_URL names a server. It decides, on every request, who is
// behind a session cookie and which grants are in force *now*: expired and
// revoked grants do not count, a disabled person or a person not on the list
// gets no actor, and sessions end after the idle timeout or the absolute
// lifetime, whichever comes first, while activity rolls the idle expiry forward.
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_GROUP_SCOPES } from "@/lib/access/policy";
import { EVENT_KINDS, GROUP_KEYS, type GroupKey, type Role } from "@/lib/telemetry/vocabulary";
import { connectDatabase, type Database } from "@/server/db/connect";
import { migrateDatabase } from "@/server/db/migrate";
import type { PrismaClient } from "@/server/db/generated/client";
import { resolveActor, type ActorResolution, type SessionLimits } from "./resolve-actor";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LIMITS: SessionLimits = { idleMinutes: 30, maxHours: 12 };
/** A fixed clock: every test passes it to resolveActor. */
const NOW = new Date("2026-11-24T12:00:00.000Z");

type Target = { name: string; open(): Promise<Database>; dispose(): Promise<void> };

async function embeddedTarget(): Promise<Target> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tp-actor-it-"));
  const dataDir = path.join(root, "pglite");
  await migrateDatabase({ env: { ...process.env, DATABASE_URL: "", DATA_DIR: root, PGLITE_DATA_DIR: dataDir }, log: () => {} });
  return {
    name: "embedded PGlite",
    open: () => connectDatabase({ pgliteDataDir: dataDir }),
    dispose: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function postgresTarget(serverUrl: string): Promise<Target> {
  const database = `tp_it_${randomBytes(6).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${database}`);
  const url = withDatabase(serverUrl, database);
  await migrateDatabase({ env: { ...process.env, DATABASE_URL: url }, log: () => {} });
  return {
    name: "PostgreSQL",
    open: () => connectDatabase({ databaseUrl: url, pgliteDataDir: "", poolSize: 2 }),
    dispose: () => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  };
}

const targets: Array<() => Promise<Target>> = [embeddedTarget];
if (process.env.TEST_DATABASE_URL) targets.push(() => postgresTarget(process.env.TEST_DATABASE_URL!));

for (const makeTarget of targets) {
  describe(`resolveActor on ${makeTarget === embeddedTarget ? "embedded PGlite" : "PostgreSQL"}`, () => {
    let target: Target;
    let db: Database;
    let prisma: PrismaClient;

    const resolve = (token: string | null, now = NOW, limits = LIMITS): Promise<ActorResolution> =>
      prisma.$transaction((tx) => resolveActor(tx, token, limits, now));

    /** A person on the list (or just an identity, when `listed` is false) with a live session. */
    async function personWithSession(options: {
      grants?: Array<{ group?: GroupKey; role?: Role; expiresAt?: Date; revokedAt?: Date }>;
      status?: "active" | "disabled";
      listed?: boolean;
      session?: { createdAt?: Date; expires?: Date; purpose?: "improve_product" | "other"; purposeDetail?: string };
      userEmail?: (email: string) => string;
    }) {
      const email = `person-${randomUUID()}@github.example`;
      const subject = `subject-${randomUUID()}`;
      let personId: string | null = null;
      if (options.listed !== false) {
        const person = await prisma.person.create({
          data: {
            name: "Test Person",
            email,
            employer: "github",
            employmentType: "employee",
            status: options.status ?? "active",
            oidcIssuer: "demo",
            oidcSubject: subject,
            boundAt: NOW,
          },
        });
        personId = person.id;
        for (const grant of options.grants ?? []) {
          await prisma.grant.create({
            data: {
              personId: person.id,
              groupKey: grant.group ?? null,
              role: grant.role ?? null,
              justification: "integration test",
              grantedAt: new Date(NOW.getTime() - 30 * DAY),
              expiresAt: grant.expiresAt ?? new Date(NOW.getTime() + 30 * DAY),
              revokedAt: grant.revokedAt ?? null,
            },
          });
        }
      }
      const user = await prisma.user.create({
        data: {
          email: options.userEmail ? options.userEmail(email) : email,
          name: "Test Person",
          accounts: { create: { type: "oidc", provider: "demo", providerAccountId: subject } },
        },
      });
      const sessionToken = randomUUID();
      await prisma.session.create({
        data: {
          sessionToken,
          userId: user.id,
          createdAt: options.session?.createdAt ?? new Date(NOW.getTime() - HOUR),
          expires: options.session?.expires ?? new Date(NOW.getTime() + 20 * MINUTE),
          purpose: options.session?.purpose ?? null,
          purposeDetail: options.session?.purposeDetail ?? null,
        },
      });
      return { email, personId, sessionToken };
    }

    const sessionRow = (sessionToken: string) => prisma.session.findUnique({ where: { sessionToken } });
    const VIEWER_IN_COPILOT = [{ group: "copilot_team" as const }, { role: "viewer" as const }];

    beforeAll(async () => {
      target = await makeTarget();
      db = await target.open();
      prisma = db.prisma;
      for (const key of GROUP_KEYS) {
        const scope = DEFAULT_GROUP_SCOPES[key];
        await prisma.accessGroup.create({
          data: { key, name: key, description: key, eventKinds: [...scope.eventKinds], fieldClasses: [...scope.fieldClasses] },
        });
      }
    });

    afterAll(async () => {
      await db?.close();
      await target?.dispose();
    });

    beforeEach(async () => {
      // every test edits platform_health's scope back to the default if it changed it
      const scope = DEFAULT_GROUP_SCOPES.platform_health;
      await prisma.accessGroup.update({ where: { key: "platform_health" }, data: { eventKinds: [...scope.eventKinds], fieldClasses: [...scope.fieldClasses] } });
    });

    it("has no actor without a session cookie or for an unknown session", async () => {
      expect(await resolve(null)).toEqual({ status: "anonymous", reason: "no-session" });
      expect(await resolve(randomUUID())).toEqual({ status: "anonymous", reason: "no-session" });
    });

    it("resolves a listed person with grants in force: roles, groups, scope, purpose and the earliest grant expiry", async () => {
      const soon = new Date(NOW.getTime() + 5 * DAY);
      const { email, personId, sessionToken } = await personWithSession({
        grants: [{ group: "copilot_team", expiresAt: soon }, { role: "viewer" }],
        session: { purpose: "other", purposeDetail: "Checking the latency regression." },
      });
      const resolution = await resolve(sessionToken);
      expect(resolution.status).toBe("active");
      if (resolution.status !== "active") return;
      expect(resolution.actor).toMatchObject({
        personId,
        email,
        employer: "github",
        roles: ["viewer"],
        groups: ["copilot_team"],
        purpose: "other",
        purposeDetail: "Checking the latency regression.",
        sessionToken,
        grantExpiresAt: soon,
      });
      expect(Object.keys(resolution.actor.scope).sort()).toEqual([...EVENT_KINDS].sort());
    });

    it("finds the person by the identity bound to them, not by the e-mail on the user row", async () => {
      // The user row names a different listed person with wider grants: that e-mail confers nothing.
      const other = await personWithSession({ grants: [{ role: "admin" }] });
      const { personId, sessionToken } = await personWithSession({ grants: VIEWER_IN_COPILOT, userEmail: () => `other-${other.email}` });
      const resolution = await resolve(sessionToken);
      expect(resolution.status === "active" && resolution.actor.personId).toBe(personId);
      expect(resolution.status === "active" && resolution.actor.roles).toEqual(["viewer"]);
    });

    it("refuses a user holding two identities (an account linked in a shared browser)", async () => {
      const a = await personWithSession({ grants: VIEWER_IN_COPILOT });
      const b = await personWithSession({ grants: [{ role: "admin" }] });
      const sessionA = await sessionRow(a.sessionToken);
      const sessionB = await sessionRow(b.sessionToken);
      if (!sessionA || !sessionB) throw new Error("setup failed");
      // What Auth.js's linking did: B's identity moved onto A's user.
      const accountB = await prisma.account.findFirstOrThrow({ where: { userId: sessionB.userId } });
      await prisma.account.update({
        where: { provider_providerAccountId: { provider: accountB.provider, providerAccountId: accountB.providerAccountId } },
        data: { userId: sessionA.userId },
      });
      expect(await resolve(a.sessionToken)).toMatchObject({ status: "no-access", reason: "identity-mismatch" });
    });

    it("refuses a person whose grants have all expired", async () => {
      const past = new Date(NOW.getTime() - 1);
      const { personId, sessionToken, email } = await personWithSession({
        grants: [
          { group: "copilot_team", expiresAt: past },
          { role: "viewer", expiresAt: past },
        ],
      });
      // a listed person with nothing in force: refused, but known as a requester (the request area only)
      expect(await resolve(sessionToken)).toEqual({ status: "no-access", reason: "no-active-grant", email, personId, sessionToken, requester: expect.objectContaining({ personId, roles: [], groups: [] }) });
    });

    it("counts a grant that expires exactly now as expired", async () => {
      const { sessionToken } = await personWithSession({ grants: [{ group: "copilot_team", expiresAt: NOW }, { role: "viewer", expiresAt: NOW }] });
      expect((await resolve(sessionToken)).status).toBe("no-access");
    });

    it("refuses a person whose grants were revoked, even before they expire", async () => {
      const { sessionToken } = await personWithSession({
        grants: [
          { group: "copilot_team", revokedAt: new Date(NOW.getTime() - MINUTE) },
          { role: "viewer", revokedAt: new Date(NOW.getTime() - MINUTE) },
        ],
      });
      expect(await resolve(sessionToken)).toMatchObject({ status: "no-access", reason: "no-active-grant" });
    });

    it("drops only the expired or revoked grants: a role left without a group sees no telemetry", async () => {
      const { sessionToken } = await personWithSession({
        grants: [
          { group: "copilot_team", expiresAt: new Date(NOW.getTime() - DAY) },
          { group: "platform_health", revokedAt: new Date(NOW.getTime() - DAY) },
          { role: "viewer" },
        ],
      });
      const resolution = await resolve(sessionToken);
      expect(resolution.status).toBe("active");
      if (resolution.status !== "active") return;
      expect(resolution.actor.roles).toEqual(["viewer"]);
      expect(resolution.actor.groups).toEqual([]);
      expect(resolution.actor.scope).toEqual({});
    });

    it("takes the group's scope as it is now, not as it was at sign-in", async () => {
      const { sessionToken } = await personWithSession({ grants: [{ group: "platform_health" }, { role: "viewer" }] });
      const before = await resolve(sessionToken);
      expect(before.status === "active" && before.actor.scope.error).toEqual(["environment", "measurements"]);
      await prisma.accessGroup.update({ where: { key: "platform_health" }, data: { eventKinds: ["error"], fieldClasses: ["measurements"] } });
      const after = await resolve(sessionToken);
      expect(after.status === "active" && after.actor.scope).toEqual({ error: ["measurements"] });
    });

    it("refuses a disabled person, whatever their grants", async () => {
      const { sessionToken, personId } = await personWithSession({ grants: VIEWER_IN_COPILOT, status: "disabled" });
      expect(await resolve(sessionToken)).toMatchObject({ status: "no-access", reason: "disabled", personId });
    });

    it("refuses a session whose identity is not the one bound to the person, whatever the user row's e-mail", async () => {
      const { sessionToken, personId, email } = await personWithSession({ grants: VIEWER_IN_COPILOT });
      if (!personId) throw new Error("setup failed");
      expect(await resolve(sessionToken)).toMatchObject({ status: "active", actor: { personId } });
      // The person is re-bound to another identity: this session's identity no longer maps to anyone.
      await prisma.person.update({ where: { id: personId }, data: { oidcSubject: `rebound-${randomUUID()}` } });
      expect(await resolve(sessionToken)).toEqual({ status: "no-access", reason: "not-listed", email, personId: null, sessionToken });
    });

    it("refuses a session whose user row belongs to another person", async () => {
      const a = await personWithSession({ grants: VIEWER_IN_COPILOT });
      const b = await personWithSession({ grants: VIEWER_IN_COPILOT });
      const session = await sessionRow(a.sessionToken);
      if (!session || !b.personId) throw new Error("setup failed");
      await prisma.user.update({ where: { id: session.userId }, data: { personId: b.personId } });
      expect(await resolve(a.sessionToken)).toMatchObject({ status: "no-access", reason: "identity-mismatch" });
    });

    it("refuses an identity that is not on the access list", async () => {
      const { sessionToken, email } = await personWithSession({ listed: false });
      expect(await resolve(sessionToken)).toEqual({ status: "no-access", reason: "not-listed", email, personId: null, sessionToken });
    });

    it("ends a session idle past its expiry, and deletes it", async () => {
      const { sessionToken } = await personWithSession({ grants: VIEWER_IN_COPILOT, session: { expires: new Date(NOW.getTime() - 1) } });
      expect(await resolve(sessionToken)).toEqual({ status: "anonymous", reason: "session-expired" });
      expect(await sessionRow(sessionToken)).toBeNull();
    });

    it("ends a session older than the absolute lifetime, however recently it was used", async () => {
      const { sessionToken } = await personWithSession({
        grants: VIEWER_IN_COPILOT,
        session: { createdAt: new Date(NOW.getTime() - LIMITS.maxHours * HOUR), expires: new Date(NOW.getTime() + 25 * MINUTE) },
      });
      expect(await resolve(sessionToken)).toEqual({ status: "anonymous", reason: "session-expired" });
      expect(await sessionRow(sessionToken)).toBeNull();
    });

    it("ends sessions by the limits it is given (SESSION_MAX_HOURS)", async () => {
      const { sessionToken } = await personWithSession({ grants: VIEWER_IN_COPILOT, session: { createdAt: new Date(NOW.getTime() - 2 * HOUR) } });
      expect((await resolve(sessionToken, NOW, { idleMinutes: 30, maxHours: 3 })).status).toBe("active");
      expect(await resolve(sessionToken, NOW, { idleMinutes: 30, maxHours: 2 })).toEqual({ status: "anonymous", reason: "session-expired" });
    });

    it("rolls the idle expiry forward on activity", async () => {
      const { sessionToken } = await personWithSession({ grants: VIEWER_IN_COPILOT, session: { expires: new Date(NOW.getTime() + 2 * MINUTE) } });
      expect((await resolve(sessionToken)).status).toBe("active");
      expect((await sessionRow(sessionToken))?.expires).toEqual(new Date(NOW.getTime() + LIMITS.idleMinutes * MINUTE));

      // 29 minutes later the session is still alive (it was used), and rolls again
      const later = new Date(NOW.getTime() + 29 * MINUTE);
      expect((await resolve(sessionToken, later)).status).toBe("active");
      expect((await sessionRow(sessionToken))?.expires).toEqual(new Date(later.getTime() + LIMITS.idleMinutes * MINUTE));
    });

    it("does not write on every request: the expiry moves at most once a minute", async () => {
      const expires = new Date(NOW.getTime() + LIMITS.idleMinutes * MINUTE - 30_000);
      const { sessionToken } = await personWithSession({ grants: VIEWER_IN_COPILOT, session: { expires } });
      expect((await resolve(sessionToken)).status).toBe("active");
      expect((await sessionRow(sessionToken))?.expires).toEqual(expires);
    });

    it("never rolls the idle expiry past the absolute lifetime", async () => {
      const createdAt = new Date(NOW.getTime() - LIMITS.maxHours * HOUR + 10 * MINUTE);
      const { sessionToken } = await personWithSession({ grants: VIEWER_IN_COPILOT, session: { createdAt, expires: new Date(NOW.getTime() + 2 * MINUTE) } });
      expect((await resolve(sessionToken)).status).toBe("active");
      expect((await sessionRow(sessionToken))?.expires).toEqual(new Date(createdAt.getTime() + LIMITS.maxHours * HOUR));
    });

    it("does not roll or keep alive a session whose person has no access", async () => {
      const expires = new Date(NOW.getTime() + 2 * MINUTE);
      const { sessionToken } = await personWithSession({ grants: [{ role: "viewer", revokedAt: NOW }], session: { expires } });
      expect((await resolve(sessionToken)).status).toBe("no-access");
      expect((await sessionRow(sessionToken))?.expires).toEqual(expires);
    });
  });
}
