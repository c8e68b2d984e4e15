// CSV export of the audit rows matching the console's filter, capped at
// EXPORT_MAX_ROWS, itself audited (audit.export) with the row count and the
// SHA-256 of the file served. The file is written and hashed inside the
// audited transaction and streamed only after it commits (server/http/hashed-file.ts).
import "server-only";
import { auditFilterSchema, type AuditCursor } from "@/lib/audit/audit-query";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { createHashedFile } from "@/server/http/hashed-file";
import { parseInput } from "@/server/http/parse-input";
import { csvCell } from "@/server/telemetry/csv";
import { auditPageQuery, auditWhere, toAuditRowDto, type AuditRowDto, type AuditSqlRow } from "./audit-rows";

const PAGE_SIZE = 1_000;

const COLUMNS: Array<[string, (row: AuditRowDto) => unknown]> = [
  ["id", (row) => row.id],
  ["occurred_at", (row) => row.occurredAt],
  ["chain_id", (row) => row.chainId],
  ["seq", (row) => row.seq],
  ["request_id", (row) => row.requestId],
  ["actor_person_id", (row) => row.actor.personId],
  ["actor_email", (row) => row.actor.email],
  ["actor_employer", (row) => row.actor.employer],
  ["actor_groups", (row) => row.actor.groups],
  ["actor_roles", (row) => row.actor.roles],
  ["actor_ip", (row) => row.actorIp],
  ["actor_user_agent", (row) => row.actorUserAgent],
  ["action", (row) => row.action],
  ["outcome", (row) => row.outcome],
  ["reason", (row) => row.reason],
  ["purpose", (row) => row.purpose],
  ["purpose_detail", (row) => row.purposeDetail],
  ["target_type", (row) => row.targetType],
  ["target_id", (row) => row.targetId],
  ["event_ids", (row) => row.eventIds],
  ["machine_ids", (row) => row.machineIds],
  ["field_classes", (row) => row.fieldClasses],
  ["filters", (row) => row.filters],
  ["row_count", (row) => row.rowCount],
  ["file_sha256", (row) => row.fileSha256],
  ["before", (row) => row.before],
  ["after", (row) => row.after],
  ["prev_hash", (row) => row.prevHash],
  ["hash", (row) => row.hash],
];

export type AuditExport = { filename: string; rowCount: number; sha256: string; truncated: boolean; maxRows: number; body: ReadableStream<Uint8Array> };

export async function exportAuditEvents(input: unknown): Promise<AuditExport> {
  const maxRows = getEnv().EXPORT_MAX_ROWS;
  const file = await createHashedFile("tp-audit-export");
  try {
    const written = await audited({ action: "audit.export", permission: "audit.read", requirePurpose: false }, async ({ tx }) => {
      const filters = parseInput(auditFilterSchema, input);
      const where = auditWhere(filters);
      await file.write(`${COLUMNS.map(([name]) => name).join(",")}\r\n`);
      let rowCount = 0;
      let truncated = false;
      let cursor: AuditCursor | null = null;
      for (;;) {
        const want = Math.min(PAGE_SIZE, maxRows - rowCount);
        const rows: AuditSqlRow[] = await tx.$queryRaw<AuditSqlRow[]>(auditPageQuery(where, "time_desc", cursor, want + 1));
        const page: AuditRowDto[] = rows.slice(0, want).map(toAuditRowDto);
        await file.write(page.map((row) => `${COLUMNS.map(([, get]) => csvCell(get(row))).join(",")}\r\n`).join(""));
        rowCount += page.length;
        const last = page.at(-1);
        if (rows.length <= want || !last) break;
        if (rowCount >= maxRows) {
          truncated = true;
          break;
        }
        cursor = { sort: "time_desc" as const, occurredAt: last.occurredAt, id: last.id };
      }
      const { sha256 } = await file.seal();
      const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
      return {
        value: { filename: `audit-trail-${stamp}.csv`, rowCount, sha256, truncated, maxRows },
        audit: { targetType: "export", filters: { ...filters, maxRows, truncated }, rowCount, fileSha256: sha256 },
      };
    });
    return { ...written, body: file.stream() };
  } catch (error) {
    await file.discard();
    throw error;
  }
}
