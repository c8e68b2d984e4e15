// The top values of one facetable field (lib/telemetry/fields.ts `facetable`)
// with their counts, for the current filters and time range: the explorer's
// pickers and GET /api/v1/events/facets. Audited (events.facets) like a list:
// the filters and the field asked (`filters`), the values and counts
// disclosed (`after`), the field's class.
//
// Within the person's scope: a field whose class the scope grants on no
// permitted kind is refused (403 naming `field`), and only the kinds on which
// it is granted are counted, as for a filter on that field. The field's own
// filter is left out, so the picker shows the alternatives to the value
// chosen (the other filters all apply). The counts come from the per-hour
// rollups whenever the other filters are kinds and time only.
import "server-only";
import { eventFacetQuerySchema, withoutFieldFilter, type EventFilters, type FacetFieldKey } from "@/lib/telemetry/event-query";
import { fieldSpec, type FieldKey, type FieldSpec } from "@/lib/telemetry/fields";
import type { EventKind } from "@/lib/telemetry/vocabulary";
import type { EventFacets } from "@/lib/telemetry/event-types";
import { audited } from "@/server/access/audited";
import { Prisma } from "@/server/db/generated/client";
import { parseInput } from "@/server/http/parse-input";
import { describeQuery } from "@/server/telemetry/describe-query";
import { listWhere, planEventQuery, type RawRunner } from "@/server/telemetry/event-sql";
import { hourlyCounts, withoutParallelWorkers, type CountSource, type RollupDimension } from "@/server/telemetry/rollups";

const { sql, raw } = Prisma;

type FacetRow = { value: string; count: number };

/**
 * The top `limit` values of `field` with their counts (most first, then by
 * value as text): from the per-hour rollups when the filters are kinds and
 * time only (server/telemetry/rollups.ts), else from telemetry_event.
 * `source` forces one (the equality test).
 */
export async function facetCounts(
  tx: RawRunner,
  field: FieldSpec & { key: FieldKey },
  kinds: readonly EventKind[],
  filters: EventFilters,
  now: Date,
  limit: number,
  source?: CountSource,
): Promise<FacetRow[]> {
  // no time grouping: whole days may come from the per-day rollups
  const counts = field.facetable ? hourlyCounts(field.key as RollupDimension, kinds, filters, now, source, "day") : null;
  if (counts?.source === "rollups") {
    await withoutParallelWorkers(tx);
    return tx.$queryRaw<FacetRow[]>(
      sql`SELECT value, sum(events)::int AS count FROM (${counts.query}) AS counts
          GROUP BY value ORDER BY 2 DESC, value ASC LIMIT ${limit}::int`,
    );
  }
  const column = raw(field.column);
  return tx.$queryRaw<FacetRow[]>(
    sql`SELECT ${column}::text AS value, count(*)::int AS count FROM telemetry_event
        WHERE ${listWhere(kinds, filters, null, now)} AND ${column} IS NOT NULL
        GROUP BY 1 ORDER BY 2 DESC, 1 ASC LIMIT ${limit}::int`,
  );
}

export async function listEventFacets(input: unknown): Promise<EventFacets> {
  return audited({ action: "events.facets", permission: "telemetry.read", rawSql: true }, async ({ tx, actor }) => {
    // Parsed inside the gate: an anonymous caller hears 401 before any 400.
    const query = parseInput(eventFacetQuerySchema, input);
    const field = fieldSpec(query.field);
    const filters = withoutFieldFilter(query.filters, field.key);
    const plan = planEventQuery(actor.scope, filters, null, field);
    const now = new Date();

    // One more than asked tells whether more values exist.
    const rows = plan.kinds.length > 0 ? await facetCounts(tx, field, plan.kinds, filters, now, query.limit + 1) : [];
    const values = rows.slice(0, query.limit).map(({ value, count }) => ({
      value: field.value === "country" ? value.trim() : value,
      count: Number(count),
      ...(field.valueLabels?.[value] ? { label: field.valueLabels[value] } : {}),
    }));

    return {
      value: { field: query.field as FacetFieldKey, label: field.filterLabel ?? field.label, values, more: rows.length > query.limit, kinds: plan.kinds },
      audit: {
        filters: { ...describeQuery(filters, plan.kinds, now), field: query.field, limit: query.limit },
        after: { field: query.field, values: values.map(({ value, count }) => ({ value, count })) },
        rowCount: values.length,
        fieldClasses: field.fieldClass ? [field.fieldClass] : [],
        targetType: "facet",
      },
    };
  });
}
