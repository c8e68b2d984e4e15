// The demo access list: the four groups' default scopes, the named people of
// the demo identity provider (server/idp/accounts.ts) and their grants, and an
// idempotent writer for them in plain SQL (works on pg, PGlite or Prisma).
//
// Re-running the writer:
// - groups: scopes are reset to these defaults (upsert by key);
// - people: name, employer and employment type are upserted by e-mail; a
//   person an admin disabled stays disabled;
// - grants: an unrevoked grant of the same group/role is refreshed (expiry,
//   justification, granter); a missing one is created; a grant an admin
//   revoked is left revoked (the seed never silently restores access);
// - the demo ingestion key (server/ingest/demo-ingestion-key.ts): its hash is
//   added once; a revoked demo key stays revoked.
import { randomUUID } from "node:crypto";
import {
  COMPLETION_EVENT_KINDS,
  EVENT_KINDS,
  FIELD_CLASSES,
  GROUP_LABELS,
  type Employer,
  type EmploymentType,
  type EventKind,
  type FieldClass,
  type GroupKey,
  type Role,
} from "@/lib/telemetry/vocabulary";
import { demoIngestionKeyRow } from "@/server/ingest/demo-ingestion-key";
import { textArrayLiteral } from "./write-events";

const DAY_MS = 86_400_000;

export type DemoGroup = {
  key: GroupKey;
  name: string;
  description: string;
  eventKinds: readonly EventKind[];
  fieldClasses: readonly FieldClass[];
};

/**
 * Default group scopes.
 * - copilot_team: everything (every kind, including unmapped `other`, and every field class).
 * - platform_health: errors plus the completion kinds, but only `environment` and
 *   `measurements`: enough to chart error rates, latency, acceptance and persistence by
 *   version / OS / UI kind, with no content, no pseudonymous identifiers (nothing
 *   to follow one machine with) and no location.
 * - microsoft_copilot / openai_copilot: the completion kinds with environment, location,
 *   measurements and content, but no identifiers (partners evaluate suggestions
 *   and models, they do not need to link events to a machine or session).
 */
export const DEMO_GROUPS: readonly DemoGroup[] = [
  {
    key: "copilot_team",
    name: GROUP_LABELS.copilot_team,
    description: "Named GitHub personnel working on GitHub Copilot: every event kind and every field class.",
    eventKinds: EVENT_KINDS,
    fieldClasses: FIELD_CLASSES,
  },
  {
    key: "platform_health",
    name: GROUP_LABELS.platform_health,
    description: "Named GitHub platform health personnel: errors and completion measurements with their environment; no content, identifiers or location.",
    eventKinds: ["error", ...COMPLETION_EVENT_KINDS],
    fieldClasses: ["environment", "measurements"],
  },
  {
    key: "microsoft_copilot",
    name: GROUP_LABELS.microsoft_copilot,
    description: "Select Microsoft personnel working on or with the GitHub Copilot team: completion events, without pseudonymous identifiers.",
    eventKinds: COMPLETION_EVENT_KINDS,
    fieldClasses: ["environment", "location", "measurements", "content"],
  },
  {
    key: "openai_copilot",
    name: GROUP_LABELS.openai_copilot,
    description: "Select OpenAI employees who work on GitHub Copilot: completion events, without pseudonymous identifiers.",
    eventKinds: COMPLETION_EVENT_KINDS,
    fieldClasses: ["environment", "location", "measurements", "content"],
  },
];

/** A group alone, a role alone (the older halves, kept for the personas' tests), or telemetry access (a group with the viewer role, one grant). */
export type DemoGrant = ({ groupKey: GroupKey; role?: undefined } | { role: Role; groupKey?: undefined } | { groupKey: GroupKey; role: "viewer" }) & {
  justification: string;
  /** days from now until expiry; negative = already expired */
  expiresInDays: number;
};

export type DemoPerson = {
  email: string;
  name: string;
  employer: Employer;
  employmentType: EmploymentType;
  grants: readonly DemoGrant[];
  /** groups whose access requests this person may decide, besides the admins */
  approverOf?: readonly GroupKey[];
};

