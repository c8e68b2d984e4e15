// Export the events matching the current filter as CSV: only the columns the
// person's scope grants (never `content`), at most EXPORT_MAX_ROWS rows,
// audited (events.export) with the row count and the SHA-256 of the file.
//
// Fail-closed, like every export (server/csv/csv-export.ts), and with flat
// memory whatever the row count. Inside the audited transaction:
//
//   1. one query, opened as a server-side cursor (DECLARE … NO SCROLL CURSOR),
//      is read a batch at a time (FETCH FORWARD); the whole export sees one
//      snapshot, and the query is planned once;
//   2. each batch becomes cells, goes through csv-stringify and the SHA-256
//      into a private temporary file, and only when the file has taken it
//      (back-pressure) is the next batch fetched: one batch is ever in memory;
//   3. the file is sealed; the gate writes the audit row with its hash, the
//      row count and the machine ids last, and commits;
//   4. only then is the file streamed to the client, and deleted when the
//      stream ends, fails or the client goes away.
//
// If the audit row cannot be written, the transaction rolls back, the file is
// deleted and nothing is served (503). A temporary file rather than memory
// keeps a 100,000-row export off the heap; a second query pass (hash first,
// stream later) was rejected because the second pass could see different rows
// than the hashed one.
//
// Telemetry values come from producers outside: every cell goes through the
// formula guard (server/csv/cell-text.ts), list cells such as postProcessing
// after joining.
import "server-only";
import { visibleFieldClasses } from "@/lib/access/policy";
import { availableEventColumns, EVENT_COLUMN_IDS, type EventColumnId } from "@/lib/telemetry/event-columns";
import { eventExportQuerySchema } from "@/lib/telemetry/event-query";
import { FIELD_LIST, type FieldKey } from "@/lib/telemetry/fields";
import type { EventKind, FieldClass } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { exportCsv, type CsvExport } from "@/server/csv/csv-export";
import { Prisma } from "@/server/db/generated/client";
import { parseInput } from "@/server/http/parse-input";
import { describeQuery } from "@/server/telemetry/describe-query";
import { disclosedClasses, eventCellsReader, type EventRow } from "@/server/telemetry/event-dto";
import { listWhere, pageQuery, planEventQuery } from "@/server/telemetry/event-sql";

/** Rows per FETCH: small enough that a batch dies young in V8's heap, large enough that round trips do not dominate. */
export const EXPORT_BATCH_ROWS = 500;

const CURSOR = "tp_event_export";

export type EventExport = CsvExport & { columns: EventColumnId[] };

/** For tests: the batch size, and a look at each batch as it is fetched (its size, the bytes already in the file). */
export type ExportProbe = { batchRows?: number; onBatch?: (batch: { rows: number; bytesWritten: number }) => void };

/**
 * What the export reads of each row: the id, kind and machine id (for the
 * audit row) and the chosen columns, never the content, encoded by
 * PostgreSQL as ONE JSON array per row. Forty values per row through the ORM
 * cost forty conversions and objects, garbage that V8 promotes to its old
 * space faster than it collects it; one text per row costs one (bench:export:
 * a third to half less time, and less heap growth, though not yet reliably
 * under the 64 MiB target — docs/ARCHITECTURE.md, CSV exports).
 */
function exportRowReader(columns: readonly EventColumnId[]) {
  const keys = new Set<FieldKey>(["id", "kind", "machineId", ...columns]);
  const fields = FIELD_LIST.filter((field) => keys.has(field.key));
  const select = Prisma.raw(`json_build_array(${fields.map((field) => (field.value === "uuid" || field.value === "kind" || field.value === "uiKind" ? `${field.column}::text` : field.column)).join(", ")})::text AS r`);
  /** The JSON array back as a row keyed by column, as the ORM would give it (timestamps as Dates). */
  const decode = (text: string): EventRow => {
    const values = JSON.parse(text) as unknown[];
    const row: Record<string, unknown> = {};
    for (let index = 0; index < fields.length; index++) {
      const field = fields[index]!;
      const value = values[index] ?? null;
      row[field.column] = field.value === "timestamp" && typeof value === "string" ? new Date(value) : value;
    }
    return row as EventRow;
  };
  return { select, decode };
}

export function exportEvents(input: unknown): Promise<EventExport> {
  return exportEventsProbed(input, {});
}

/** exportEvents, with the test probe. */
export async function exportEventsProbed(input: unknown, probe: ExportProbe): Promise<EventExport> {
  const maxRows = getEnv().EXPORT_MAX_ROWS;
  const batchRows = probe.batchRows ?? EXPORT_BATCH_ROWS;
  return exportCsv("tp-export", (file) =>
    audited({ action: "events.export", permission: "telemetry.read" }, async ({ tx, actor }) => {
      const query = parseInput(eventExportQuerySchema, input);
      const plan = planEventQuery(actor.scope, query.filters, query.sort);
      const now = new Date();
      const where = listWhere(plan.kinds, query.filters, query.sort, now);
      const available = availableEventColumns(visibleFieldClasses(actor.scope));
      const columns = (query.columns ?? EVENT_COLUMN_IDS).filter((column): column is EventColumnId => available.includes(column));
      const cellsOf = eventCellsReader(actor.scope, ["id", ...columns]);
      const reader = exportRowReader(columns);

      // What the audit row records, gathered as rows pass: distinct machine ids and kinds, not the rows.
      const machineIds = new Set<string>();
      const kinds = new Set<EventKind>();
      let rowCount = 0;
      let truncated = false;

      async function* batches(): AsyncGenerator<unknown[][]> {
        yield [["id", ...columns]];
        if (plan.kinds.length === 0) return;
        // One row more than the cap: it tells whether rows were left out.
        await tx.$executeRaw(Prisma.sql`DECLARE ${Prisma.raw(CURSOR)} NO SCROLL CURSOR FOR ${pageQuery(reader.select, where, query.sort, null, maxRows + 1)}`);
        for (;;) {
          const batch = await tx.$queryRawUnsafe<Array<{ r: string }>>(`FETCH FORWARD ${batchRows} FROM ${CURSOR}`);
          probe.onBatch?.({ rows: batch.length, bytesWritten: file.bytesWritten() });
          const cells: unknown[][] = [];
          for (const { r } of batch) {
            const row = reader.decode(r);
            if (rowCount === maxRows) {
              truncated = true;
              break;
            }
            rowCount++;
            machineIds.add(row.machine_id);
            kinds.add(row.kind);
            cells.push(cellsOf(row));
          }
          yield cells;
          if (truncated || batch.length < batchRows) break;
        }
        await tx.$executeRawUnsafe(`CLOSE ${CURSOR}`);
      }
      await file.streamRows(batches());

      const disclosed = new Set<FieldClass>();
      for (const kind of kinds) for (const fieldClass of disclosedClasses(actor.scope, kind)) disclosed.add(fieldClass);
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
