// seedDatabase against real databases: a temporary PGlite directory always,
// and a freshly created PostgreSQL database when TEST_DATABASE_URL is set
// (created through the server's `postgres` database, dropped afterwards).
// The schema comes from prisma/migrations/*/migration.sql, applied in order.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContentDocument } from "@/lib/telemetry/fields";
import { ContentDecryptionError, type ContentKey, openContent } from "@/server/crypto/content";
import { readMapping } from "@/server/ingest/mapping";
import type { PropertyValue } from "@/server/ingest/normalize";
import { findUnclassifiedText } from "@/server/ingest/producer-text";
import { type SqlRunner, sqlRunner } from "./demo-access";
import { FIELD_LIST } from "@/lib/telemetry/fields";
import { type SeedEvent, generateEvents } from "./generate-events";
import { seedDatabase } from "./seed-database";
import { SeedWriteError, textArrayLiteral, writeEventsPglite, writeEventsPostgres } from "./write-events";

const DAY_MS = 86_400_000;
const NOW = new Date();
const SEED = 4242;
const EVENT_COUNT = 2_000;
const KEYS: ContentKey[] = [{ id: "it1", key: randomBytes(32) }];
const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");
const quiet = () => undefined;

function migrationFiles(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(MIGRATIONS_DIR, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => fs.readFileSync(path.join(MIGRATIONS_DIR, name, "migration.sql"), "utf8"));
}

/** What a test needs from a database under test. */
type Harness = {
  name: string;
  target: { databaseUrl?: string; pgliteDataDir?: string };
  /** opens a connection, runs `work`, closes it */
  use<T>(work: (run: SqlRunner, writeEvents: (events: SeedEvent[]) => Promise<number>) => Promise<T>): Promise<T>;
};

const pgliteDir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-seed-it-"));
const pgliteHarness: Harness = {
  name: "PGlite",
  target: { pgliteDataDir: pgliteDir },
  async use(work) {
    const db = await PGlite.create(pgliteDir);
    try {
      return await work(sqlRunner(db), (events) => writeEventsPglite(db, events, { keys: KEYS }));
    } finally {
      await db.close();
    }
  },
};

const testDatabaseUrl = process.env.TEST_DATABASE_URL;
const pgDatabase = `tp_it_${randomBytes(6).toString("hex")}`;
const pgHarness: Harness | undefined = testDatabaseUrl
  ? {
      name: "PostgreSQL",
      target: { databaseUrl: withDatabase(testDatabaseUrl, pgDatabase) },
      async use(work) {
        const client = new pg.Client({ connectionString: withDatabase(testDatabaseUrl, pgDatabase) });
        await client.connect();
        try {
          return await work(sqlRunner(client), (events) => writeEventsPostgres(client, events, { keys: KEYS }));
        } finally {
          await client.end();
        }
      },
    }
  : undefined;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function onServerDatabase(work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(testDatabaseUrl!, "postgres") });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  const migrations = migrationFiles();
  expect(migrations.length).toBeGreaterThan(0);
  const db = await PGlite.create(pgliteDir);
  for (const sql of migrations) await db.exec(sql);
  await db.close();
  if (pgHarness) {
    await onServerDatabase((client) => client.query(`CREATE DATABASE ${pgDatabase}`).then(() => undefined));
    await pgHarness.use(async (run) => {
      for (const sql of migrations) await run(sql);
    });
  }
});

