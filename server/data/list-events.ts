// List telemetry events within the person's grant: server-side filters, sort
// and keyset pagination, a cheap total, audited (events.list) with the filters
// asked, the ids of the events returned, their machines and the field classes
// disclosed. Used by the /events page (with its histogram, in one transaction)
// and GET /api/v1/events.
import "server-only";
import { visibleFieldClasses } from "@/lib/access/policy";
import { availableEventColumns, defaultEventColumns, type EventColumnId } from "@/lib/telemetry/event-columns";
import { encodeCursor, eventListQuerySchema, type EventListQuery } from "@/lib/telemetry/event-query";
import type { EventListResult } from "@/lib/telemetry/event-types";
import type { EventHistogram } from "@/lib/telemetry/histogram";
import { audited, type WorkResult } from "@/server/access/audited";
import type { Actor } from "@/server/access/resolve-actor";
import { getEnv } from "@/server/config/env";
import { getDatabase } from "@/server/db/client";
import type { Database } from "@/server/db/connect";
import { readTelemetry, type TelemetryReader } from "@/server/db/replicas";
import { parseInput } from "@/server/http/parse-input";
import { describeQuery } from "@/server/telemetry/describe-query";
import { classesDisclosedBy, EVENT_ROW_COLUMNS, toEventDto, type EventRow } from "@/server/telemetry/event-dto";
import { emptyResultHints } from "@/server/telemetry/empty-result-hints";
import { createEstimateCache, type EstimateCache } from "@/server/telemetry/estimate-cache";
import { countEvents, cursorAfter, cursorBefore, listWhere, pageQuery, pageRows, planEventQuery } from "@/server/telemetry/event-sql";
import { readHistogram } from "./event-histogram";

/** Estimated totals kept per database (server/telemetry/estimate-cache.ts). */
const estimatesByDatabase = new WeakMap<Database, EstimateCache>();

function estimatesFor(database: Database): EstimateCache {
  let estimates = estimatesByDatabase.get(database);
  if (!estimates) {
    estimates = createEstimateCache();
    estimatesByDatabase.set(database, estimates);
  }
  return estimates;
}

export async function listEvents(input: unknown): Promise<EventListResult> {
  // sharedResolution: the page's chrome and this read resolve the person once per request.
  // rawSql: only raw SQL below (and in writeAuditEvent), so on PostgreSQL the transaction skips Prisma.
  return audited({ action: "events.list", permission: "telemetry.read", sharedResolution: true, rawSql: true }, async ({ tx, actor }) => {
    // Parsed inside the gate: an anonymous caller hears 401 before any 400.
    return readList(tx, actor, parseInput(eventListQuerySchema, input), new Date());
  });
}

/**
 * The explorer page's first read: the list and the histogram of the same
 * filters in one transaction, with two audit rows (events.list, and
 * events.chart with target type "histogram", as GET /api/v1/events/histogram
 * writes). One person look-up, one BEGIN/COMMIT and one HTTP request instead
 * of two: the histogram is part of every explorer page.
 */
export async function listEventsWithHistogram(input: unknown): Promise<{ list: EventListResult; histogram: EventHistogram }> {
  return audited({ action: "events.list", permission: "telemetry.read", sharedResolution: true, rawSql: true }, async ({ tx, actor }) => {
    const query = parseInput(eventListQuerySchema, input);
    const now = new Date();
    // a filter refused by the list's plan (403) stops here, before the histogram reads anything
    const list = await readList(tx, actor, query, now);
    const histogram = await readHistogram(tx, actor.scope, query.filters, now);
    return { value: { list: list.value, histogram: histogram.value }, audit: list.audit, alsoAudit: [{ action: "events.chart", audit: histogram.audit }] };
  });
}

async function readList(tx: TelemetryReader, actor: Actor, query: EventListQuery, now: Date): Promise<WorkResult<EventListResult>> {
  const plan = planEventQuery(actor.scope, query.filters, query.sort);
  const where = listWhere(plan.kinds, query.filters, query.sort, now);

  // The telemetry rows come from a read replica when one is configured and healthy (server/db/replicas.ts),
  // else from this transaction; the person was resolved, and the audit row is written, on the primary.
  const { rows, total, emptyHints } = await readTelemetry(tx, async (reader) => {
    let rows: EventRow[] = [];
    let total = { value: 0, exact: true };
    if (plan.kinds.length > 0) {
      // One row more than the page tells whether there is a next page.
      rows = await reader.$queryRaw<EventRow[]>(pageQuery(EVENT_ROW_COLUMNS, where, query.sort, query.cursor, query.limit + 1));
      // An estimated total given in the last few seconds for this same clause is given again, without a round trip.
      total = await countEvents(reader, where, getEnv().EXACT_COUNT_THRESHOLD, estimatesFor(await getDatabase()));
    }
    // Nothing matched on the first page: say why, where the reason is one the person can act on.
    const emptyHints = total.value === 0 && !query.cursor ? await emptyResultHints(reader, actor.scope, query.filters, plan, now) : [];
    return { rows, total, emptyHints };
  });
  // A previous page is read backwards from its cursor and turned round: exactly the rows before this one.
  const page = pageRows(rows, query.cursor, query.limit);
  const [first, last] = [page.rows[0], page.rows.at(-1)];
  const nextOffset = page.offset === null ? undefined : page.offset + page.rows.length;
  const nextCursor = page.hasAfter && last ? encodeCursor({ ...cursorAfter(query.sort, last), offset: nextOffset }) : null;
  const prevCursor = page.hasBefore && first ? encodeCursor({ ...cursorBefore(query.sort, first), offset: page.offset ?? undefined }) : null;

  const available = availableEventColumns(visibleFieldClasses(actor.scope));
  // Defaults follow the kinds in view; columns the person chose stay chosen.
  const defaults = defaultEventColumns(actor.scope, plan.kinds).filter((column) => available.includes(column));
  const selected = (query.columns ?? defaults).filter((column): column is EventColumnId => available.includes(column));

  return {
    value: {
      items: page.rows.map((row) => toEventDto(row, actor.scope)),
      nextCursor,
      prevCursor,
      offset: page.offset,
      total,
      columns: { available, selected, defaults },
      ...(emptyHints.length > 0 ? { emptyHints } : {}),
    },
    audit: {
      filters: describeQuery(query.filters, plan.kinds, now, { sort: query.sort, limit: query.limit, cursor: query.cursor }),
      rowCount: page.rows.length,
      eventIds: page.rows.map((row) => row.id),
      machineIds: [...new Set(page.rows.map((row) => row.machine_id))],
      fieldClasses: classesDisclosedBy(page.rows, actor.scope),
    },
  };
}
