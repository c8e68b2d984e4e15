// Export the events matching the current filter as CSV: only the columns the
// person's scope grants (never `content`), at most EXPORT_MAX_ROWS rows,
// audited (events.export) with the row count and the SHA-256 of the file.
//
// Fail-closed, like every export (server/csv/csv-export.ts): inside the audited
// transaction, pages are pulled with the keyset order (a bounded number of rows
// in memory at a time) and appended to a private temporary file while a
// SHA-256 runs over the same bytes; the gate writes the audit row with that
// hash last and commits; only then is the file streamed. If the audit row
// cannot be written, the transaction rolls back, the file is deleted and
// nothing is served (503). A temporary file rather than memory keeps a
// 100,000-row export from holding tens of megabytes per request; a second query
// pass (hash first, stream later) was rejected because the second pass could
// see different rows than the hashed one.
//
// Telemetry values come from producers outside: every cell goes through the
// formula guard (server/csv/cell-text.ts), list cells such as postProcessing
// after joining.
import "server-only";
import { visibleFieldClasses } from "@/lib/access/policy";
import { availableEventColumns, EVENT_COLUMN_IDS, type EventColumnId } from "@/lib/telemetry/event-columns";
import { eventExportQuerySchema, type EventCursor } from "@/lib/telemetry/event-query";
import type { EventDto } from "@/lib/telemetry/event-types";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { exportCsv, type CsvExport } from "@/server/csv/csv-export";
import { parseInput } from "@/server/http/parse-input";
import { describeQuery } from "@/server/telemetry/describe-query";
import { classesDisclosedBy, EVENT_ROW_COLUMNS, toEventDto, type EventRow } from "@/server/telemetry/event-dto";
import { cursorAfter, listWhere, pageQuery, planEventQuery } from "@/server/telemetry/event-sql";
import type { FieldClass } from "@/lib/telemetry/vocabulary";

const EXPORT_PAGE_SIZE = 1_000;

export type EventExport = CsvExport & { columns: EventColumnId[] };

/** One event as CSV cells: the id, then the chosen columns; a column outside the person's scope for this kind is an empty cell. */
function eventCells(event: EventDto, columns: readonly EventColumnId[]): unknown[] {
  const record = event as Record<string, unknown>;
  return [event.id, ...columns.map((column) => record[column])];
}

export async function exportEvents(input: unknown): Promise<EventExport> {
  const maxRows = getEnv().EXPORT_MAX_ROWS;
  return exportCsv("tp-export", (file) =>
    audited({ action: "events.export", permission: "telemetry.read" }, async ({ tx, actor }) => {
      const query = parseInput(eventExportQuerySchema, input);
      const plan = planEventQuery(actor.scope, query.filters, query.sort);
      const now = new Date();
      const where = listWhere(plan.kinds, query.filters, query.sort, now);
      const available = availableEventColumns(visibleFieldClasses(actor.scope));
      const columns = (query.columns ?? EVENT_COLUMN_IDS).filter((column): column is EventColumnId => available.includes(column));

      const machineIds = new Set<string>();
      const disclosed = new Set<FieldClass>();
      let rowCount = 0;
      let truncated = false;
      await file.writeRows([["id", ...columns]]);
      let cursor: EventCursor | null = null;
      while (plan.kinds.length > 0) {
        const want = Math.min(EXPORT_PAGE_SIZE, maxRows - rowCount);
        // Ask one row more than wanted: at the cap, it tells whether rows were left out.
        const rows = await tx.$queryRaw<EventRow[]>(pageQuery(EVENT_ROW_COLUMNS, where, query.sort, cursor, want + 1));
        const page = rows.slice(0, want);
        await file.writeRows(page.map((row) => eventCells(toEventDto(row, actor.scope), columns)));
        rowCount += page.length;
        for (const row of page) machineIds.add(row.machine_id);
        for (const fieldClass of classesDisclosedBy(page, actor.scope)) disclosed.add(fieldClass);
        const last = page.at(-1);
        if (rows.length <= want || !last) break;
        if (rowCount >= maxRows) {
          truncated = true;
          break;
        }
        cursor = cursorAfter(query.sort, last);
      }

      const { sha256, byteLength } = await file.seal();
      const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z").replace("T", "-");
      return {
        value: { filename: `telemetry-events-${stamp}.csv`, rowCount, sha256, byteLength, truncated, maxRows, columns },
        audit: {
          filters: { ...describeQuery(query.filters, plan.kinds, now, { sort: query.sort }), columns, maxRows, truncated },
          rowCount,
          fileSha256: sha256,
          machineIds: [...machineIds],
          fieldClasses: [...disclosed].sort(),
          targetType: "export",
        },
      };
    }),
  );
}
