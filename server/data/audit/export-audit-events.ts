// CSV export of the audit rows matching the console's filter, capped at
// EXPORT_MAX_ROWS, itself audited (audit.export) with the row count and the
// SHA-256 of the file served. The file is written and hashed inside the
// audited transaction and streamed only after it commits (server/csv/csv-export.ts).
// Audit rows carry values that came from outside (machine ids, user agents,
// filters): every cell goes through the formula guard, list cells after joining.
import "server-only";
import { auditFilterSchema, type AuditCursor } from "@/lib/audit/audit-query";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { exportCsv, type CsvExport } from "@/server/csv/csv-export";
import { parseInput } from "@/server/http/parse-input";
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

export async function exportAuditEvents(input: unknown): Promise<CsvExport> {
  const maxRows = getEnv().EXPORT_MAX_ROWS;
  return exportCsv("tp-audit-export", (file) =>
    audited({ action: "audit.export", permission: "audit.read", requirePurpose: false }, async ({ tx }) => {
      const filters = parseInput(auditFilterSchema, input);
      const where = auditWhere(filters);
      await file.writeRows([COLUMNS.map(([name]) => name)]);
      let rowCount = 0;
      let truncated = false;
      let cursor: AuditCursor | null = null;
      for (;;) {
        const want = Math.min(PAGE_SIZE, maxRows - rowCount);
        const rows: AuditSqlRow[] = await tx.$queryRaw<AuditSqlRow[]>(auditPageQuery(where, "time_desc", cursor, want + 1));
        const page: AuditRowDto[] = rows.slice(0, want).map(toAuditRowDto);
        await file.writeRows(page.map((row) => COLUMNS.map(([, get]) => get(row))));
        rowCount += page.length;
        const last = page.at(-1);
        if (rows.length <= want || !last) break;
        if (rowCount >= maxRows) {
          truncated = true;
          break;
        }
        cursor = { sort: "time_desc" as const, occurredAt: last.occurredAt, id: last.id };
      }
      const { sha256, byteLength } = await file.seal();
      const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
      return {
        value: { filename: `audit-trail-${stamp}.csv`, rowCount, sha256, byteLength, truncated, maxRows },
        audit: { targetType: "export", filters: { ...filters, maxRows, truncated }, rowCount, fileSha256: sha256 },
      };
    }),
  );
}
