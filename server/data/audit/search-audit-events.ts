// The auditor's search over the trail: filters, keyset pages. The search is
// itself audited (audit.search) with its filters and row count. The console
// asks for the overview too (facets, routine rows hidden, charts:
// ./audit-overview.ts), computed in the same audited transaction.
import "server-only";
import { auditSearchSchema, encodeAuditCursor } from "@/lib/audit/audit-query";
import { audited } from "@/server/access/audited";
import { parseInput } from "@/server/http/parse-input";
import { loadAuditOverview, type AuditOverview } from "./audit-overview";
import { auditPageQuery, auditWhere, loadGroupNames, toAuditRowDto, type AuditRowDto, type AuditSqlRow } from "./audit-rows";

export type LastVerificationDto = { at: string; ok: boolean; rowsChecked: number | null; by: string | null };

export type AuditSearchResult = {
  items: AuditRowDto[];
  nextCursor: string | null;
  lastVerification: LastVerificationDto | null;
  /** access_group key → display name, for the groups rows name */
  groupNames: Record<string, string>;
  /** only when asked for (the console) */
  overview?: AuditOverview;
};

type LastVerificationRow = { at: string; by: string | null; row_count: number | null; ok: boolean | null };

export async function searchAuditEvents(input: unknown, options: { overview?: boolean } = {}): Promise<AuditSearchResult> {
  return audited({ action: "audit.search", permission: "audit.read", requirePurpose: false }, async ({ tx }) => {
    const query = parseInput(auditSearchSchema, input);
    const { cursor, limit, sort, ...filters } = query;
    const rows = await tx.$queryRaw<AuditSqlRow[]>(auditPageQuery(auditWhere(filters), sort, cursor, limit + 1));
    const items = rows.slice(0, limit).map(toAuditRowDto);
    const last = items.at(-1);
    const nextCursor = rows.length > limit && last ? encodeAuditCursor({ sort, occurredAt: last.occurredAt, id: last.id }) : null;
    const [verification] = await tx.$queryRaw<LastVerificationRow[]>`
      SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor_email AS by, row_count,
             (after->>'ok')::boolean AS ok
      FROM audit_event WHERE action = 'audit.verify' AND outcome = 'allowed'
      ORDER BY occurred_at DESC, id DESC LIMIT 1`;
    const lastVerification = verification
      ? { at: verification.at, ok: verification.ok === true, rowsChecked: verification.row_count === null ? null : Number(verification.row_count), by: verification.by }
      : null;
    const groupNames = await loadGroupNames(tx);
    const overview = options.overview ? await loadAuditOverview(tx, filters) : undefined;
    return {
      value: { items, nextCursor, lastVerification, groupNames, ...(overview ? { overview } : {}) },
      audit: {
        targetType: "audit_event",
        filters: { ...filters, sort, limit, page: cursor ? "next" : "first", ...(overview ? { overview: true } : {}) },
        rowCount: items.length,
      },
    };
  });
}
