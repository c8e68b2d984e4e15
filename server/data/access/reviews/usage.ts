// Usage of a group's grants, from the audit trail: per holder, in a period,
// the last access and how many reads, reveals and exports they made while
// holding the group (the group is in the row's actor_groups). One grouped
// query over audit_event that walks its (actor_person_id, occurred_at) index
// for the holders named; only allowed rows count (a refusal is not a use).
//
// "Last access" looks back at least UNUSED_DAYS from the period's end, so a
// short period still tells whether the grant went unused for 30 days.
//
// No "server-only": the close job's report (and the jobs in general) may use it.
import { Prisma } from "@/server/db/generated/client";
import type { GroupKey } from "@/lib/telemetry/vocabulary";
import { DAY_MS, UNUSED_DAYS } from "./settings";

/** Telemetry reads: listing, opening, charting and counting. Reveals and exports are counted apart. */
export const READ_ACTIONS = ["events.list", "events.view", "events.chart", "events.facets"] as const;
export const REVEAL_ACTION = "events.reveal";
export const EXPORT_ACTION = "events.export";

export type GrantUsage = {
  /** the holder's latest telemetry access with this group in the look-back window, or null */
  lastAccessAt: Date | null;
  reads: number;
  reveals: number;
  exports: number;
  /** no access with this group in the UNUSED_DAYS before the period's end */
  isUnused: boolean;
};

export type UsagePeriod = { from: Date; to: Date };

/** The window "last access" looks at: the period, widened to at least UNUSED_DAYS before its end. */
export function lookBackFrom(period: UsagePeriod): Date {
  return new Date(Math.min(period.from.getTime(), period.to.getTime() - UNUSED_DAYS * DAY_MS));
}

type UsageRow = { person_id: string; last_access: Date | null; reads: bigint | number; reveals: bigint | number; exports: bigint | number };

export async function usageOfGrants(tx: Prisma.TransactionClient, groupKey: GroupKey, personIds: readonly string[], period: UsagePeriod): Promise<Map<string, GrantUsage>> {
  const usage = new Map<string, GrantUsage>();
  const unusedSince = period.to.getTime() - UNUSED_DAYS * DAY_MS;
  const empty = (): GrantUsage => ({ lastAccessAt: null, reads: 0, reveals: 0, exports: 0, isUnused: true });
  for (const id of personIds) usage.set(id, empty());
  if (personIds.length === 0) return usage;
  const actions = [...READ_ACTIONS, REVEAL_ACTION, EXPORT_ACTION];
  const from = period.from.toISOString();
  const rows = await tx.$queryRaw<UsageRow[]>`
    SELECT actor_person_id::text AS person_id,
           max(occurred_at) AS last_access,
           count(*) FILTER (WHERE occurred_at >= ${from}::timestamptz AND action IN (${Prisma.join([...READ_ACTIONS])})) AS reads,
           count(*) FILTER (WHERE occurred_at >= ${from}::timestamptz AND action = ${REVEAL_ACTION}) AS reveals,
           count(*) FILTER (WHERE occurred_at >= ${from}::timestamptz AND action = ${EXPORT_ACTION}) AS exports
      FROM audit_event
     WHERE actor_person_id = ANY(${[...personIds]}::uuid[])
       AND occurred_at >= ${lookBackFrom(period).toISOString()}::timestamptz
       AND occurred_at < ${period.to.toISOString()}::timestamptz
       AND outcome = 'allowed'
       AND action IN (${Prisma.join(actions)})
       AND ${groupKey}::text = ANY(actor_groups)
     GROUP BY actor_person_id`;
  for (const row of rows) {
    const last = row.last_access ? new Date(row.last_access) : null;
    usage.set(row.person_id, {
      lastAccessAt: last,
      reads: Number(row.reads),
      reveals: Number(row.reveals),
      exports: Number(row.exports),
      isUnused: last === null || last.getTime() < unusedSince,
    });
  }
  return usage;
}
