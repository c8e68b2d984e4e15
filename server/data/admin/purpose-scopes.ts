// What each declared purpose lets a session see (table purpose_scope): listed
// for admins and changed with a justification. A change takes effect on every
// session's next request (resolve-actor reads the row each time). Audited:
// admin.view and admin.purpose_scope_update (before/after).
import "server-only";
import { canonicalFieldClasses } from "@/lib/access/purpose-scope";
import { PURPOSES, type FieldClass, type Purpose } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { lockAccessList } from "./access-list";
import { updatePurposeScopeInputSchema } from "./schemas";

export type PurposeScopeDto = { purpose: Purpose; fieldClasses: FieldClass[]; justification: string; updatedAt: string };

export async function listPurposeScopes(): Promise<PurposeScopeDto[]> {
  return audited({ action: "admin.view", permission: "access.manage", details: { targetType: "purpose" } }, async ({ tx }) => {
    const rows = await tx.purposeScope.findMany();
    const items = PURPOSES.flatMap((purpose) => {
      const row = rows.find((candidate) => candidate.purpose === purpose);
      return row
        ? [{ purpose, fieldClasses: canonicalFieldClasses(row.fieldClasses), justification: row.justification, updatedAt: row.updatedAt.toISOString() }]
        : [];
    });
    return { value: items, audit: { filters: { view: "purposes" }, rowCount: items.length } };
  });
}

const purposeHint = (input: unknown) => {
  const value = typeof input === "object" && input !== null ? (input as Record<string, unknown>).purpose : undefined;
  return typeof value === "string" && (PURPOSES as readonly string[]).includes(value) ? value : undefined;
};

export async function updatePurposeScope(input: unknown): Promise<Pick<PurposeScopeDto, "purpose" | "fieldClasses">> {
  return audited(
    { action: "admin.purpose_scope_update", permission: "access.manage", details: { targetType: "purpose", targetId: purposeHint(input) } },
    async ({ tx, actor }) => {
      const parsed = parseInput(updatePurposeScopeInputSchema, input);
      await lockAccessList(tx, actor, new Date());
      const row = await tx.purposeScope.findUnique({ where: { purpose: parsed.purpose } });
      if (!row) throw new AppError("not_found", "No such purpose.");
      // Canonical order, no duplicates: the audit row compares like with like.
      const before = { fieldClasses: canonicalFieldClasses(row.fieldClasses) };
      const fieldClasses = canonicalFieldClasses(parsed.fieldClasses);
      if (before.fieldClasses.join() === fieldClasses.join()) {
        throw new AppError("unprocessable", "Nothing to change: this purpose already allows exactly these field classes.");
      }
      await tx.purposeScope.update({ where: { purpose: parsed.purpose }, data: { fieldClasses, justification: parsed.justification } });
      return {
        value: { purpose: parsed.purpose, fieldClasses },
        audit: { targetType: "purpose", targetId: parsed.purpose, reason: parsed.justification, before, after: { fieldClasses } },
      };
    },
  );
}
