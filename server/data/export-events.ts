// Export the events matching the current filter as CSV: only the columns the
// person's scope grants (never `content`), at most EXPORT_MAX_ROWS rows,
// audited (events.export) with the row count and the SHA-256 of the file.
//
// Fail-closed design. The audit row must name the hash of the bytes served,
// and it must be committed before a single byte leaves. Streaming straight from
// the database to the client cannot do both: the hash is known only at the end,
// when the bytes are already out. So the export runs in two stages:
//
//   1. Inside the audited transaction, pages are pulled with the keyset order
//      (a bounded number of rows in memory at a time) and appended to a private
//      temporary file (mode 0600, in its own mkdtemp directory) while a SHA-256
//      runs over the same bytes. The work then returns the row count and hash,
//      and the gate writes the audit row last and commits.
//   2. Only after the commit does the caller get a ReadableStream that pulls the
//      file from disk in chunks; the file is deleted when the stream ends, fails
//      or is cancelled (client gone).
//
// If the audit row cannot be written, the transaction rolls back, the file is
// deleted and nothing is served (503). A temporary file rather than memory
// keeps a 100,000-row export from holding tens of megabytes per request; a
// second query pass (hash first, stream later) was rejected because the
// second pass could see different rows than the hashed one.
import "server-only";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { visibleFieldClasses } from "@/lib/access/policy";
import { availableEventColumns, EVENT_COLUMN_IDS, type EventColumnId } from "@/lib/telemetry/event-columns";
import { eventExportQuerySchema, type EventCursor } from "@/lib/telemetry/event-query";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { parseInput } from "@/server/http/parse-input";
import { csvHeader, csvLine } from "@/server/telemetry/csv";
import { describeQuery } from "@/server/telemetry/describe-query";
import { classesDisclosedBy, EVENT_ROW_COLUMNS, toEventDto, type EventRow } from "@/server/telemetry/event-dto";
import { cursorAfter, listWhere, pageQuery, planEventQuery } from "@/server/telemetry/event-sql";
import type { FieldClass } from "@/lib/telemetry/vocabulary";

const EXPORT_PAGE_SIZE = 1_000;
const READ_CHUNK_BYTES = 64 * 1024;

export type EventExport = {
  filename: string;
  rowCount: number;
  /** SHA-256 (hex) of the bytes `body` yields: the value in the audit row */
  sha256: string;
  byteLength: number;
  /** true when more rows matched than the cap allows */
  truncated: boolean;
  maxRows: number;
  columns: EventColumnId[];
  body: ReadableStream<Uint8Array>;
};

type WrittenFile = Omit<EventExport, "body"> & { file: string };

export async function exportEvents(input: unknown): Promise<EventExport> {
  const maxRows = getEnv().EXPORT_MAX_ROWS;
  const directory = await mkdtemp(path.join(os.tmpdir(), "tp-export-"));
  const removeDirectory = () => rm(directory, { recursive: true, force: true });
  try {
    const written = await audited({ action: "events.export", permission: "telemetry.read" }, async ({ tx, actor }) => {
      const query = parseInput(eventExportQuerySchema, input);
      const plan = planEventQuery(actor.scope, query.filters, query.sort);
      const now = new Date();
      const where = listWhere(plan.kinds, query.filters, query.sort, now);
      const available = availableEventColumns(visibleFieldClasses(actor.scope));
      const columns = (query.columns ?? EVENT_COLUMN_IDS).filter((column): column is EventColumnId => available.includes(column));

      const file = path.join(directory, "events.csv");
      const out = createWriteStream(file, { flags: "wx", mode: 0o600 });
      const closed = new Promise<void>((resolve, reject) => {
        out.on("close", resolve);
        out.on("error", reject);
      });
      const hash = createHash("sha256");
      let byteLength = 0;
      const write = async (text: string) => {
        const bytes = Buffer.from(text, "utf8");
        hash.update(bytes);
        byteLength += bytes.length;
        if (!out.write(bytes)) await new Promise<void>((resolve) => out.once("drain", resolve));
      };

      const machineIds = new Set<string>();
      const disclosed = new Set<FieldClass>();
      let rowCount = 0;
      let truncated = false;
      try {
        await write(csvHeader(columns));
        let cursor: EventCursor | null = null;
        while (plan.kinds.length > 0) {
          const want = Math.min(EXPORT_PAGE_SIZE, maxRows - rowCount);
          // Ask one row more than wanted: at the cap, it tells whether rows were left out.
          const rows = await tx.$queryRaw<EventRow[]>(pageQuery(EVENT_ROW_COLUMNS, where, query.sort, cursor, want + 1));
          const page = rows.slice(0, want);
          await write(page.map((row) => csvLine(toEventDto(row, actor.scope), columns)).join(""));
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
      } finally {
        out.end();
        await closed;
      }

      const sha256 = hash.digest("hex");
      const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z").replace("T", "-");
      return {
        value: { file, filename: `telemetry-events-${stamp}.csv`, rowCount, sha256, byteLength, truncated, maxRows, columns },
        audit: {
          filters: { ...describeQuery(query.filters, plan.kinds, now, { sort: query.sort }), columns, maxRows, truncated },
          rowCount,
          fileSha256: sha256,
          machineIds: [...machineIds],
          fieldClasses: [...disclosed].sort(),
          targetType: "export",
        },
      };
    });
    return { ...withoutFile(written), body: streamFile(written.file, removeDirectory) };
  } catch (error) {
    await removeDirectory();
    throw error;
  }
}

function withoutFile({ file: _file, ...rest }: WrittenFile): Omit<EventExport, "body"> {
  return rest;
}

/** Pulls the committed file from disk, then deletes it (also when the reader cancels). */
function streamFile(file: string, cleanup: () => Promise<void>): ReadableStream<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  const finish = async () => {
    const current = handle;
    handle = null;
    await current?.close().catch(() => undefined);
    await cleanup();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          handle ??= await open(file, "r");
          const buffer = new Uint8Array(READ_CHUNK_BYTES);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
          if (bytesRead === 0) {
            await finish();
            controller.close();
            return;
          }
          controller.enqueue(buffer.subarray(0, bytesRead));
        } catch (error) {
          await finish();
          controller.error(error);
        }
      },
      cancel: finish,
    },
    { highWaterMark: 0 },
  );
}