export const BOOTSTRAP_JUSTIFICATION = "Bootstrap administrator";
/** The admin who grants everyone else's access. */
export const DEMO_ADMIN_EMAIL = "admin@github.example";
/** Demo accounts deliberately left off the access list. */
export const DEMO_OUTSIDER_EMAILS = ["outsider@github.example"] as const;

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  {
    email: DEMO_ADMIN_EMAIL,
    name: "Ada Admin",
    employer: "github",
    employmentType: "employee",
    grants: [{ role: "admin", justification: BOOTSTRAP_JUSTIFICATION, expiresInDays: 90 }],
  },
  {
    email: "viewer.copilot@github.example",
    name: "Vera Copilot",
    employer: "github",
    employmentType: "employee",
    grants: [
      {
        groupKey: "copilot_team",
        justification: "Engineer on the Copilot completions team (ranking and post-processing); evaluates suggestion quality and acceptance.",
        expiresInDays: 90,
      },
      { role: "viewer", justification: "Browses completion telemetry in the portal for the Q-planning quality review.", expiresInDays: 90 },
    ],
  },
  {
    email: "viewer.health@github.example",
    name: "Hugo Health",
    employer: "github",
    employmentType: "contractor",
    grants: [
      {
        groupKey: "platform_health",
        justification: "Platform health SRE contractor on the Copilot on-call rotation; monitors error rates and completion latency.",
        expiresInDays: 60,
      },
      { role: "viewer", justification: "Needs the events explorer and charts during on-call shifts (contract ends within 60 days).", expiresInDays: 60 },
    ],
  },
  {
    email: "viewer@microsoft.example",
    name: "Mira Microsoft",
    employer: "microsoft",
    employmentType: "employee",
    grants: [
      {
        groupKey: "microsoft_copilot",
        justification: "Microsoft engineer on the model-serving integration with the GitHub Copilot team; evaluates latency and suggestion quality.",
        expiresInDays: 90,
      },
      { role: "viewer", justification: "Reviews completion telemetry for the joint serving-latency investigation with the Copilot team.", expiresInDays: 90 },
    ],
  },
  {
    email: "viewer@openai.example",
    name: "Omar OpenAI",
    employer: "openai",
    employmentType: "employee",
    grants: [
      {
        groupKey: "openai_copilot",
        justification: "OpenAI research engineer on the Copilot code-completion model; studies accepted and rejected suggestions to improve it.",
        expiresInDays: 90,
      },
      { role: "viewer", justification: "Browses completion outcomes for the next model evaluation round.", expiresInDays: 90 },
    ],
  },
  {
    email: "auditor@github.example",
    name: "Audrey Auditor",
    employer: "github",
    employmentType: "employee",
    grants: [{ role: "auditor", justification: "Internal audit: quarterly review of who accessed Copilot telemetry and why.", expiresInDays: 90 }],
  },
  {
    email: "expired@github.example",
    name: "Eli Expired",
    employer: "github",
    employmentType: "employee",
    grants: [
      { groupKey: "copilot_team", justification: "Summer rotation on the Copilot team (telemetry dashboard project); rotation has ended.", expiresInDays: -1 },
      { role: "viewer", justification: "Used the portal during the Copilot team rotation; rotation has ended.", expiresInDays: -1 },
    ],
  },
  {
    // A second approver, so requests that need two distinct approvers can be decided in the demo (with Ada Admin).
    email: "approver@github.example",
    name: "Paz Approver",
    employer: "github",
    employmentType: "employee",
    grants: [
      {
        groupKey: "copilot_team",
        role: "viewer",
        justification: "Copilot team engineering manager; reviews completion telemetry and approves the team's access requests.",
        expiresInDays: 90,
      },
    ],
    approverOf: ["copilot_team", "platform_health", "microsoft_copilot", "openai_copilot"],
  },
  {
    // On the list, nothing granted yet: signs in to the request area and asks for access.
    email: "newcomer@github.example",
    name: "Nora Newcomer",
    employer: "github",
    employmentType: "employee",
    grants: [],
  },
];

