// One audit row, in full, for the auditor (audit.view).
import "server-only";
import { z } from "zod";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { auditRowByIdQuery, toAuditRowDto, type AuditRowDto, type AuditSqlRow } from "./audit-rows";

const auditIdSchema = z.string().regex(/^\d{1,19}$/, "must be an audit row number");

export async function getAuditEvent(id: unknown): Promise<AuditRowDto> {
  return audited({ action: "audit.view", permission: "audit.read", requirePurpose: false, details: { targetType: "audit_event" } }, async ({ tx }) => {
    const rowId = parseInput(auditIdSchema, id);
    const [row] = await tx.$queryRaw<AuditSqlRow[]>(auditRowByIdQuery(rowId));
    if (!row) throw new AppError("not_found", `There is no audit row ${rowId}.`);
    return { value: toAuditRowDto(row), audit: { targetId: rowId } };
  });
}
