// The access list as a table: server-side filters (text, employer, type, group,
// role, status), sort, keyset pagination and the total. Audited (admin.view)
// with the filters asked and the number of people shown.
import "server-only";
import { Prisma } from "@/server/db/generated/client";
import { encodePeopleCursor, listPeopleQuerySchema, type ListPeopleQuery, type PeopleSort } from "@/lib/admin/people-query";
import type { Employer, EmploymentType, GroupKey, Role } from "@/lib/telemetry/vocabulary";
import { capabilityOf } from "@/lib/access/capability";
import { audited } from "@/server/access/audited";
import { parseInput } from "@/server/http/parse-input";
import type { PeopleListDto, PersonAccessStatus, PersonSummaryDto } from "./types";
import { grantInForceSql } from "@/server/access/access-now";

type PersonRow = {
  id: string;
  name: string;
  email: string;
  employer: Employer;
  employment_type: EmploymentType;
  person_status: "active" | "disabled";
  created_at: Date;
  next_expiry: Date | null;
  groups: GroupKey[];
  roles: Role[];
  sort_key: string;
};

/** Each sort: the expression it orders by (as text in the cursor), its SQL type, and the direction. */
const SORTS: Record<PeopleSort, { expression: string; type: "text" | "timestamptz"; descending: boolean }> = {
  name_asc: { expression: "lower(name)", type: "text", descending: false },
  name_desc: { expression: "lower(name)", type: "text", descending: true },
  email_asc: { expression: "email", type: "text", descending: false },
  email_desc: { expression: "email", type: "text", descending: true },
  // People with nothing in force sort after everyone else.
  expiry_asc: { expression: "COALESCE(next_expiry, 'infinity'::timestamptz)", type: "timestamptz", descending: false },
  expiry_desc: { expression: "COALESCE(next_expiry, '-infinity'::timestamptz)", type: "timestamptz", descending: true },
  created_desc: { expression: "created_at", type: "timestamptz", descending: true },
  created_asc: { expression: "created_at", type: "timestamptz", descending: false },
};

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function whereClause(query: ListPeopleQuery): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (query.q) {
    const pattern = `%${escapeLike(query.q.toLowerCase())}%`;
    conditions.push(Prisma.sql`(lower(name) LIKE ${pattern} ESCAPE '\\' OR email LIKE ${pattern} ESCAPE '\\')`);
  }
  if (query.employer) conditions.push(Prisma.sql`employer = ${query.employer}`);
  if (query.type) conditions.push(Prisma.sql`employment_type = ${query.type}`);
  if (query.group) conditions.push(Prisma.sql`${query.group} = ANY(groups)`);
  if (query.role) conditions.push(Prisma.sql`${query.role} = ANY(roles)`);
  if (query.status === "disabled") conditions.push(Prisma.sql`person_status = 'disabled'`);
  if (query.status === "active") conditions.push(Prisma.sql`person_status = 'active' AND next_expiry IS NOT NULL`);
  if (query.status === "no_access") conditions.push(Prisma.sql`person_status = 'active' AND next_expiry IS NULL`);
  return conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
}

/** The people with their grants in force summarised, as a subquery the filters and sorts read. */
function peopleSource(now: Date): Prisma.Sql {
  return Prisma.sql`(
    SELECT p.id, p.name, p.email, p.employer::text AS employer, p.employment_type::text AS employment_type,
           p.status::text AS person_status, p.created_at,
           active.next_expiry,
           COALESCE(active.groups, '{}') AS groups,
           COALESCE(active.roles, '{}') AS roles
    FROM person p
    LEFT JOIN LATERAL (
      SELECT min(g.expires_at) AS next_expiry,
             array_agg(DISTINCT g.group_key::text) FILTER (WHERE g.group_key IS NOT NULL) AS groups,
             array_agg(DISTINCT g.role::text) FILTER (WHERE g.role IS NOT NULL) AS roles
      FROM "grant" g
      WHERE g.person_id = p.id AND ${grantInForceSql("g", now)}
    ) active ON true
  ) people`;
}

function statusOf(row: Pick<PersonRow, "person_status" | "next_expiry">): PersonAccessStatus {
  if (row.person_status === "disabled") return "disabled";
  return row.next_expiry ? "active" : "no_access";
}

export async function listPeople(input: unknown): Promise<PeopleListDto> {
  return audited({ action: "admin.view", permission: "access.manage", details: { targetType: "access_list" } }, async ({ tx }) => {
    const query = parseInput(listPeopleQuerySchema, input);
    const now = new Date();
    const sort = SORTS[query.sort];
    const cursor = query.cursor ?? null;
    const where = whereClause(query);
    const sortExpression = Prisma.raw(sort.expression);
    const direction = Prisma.raw(sort.descending ? "DESC" : "ASC");
    const after = cursor
      ? Prisma.sql`WHERE (sort_value, id) ${Prisma.raw(sort.descending ? "<" : ">")} (${cursor.value}::${Prisma.raw(sort.type)}, ${cursor.id}::uuid)`
      : Prisma.empty;

    // The sort value is selected typed (for the order and the comparison) and as text (for the cursor).
    const rows = await tx.$queryRaw<PersonRow[]>`
      SELECT id, name, email, employer, employment_type, person_status, created_at, next_expiry, groups, roles, sort_value_text AS sort_key
      FROM (
        SELECT *, ${sortExpression} AS sort_value,
               CASE WHEN ${sortExpression}::text IN ('infinity', '-infinity') THEN ${sortExpression}::text
                    ELSE ${Prisma.raw(sort.type === "timestamptz" ? `to_char(${sort.expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : sort.expression)}
               END AS sort_value_text
        FROM ${peopleSource(now)}
        ${where}
      ) filtered
      ${after}
      ORDER BY sort_value ${direction}, id ${direction}
      LIMIT ${query.limit + 1}`;
    const counted = await tx.$queryRaw<Array<{ total: number }>>`SELECT count(*)::int AS total FROM ${peopleSource(now)} ${where}`;

    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const items: PersonSummaryDto[] = page.map((row) => ({
      id: row.id,
      name: row.name,
      email: row.email,
      employer: row.employer,
      employmentType: row.employment_type,
      status: statusOf(row),
      capability: capabilityOf({ personStatus: row.person_status, groups: row.groups, roles: row.roles, nextExpiry: row.next_expiry }, now),
      groups: [...row.groups].sort(),
      roles: [...row.roles].sort(),
      nextExpiry: row.next_expiry?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
    }));
    const { cursor: _cursor, ...filters } = query;
    return {
      value: {
        items,
        total: Number(counted[0]?.total ?? 0),
        nextCursor: rows.length > query.limit && last ? encodePeopleCursor({ sort: query.sort, value: last.sort_key, id: last.id }) : null,
      },
      audit: { filters: { view: "people", ...filters, page: cursor ? "later" : "first" }, rowCount: items.length },
    };
  });
}
