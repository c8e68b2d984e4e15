// Save the explorer's current query as a named view, personal or shared with
// a group the person is in (sharing with any other group is refused, 403).
// The query is validated by the explorer's registry-derived schema (422
// naming the parameter) and must be one the person may run themselves.
// Audited (views.save) with the view's id and what was stored.
import "server-only";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { fitViewToScope, parseViewQuery, saveViewInputSchema } from "@/lib/telemetry/saved-view";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { toViewDto, VIEW_SELECT, type SavedViewDto } from "./view-dto";

export async function saveView(input: unknown): Promise<SavedViewDto> {
  return audited({ action: "views.save", permission: "telemetry.read", details: { targetType: "saved_view" } }, async ({ tx, actor }) => {
    const { name, visibility, group, query } = parseInput(saveViewInputSchema, input);
    const parsed = parseViewQuery(query);
    if (!parsed.ok) throw new AppError("unprocessable", parsed.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; "), parsed.issues);
    if (visibility === "group" && group && !actor.groups.includes(group)) {
      throw new AppError("forbidden", `You may not share a view with ${GROUP_LABELS[group]}: you are not a member of it.`, [
        { path: "group", message: "you are not a member of this group" },
      ]);
    }
    // A view is saved as its owner could run it: nothing the owner's own scope leaves out.
    const { notices } = fitViewToScope(actor.scope, parsed.query);
    if (notices.length > 0) {
      throw new AppError(
        "unprocessable",
        notices.map((notice) => notice.message.replace(/^This view/, "The query")).join(" "),
        notices.map((notice) => ({ path: `query.${notice.param}`, message: "is outside your access" })),
      );
    }
    const row = await tx.savedView.create({
      data: { ownerId: actor.personId, name, visibility, groupKey: visibility === "group" ? group! : null, query: parsed.params },
      select: VIEW_SELECT,
    });
    return {
      value: toViewDto(row, actor.personId),
      audit: { targetId: row.id, after: { name: row.name, visibility: row.visibility, group: row.groupKey, query: parsed.params } },
    };
  });
}