/** A minimal SQL runner: positional `$n` parameters, rows back. */
export type SqlRunner = (sql: string, params?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;

/** Adapts a pg Client/PoolClient or a PGlite instance/transaction (both have `query(text, params)` → `{ rows }`). */
export function sqlRunner(db: { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> }): SqlRunner {
  return async (sql, params = []) => (await db.query(sql, [...params])).rows as Array<Record<string, unknown>>;
}

/** Adapts a Prisma client (or an interactive-transaction client). */
export function prismaSqlRunner(prisma: { $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> }): SqlRunner {
  return (sql, params = []) => prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(sql, ...params);
}

export type DemoAccessSummary = { groups: number; people: number; grantsCreated: number; grantsRefreshed: number };

/**
 * Upserts the demo groups, people and grants. Not transactional by itself:
 * run it inside a transaction (BEGIN/COMMIT, PGlite `transaction`, Prisma
 * `$transaction`) to make it all-or-nothing.
 */
export async function writeDemoAccess(run: SqlRunner, now: Date = new Date()): Promise<DemoAccessSummary> {
  for (const group of DEMO_GROUPS) {
    await run(
      `INSERT INTO access_group (key, name, description, event_kinds, field_classes, updated_at)
       VALUES ($1::group_key, $2, $3, $4::event_kind[], $5::field_class[], now())
       ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
         event_kinds = EXCLUDED.event_kinds, field_classes = EXCLUDED.field_classes, updated_at = now()`,
      [group.key, group.name, group.description, textArrayLiteral(group.eventKinds), textArrayLiteral(group.fieldClasses)],
    );
  }

  const personIds = new Map<string, string>();
  for (const person of DEMO_PEOPLE) {
    const rows = await run(
      `INSERT INTO person (id, name, email, employer, employment_type)
       VALUES ($1::uuid, $2, $3, $4::employer, $5::employment_type)
       ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, employer = EXCLUDED.employer,
         employment_type = EXCLUDED.employment_type, updated_at = now()
       RETURNING id`,
      [randomUUID(), person.name, person.email.toLowerCase(), person.employer, person.employmentType],
    );
    personIds.set(person.email, String(rows[0]?.id));
  }

  const adminId = personIds.get(DEMO_ADMIN_EMAIL);
  let grantsCreated = 0;
  let grantsRefreshed = 0;
  for (const person of DEMO_PEOPLE) {
    const personId = personIds.get(person.email)!;
    for (const grant of person.grants) {
      const expiresAt = new Date(now.getTime() + grant.expiresInDays * DAY_MS);
      // An expired demo grant was given 90 days before it ran out.
      const grantedAt = grant.expiresInDays < 0 ? new Date(expiresAt.getTime() - 90 * DAY_MS) : now;
      const grantedBy = person.email === DEMO_ADMIN_EMAIL ? null : (adminId ?? null);
      const existing = await run(
        `SELECT id, revoked_at FROM "grant"
         WHERE person_id = $1::uuid AND group_key IS NOT DISTINCT FROM $2::group_key AND role IS NOT DISTINCT FROM $3::role
         ORDER BY granted_at DESC`,
        [personId, grant.groupKey ?? null, grant.role ?? null],
      );
      const active = existing.find((row) => row.revoked_at === null);
      if (active) {
        await run(
          `UPDATE "grant" SET justification = $2, expires_at = $3::timestamptz, granted_by_id = $4::uuid WHERE id = $1::uuid`,
          [String(active.id), grant.justification, expiresAt.toISOString(), grantedBy],
        );
        grantsRefreshed++;
      } else if (existing.length === 0) {
        await run(
          `INSERT INTO "grant" (id, person_id, group_key, role, justification, granted_at, granted_by_id, expires_at)
           VALUES ($1::uuid, $2::uuid, $3::group_key, $4::role, $5, $6::timestamptz, $7::uuid, $8::timestamptz)`,
          [randomUUID(), personId, grant.groupKey ?? null, grant.role ?? null, grant.justification, grantedAt.toISOString(), grantedBy, expiresAt.toISOString()],
        );
        grantsCreated++;
      }
    }
  }
  for (const person of DEMO_PEOPLE) {
    for (const groupKey of person.approverOf ?? []) {
      await run(
        `INSERT INTO group_approver (group_key, person_id, added_by_id) VALUES ($1::group_key, $2::uuid, $3::uuid) ON CONFLICT (group_key, person_id) DO NOTHING`,
        [groupKey, personIds.get(person.email)!, adminId ?? null],
      );
    }
  }
  const demoKey = demoIngestionKeyRow();
  await run(
    `INSERT INTO ingestion_key (id, name, key_prefix, key_hash, created_by_id) VALUES ($1::uuid, $2, $3, $4, $5::uuid)
     ON CONFLICT (key_hash) DO NOTHING`,
    [randomUUID(), demoKey.name, demoKey.keyPrefix, demoKey.keyHash, adminId ?? null],
  );
  return { groups: DEMO_GROUPS.length, people: DEMO_PEOPLE.length, grantsCreated, grantsRefreshed };
}