afterAll(async () => {
  fs.rmSync(pgliteDir, { recursive: true, force: true });
  if (pgHarness) await onServerDatabase((client) => client.query(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`).then(() => undefined));
});

/** The access list the brief specifies, written out independently of demo-access.ts. */
const EXPECTED_PEOPLE: Record<
  string,
  { name: string; employer: string; employmentType: string; groups: string[]; roles: string[]; expiresInDays: number }
> = {
  "viewer.copilot@github.example": { name: "Vera Copilot", employer: "github", employmentType: "employee", groups: ["copilot_team"], roles: ["viewer"], expiresInDays: 90 },
  "viewer.health@github.example": { name: "Hugo Health", employer: "github", employmentType: "contractor", groups: ["platform_health"], roles: ["viewer"], expiresInDays: 60 },
  "viewer@microsoft.example": { name: "Mira Microsoft", employer: "microsoft", employmentType: "employee", groups: ["microsoft_copilot"], roles: ["viewer"], expiresInDays: 90 },
  "viewer@openai.example": { name: "Omar OpenAI", employer: "openai", employmentType: "employee", groups: ["openai_copilot"], roles: ["viewer"], expiresInDays: 90 },
  "admin@github.example": { name: "Ada Admin", employer: "github", employmentType: "employee", groups: [], roles: ["admin"], expiresInDays: 90 },
  "auditor@github.example": { name: "Audrey Auditor", employer: "github", employmentType: "employee", groups: [], roles: ["auditor"], expiresInDays: 90 },
  "expired@github.example": { name: "Eli Expired", employer: "github", employmentType: "employee", groups: ["copilot_team"], roles: ["viewer"], expiresInDays: -1 },
  // telemetry access as one grant (group + viewer role), and a named approver of every group
  "approver@github.example": { name: "Paz Approver", employer: "github", employmentType: "employee", groups: ["copilot_team"], roles: ["viewer"], expiresInDays: 90 },
  "newcomer@github.example": { name: "Nora Newcomer", employer: "github", employmentType: "employee", groups: [], roles: [], expiresInDays: 0 },
};

const GENERATED = new Map([...generateEvents({ count: EVENT_COUNT, seed: SEED, now: NOW })].map((event) => [event.id, event]));

async function count(run: SqlRunner, sql: string): Promise<number> {
  return Number((await run(sql))[0]?.n);
}

function plaintextPieces(document: ContentDocument): string[] {
  const pieces = [document.prefix, document.suffix, document.editorState?.relativePath, document.persistedText, ...(document.suggestions ?? [])];
  return pieces.filter((piece): piece is string => typeof piece === "string" && piece.length >= 12);
}

for (const harness of [pgliteHarness, pgHarness]) {
  if (!harness) continue;

  describe(`seedDatabase on ${harness.name}`, () => {
    it("writes the events and the access list", async () => {
      const result = await seedDatabase({ ...harness.target, events: EVENT_COUNT, seed: SEED, now: NOW, keys: KEYS, log: quiet });
      expect(result.eventsWritten).toBe(EVENT_COUNT);
      expect(result.seed).toBe(SEED);
      expect(result.access).toMatchObject({ people: 9, groups: 4, grantsCreated: 13, grantsRefreshed: 0 });

      await harness.use(async (run) => {
        expect(await count(run, "SELECT count(*)::int AS n FROM telemetry_event")).toBe(EVENT_COUNT);
        const kinds = await run("SELECT kind::text AS kind, count(*)::int AS n FROM telemetry_event GROUP BY kind");
        expect(kinds.length).toBe(7);
      });
    });

    it("stores exactly the access list from the brief", async () => {
      await harness.use(async (run) => {
        const people = await run("SELECT id, email, name, employer::text AS employer, employment_type::text AS employment_type, status::text AS status FROM person");
        expect(people.map((person) => person.email).sort()).toEqual(Object.keys(EXPECTED_PEOPLE).sort());
        expect(people.some((person) => person.email === "outsider@github.example")).toBe(false);
        const adminId = people.find((person) => person.email === "admin@github.example")?.id;

        const grants = await run(
          `SELECT p.email, g.group_key::text AS group_key, g.role::text AS role, g.justification, g.expires_at, g.granted_by_id, g.revoked_at
           FROM "grant" g JOIN person p ON p.id = g.person_id`,
        );
        expect(grants).toHaveLength(13);
        const approvers = await run(`SELECT p.email, a.group_key::text AS group_key FROM group_approver a JOIN person p ON p.id = a.person_id ORDER BY a.group_key`);
        expect(approvers).toEqual(["copilot_team", "platform_health", "microsoft_copilot", "openai_copilot"].map((group_key) => ({ email: "approver@github.example", group_key })));
        for (const person of people) {
          const expected = EXPECTED_PEOPLE[String(person.email)]!;
          expect(person).toMatchObject({ name: expected.name, employer: expected.employer, employment_type: expected.employmentType, status: "active" });
          const own = grants.filter((grant) => grant.email === person.email);
          expect(own.map((grant) => grant.group_key).filter(Boolean).sort()).toEqual(expected.groups);
          expect(own.map((grant) => grant.role).filter(Boolean).sort()).toEqual(expected.roles);
          for (const grant of own) {
            const expiresAt = (grant.expires_at as Date).getTime();
            expect(Math.abs(expiresAt - (NOW.getTime() + expected.expiresInDays * DAY_MS))).toBeLessThan(60_000);
            expect(expiresAt < NOW.getTime()).toBe(expected.expiresInDays < 0);
            expect(String(grant.justification).trim().length).toBeGreaterThan(10);
            expect(grant.revoked_at).toBeNull();
            if (person.email === "admin@github.example") {
              expect(grant.granted_by_id).toBeNull();
              expect(grant.justification).toBe("Bootstrap administrator");
            } else {
              expect(grant.granted_by_id).toBe(adminId);
            }
          }
        }

        const groups = await run("SELECT key::text AS key, event_kinds::text[] AS event_kinds, field_classes::text[] AS field_classes FROM access_group");
        const scope: Record<string, { kinds: string[]; classes: string[] }> = Object.fromEntries(
          groups.map((group) => [String(group.key), { kinds: group.event_kinds as string[], classes: group.field_classes as string[] }]),
        );
        expect(Object.keys(scope).sort()).toEqual(["copilot_team", "microsoft_copilot", "openai_copilot", "platform_health"]);
        expect(scope.copilot_team!.classes.sort()).toEqual(["content", "environment", "identifiers", "location", "measurements"]);
        expect(scope.copilot_team!.kinds).toHaveLength(8);
        expect(scope.platform_health!.classes.sort()).toEqual(["environment", "measurements"]);
        expect(scope.platform_health!.kinds).toContain("error");
        for (const partner of [scope.microsoft_copilot!, scope.openai_copilot!]) {
          expect(partner.classes.sort()).toEqual(["content", "environment", "location", "measurements"]);
          expect(partner.kinds.every((kind) => kind.startsWith("completion_"))).toBe(true);
          expect(partner.kinds).toHaveLength(6);
        }
      });
    });

    it("stores each row as generated, with content only as ciphertext", async () => {
      await harness.use(async (run) => {
        expect(await count(run, "SELECT count(*)::int AS n FROM telemetry_event WHERE kind = 'error' AND content_ciphertext IS NOT NULL")).toBe(0);
        expect(await count(run, "SELECT count(*)::int AS n FROM telemetry_event WHERE kind <> 'error' AND (content_ciphertext IS NULL OR content_key_id <> 'it1')")).toBe(0);

        const rows = await run(
          `SELECT * FROM (
             SELECT DISTINCT ON (kind) * FROM telemetry_event ORDER BY kind, id
           ) first_per_kind
           UNION ALL (SELECT * FROM telemetry_event ORDER BY id DESC LIMIT 40)`,
        );
        expect(rows.length).toBeGreaterThanOrEqual(47);
        for (const row of rows) {
          const event = GENERATED.get(String(row.id))!;
          expect(event, String(row.id)).toBeDefined();
          // every column of the field registry but the sealed content, as the generator made it
          const stored = Object.fromEntries(
            FIELD_LIST.filter((field) => field.value !== "sealed" && field.key !== "id").map((field) => {
              const value = row[field.column];
              return [field.key, value instanceof Date ? value.getTime() : value];
            }),
          );
          expect(stored).toEqual({ ...event, id: undefined, content: undefined, time: event.time.getTime(), receivedAt: event.receivedAt.getTime() });

          if (!event.content) continue;
          const ciphertext = Buffer.from(row.content_ciphertext as Uint8Array);
          // No plaintext: neither the whole document nor any snippet appears in the stored bytes.
          expect(ciphertext.includes(Buffer.from(JSON.stringify(event.content)))).toBe(false);
          for (const piece of plaintextPieces(event.content)) expect(ciphertext.includes(Buffer.from(piece.slice(0, 12)))).toBe(false);
          const sealed = { ciphertext, keyId: String(row.content_key_id) };
          expect(openContent(sealed, event.id, KEYS)).toEqual(event.content);
          // Any altered byte, or another row's id, fails authentication.
          for (const position of [1, 20, ciphertext.length - 1]) {
            const tampered = Buffer.from(ciphertext);
            tampered[position] = tampered[position]! ^ 0x01;
            expect(() => openContent({ ciphertext: tampered, keyId: sealed.keyId }, event.id, KEYS)).toThrow(ContentDecryptionError);
          }
          expect(() => openContent(sealed, "00000000-0000-4000-8000-000000000000", KEYS)).toThrow(ContentDecryptionError);
        }
      });
    });

    it("writes only rows the intake's producer-text rule would show as they are, with the database's vocabulary", async () => {
      await harness.use(async (run) => {
        const mapping = await readMapping((sql) => run(sql));
        const rows = await run(
          `SELECT event_name, machine_id, session_id, completion_id, vscode_version, extension_name, extension_version, os, os_version,
                  language_id, extension_settings, error_kind, error_context, post_processing, redaction_filter, measurements
             FROM telemetry_event`,
        );
        expect(rows.length).toBeGreaterThanOrEqual(EVENT_COUNT);
        const withheld = new Set<string>();
        for (const row of rows) {
          const fields = findUnclassifiedText(
            {
              eventName: String(row.event_name),
              machineId: String(row.machine_id),
              sessionId: String(row.session_id),
              completionId: row.completion_id as string | null,
              vscodeVersion: String(row.vscode_version),
              extensionName: String(row.extension_name),
              extensionVersion: String(row.extension_version),
              os: String(row.os),
              osVersion: String(row.os_version),
              languageId: row.language_id as string | null,
              extensionSettings: row.extension_settings as Record<string, PropertyValue> | null,
              errorKind: row.error_kind as string | null,
              errorContext: row.error_context as Record<string, PropertyValue> | null,
              postProcessing: row.post_processing as string[],
              redactionFilter: row.redaction_filter as string | null,
              measurements: row.measurements as Record<string, PropertyValue> | null,
            },
            mapping,
          );
          for (const field of fields) withheld.add(field);
        }
        expect([...withheld]).toEqual([]);
      });
    });

    it("upserts the access list idempotently, honours ifEmpty, and appends new events", async () => {
      const again = await seedDatabase({ ...harness.target, events: 0, now: NOW, keys: KEYS, log: quiet });
      expect(again.access).toMatchObject({ grantsCreated: 0, grantsRefreshed: 13 });
      const skipped = await seedDatabase({ ...harness.target, ifEmpty: true, events: 500, now: NOW, keys: KEYS, log: quiet });
      expect(skipped).toMatchObject({ eventsWritten: 0, access: null });
      const appended = await seedDatabase({ ...harness.target, events: 100, seed: SEED + 1, now: NOW, keys: KEYS, log: quiet });
      expect(appended.eventsWritten).toBe(100);
      // The same seed again collides on ids and writes nothing.
      await expect(seedDatabase({ ...harness.target, events: 100, seed: SEED + 1, now: NOW, keys: KEYS, log: quiet })).rejects.toMatchObject({ code: "23505" });

      await harness.use(async (run) => {
        expect(await count(run, "SELECT count(*)::int AS n FROM person")).toBe(9);
        expect(await count(run, `SELECT count(*)::int AS n FROM "grant"`)).toBe(13);
        expect(await count(run, "SELECT count(*)::int AS n FROM access_group")).toBe(4);
        expect(await count(run, "SELECT count(*)::int AS n FROM telemetry_event")).toBe(EVENT_COUNT + 100);
      });
    });

    it("leaves a revoked demo grant revoked when seeding again", async () => {
      await harness.use(async (run) => {
        await run(`UPDATE "grant" SET revoked_at = now(), revoke_reason = 'test' WHERE group_key = 'openai_copilot'`);
      });
      const result = await seedDatabase({ ...harness.target, events: 0, now: NOW, keys: KEYS, log: quiet });
      expect(result.access).toMatchObject({ grantsCreated: 0, grantsRefreshed: 12 });
      await harness.use(async (run) => {
        expect(await count(run, `SELECT count(*)::int AS n FROM "grant" WHERE group_key = 'openai_copilot' AND revoked_at IS NULL`)).toBe(0);
      });
    });

    it("round-trips awkward strings, JSON and arrays through COPY", async () => {
      const base = GENERATED.values().next().value!;
      const awkward: SeedEvent = {
        ...base,
        id: "0b7c9a1e-3f4d-4e5f-8a6b-7c8d9e0f1a2b",
        kind: "error",
        eventName: "weird\tname\\with\nnewline\r",
        machineId: "machine\\N",
        sessionId: "\\N",
        completionId: null,
        region: "São Paulo",
        city: "Zürich \\ \"quoted\" 😀",
        errorKind: "auth.token_expired",
        errorContext: { message: 'tab\there "quoted" back\\slash\nnewline ünïcödé 😀', nested: true, n: 1.5 },
        postProcessing: ["trim", "NULL", "null", "with space", 'quote"d', "back\\slash", "comma,x", "{brace}", "", "tab\tin"],
        measurements: { ratio: 0.1 + 0.2 },
        content: { unclassified: { note: "\\x00 not bytes\t" } },
        extensionSettings: { "editor.tab\tkey": false, "c++": 2, "quote\"key": "va\\lue" },
      };
      await harness.use(async (run, writeEvents) => {
        expect(await writeEvents([awkward])).toBe(1);
        const [row] = await run(`SELECT * FROM telemetry_event WHERE id = $1::uuid`, [awkward.id]);
        expect(row).toMatchObject({
          event_name: awkward.eventName,
          machine_id: awkward.machineId,
          session_id: awkward.sessionId,
          completion_id: null,
          region: awkward.region,
          city: awkward.city,
          error_context: awkward.errorContext,
          post_processing: awkward.postProcessing,
          measurements: awkward.measurements,
          extension_settings: awkward.extensionSettings,
        });
        expect(openContent({ ciphertext: row!.content_ciphertext as Uint8Array, keyId: String(row!.content_key_id) }, awkward.id, KEYS)).toEqual(awkward.content);
      });
    });
  });

  if (harness === pgHarness) {
    it("commits batch by batch and says how many rows landed when a later batch fails", async () => {
      const fresh = [...generateEvents({ count: 250, seed: SEED + 99, now: NOW })];
      // the third batch repeats a row of the first: batches 1 and 2 (200 rows) stay, the rest is refused
      const events = [...fresh.slice(0, 200), fresh[5]!, ...fresh.slice(200)];
      await harness.use(async (run) => {
        const client = new pg.Client({ connectionString: harness.target.databaseUrl });
        await client.connect();
        try {
          const failure = await writeEventsPostgres(client, events, { keys: KEYS, batchRows: 100 }).catch((error: unknown) => error);
          expect(failure).toBeInstanceOf(SeedWriteError);
          expect(failure).toMatchObject({ committedRows: 200, code: "23505" });
        } finally {
          await client.end();
        }
        const ids = textArrayLiteral(fresh.map((event) => event.id));
        expect(await count(run, `SELECT count(*)::int AS n FROM telemetry_event WHERE id = ANY('${ids}'::uuid[])`)).toBe(200);
      });
    });
  }
}
