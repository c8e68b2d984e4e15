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
// chosen (the other filters all apply).
import "server-only";
import { eventFacetQuerySchema, withoutFieldFilter, type FacetFieldKey } from "@/lib/telemetry/event-query";
import { fieldSpec } from "@/lib/telemetry/fields";
import type { EventFacets } from "@/lib/telemetry/event-types";
import { audited } from "@/server/access/audited";
import { Prisma } from "@/server/db/generated/client";
import { parseInput } from "@/server/http/parse-input";
import { describeQuery } from "@/server/telemetry/describe-query";
import { listWhere, planEventQuery } from "@/server/telemetry/event-sql";

const { sql, raw } = Prisma;

export async function listEventFacets(input: unknown): Promise<EventFacets> {
  return audited({ action: "events.facets", permission: "telemetry.read" }, async ({ tx, actor }) => {
    // Parsed inside the gate: an anonymous caller hears 401 before any 400.
    const query = parseInput(eventFacetQuerySchema, input);
    const field = fieldSpec(query.field);
    const filters = withoutFieldFilter(query.filters, field.key);
    const plan = planEventQuery(actor.scope, filters, null, field);
    const now = new Date();

    let rows: Array<{ value: string; count: number }> = [];
    if (plan.kinds.length > 0) {
      const column = raw(field.column);
      const where = listWhere(plan.kinds, filters, null, now);
      // One more than asked tells whether more values exist.
      rows = await tx.$queryRaw<Array<{ value: string; count: number }>>(
        sql`SELECT ${column}::text AS value, count(*)::int AS count FROM telemetry_event
            WHERE ${where} AND ${column} IS NOT NULL
            GROUP BY ${column} ORDER BY count(*) DESC, ${column} ASC LIMIT ${query.limit + 1}::int`,
      );
    }
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
