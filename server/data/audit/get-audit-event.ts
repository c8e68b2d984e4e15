// One audit row, in full, for the auditor (audit.view), with the display
// names of the groups it records.
import "server-only";
import { z } from "zod";
import { auditRowIdSchema } from "@/lib/audit/audit-query";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { auditRowByIdQuery, loadGroupNames, toAuditRowDto, type AuditRowDto, type AuditSqlRow } from "./audit-rows";

/** The id from /audit/{id} and /api/v1/audit/{id}: a bigint in range, or a 400 naming `id` (never a database error). */
const auditRowIdInputSchema = z.strictObject({ id: auditRowIdSchema });

export type AuditRowDetailDto = AuditRowDto & { groupNames: Record<string, string> };

export async function getAuditEvent(id: unknown): Promise<AuditRowDetailDto> {
  return audited({ action: "audit.view", permission: "audit.read", requirePurpose: false, details: { targetType: "audit_event" } }, async ({ tx }) => {
    const { id: rowId } = parseInput(auditRowIdInputSchema, { id });
    const [row] = await tx.$queryRaw<AuditSqlRow[]>(auditRowByIdQuery(rowId));
    if (!row) throw new AppError("not_found", `There is no audit row ${rowId}.`);
    return { value: { ...toAuditRowDto(row), groupNames: await loadGroupNames(tx) }, audit: { targetId: rowId } };
  });
}
