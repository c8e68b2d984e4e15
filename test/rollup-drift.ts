// How far telemetry_rollup is from the rows the registry's dimensions derive
// from telemetry_event (what a rebuild would write): the rows in one but not
// the other, both ways, and the keys where the per-day rollups (summed) differ
// from the per-hour ones summed per day. 0 means the rollups equal a rebuild.
import type { PrismaClient } from "@/server/db/generated/client";
import { Prisma } from "@/server/db/generated/client";
import { DAY_ROWS_OF_HOURS, rollupRowsOf } from "@/server/telemetry/rollup-maintenance";

export async function rollupDrift(prisma: Pick<PrismaClient, "$queryRaw">): Promise<number> {
  const expected = rollupRowsOf(Prisma.sql`TRUE`, 1);
  const rows = await prisma.$queryRaw<Array<{ n: number }>>(Prisma.sql`
    WITH expected AS (${expected}), stored AS (SELECT dimension, hour, kind, value, events FROM telemetry_rollup)
    SELECT count(*)::int AS n FROM ((SELECT * FROM expected EXCEPT ALL SELECT * FROM stored) UNION ALL (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected)) AS drift`);
  const days = await prisma.$queryRaw<Array<{ n: number }>>(Prisma.sql`
    WITH expected AS (${DAY_ROWS_OF_HOURS}),
         stored AS (SELECT dimension, day, kind, value, sum(events)::bigint AS events FROM telemetry_rollup_day GROUP BY 1, 2, 3, 4 HAVING sum(events) <> 0)
    SELECT count(*)::int AS n FROM ((SELECT * FROM expected EXCEPT ALL SELECT * FROM stored) UNION ALL (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected)) AS drift`);
  return Number(rows[0]?.n) + Number(days[0]?.n);
}
