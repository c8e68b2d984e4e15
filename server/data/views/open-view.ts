// Open a saved view: the owner, or a member of the group it is shared with
// (anyone else hears the same 404 as for a view that does not exist). The
// stored query is validated again by the explorer's schema, then fitted to
// the opener's scope: what the opener may not use is left out and named in a
// notice. Audited (views.open) with the view's id, the stored query and the
// parameters left out. The events themselves are listed (and audited) by
// the explorer's own list.
import "server-only";
import { fitViewToScope, paramsFromSearch, parseViewQuery, viewIdInputSchema, type ViewNotice, type ViewParams } from "@/lib/telemetry/saved-view";
import { canSeeView } from "@/lib/telemetry/saved-view";
import { listQueryToSearchParams } from "@/lib/telemetry/event-query";
import { audited } from "@/server/access/audited";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { planEventQuery } from "@/server/telemetry/event-sql";
import { toViewDto, toViewParams, VIEW_NOT_FOUND, VIEW_SELECT, type SavedViewDto } from "./view-dto";

export type OpenedView = {
  view: SavedViewDto;
  /** the query to run for this opener: the stored one, less what their scope leaves out */
  params: ViewParams;
  /** what was left out, named */
  notices: ViewNotice[];
};

const wellFormedId = (input: { id: unknown }) => (typeof input.id === "string" && /^[0-9a-f-]{36}$/i.test(input.id) ? input.id : undefined);

export async function openView(input: { id: unknown }): Promise<OpenedView> {
  const targetId = wellFormedId(input);
  return audited(
    { action: "views.open", permission: "telemetry.read", details: { targetType: "saved_view", ...(targetId ? { targetId } : {}) } },
    async ({ tx, actor }) => {
      const { id } = parseInput(viewIdInputSchema, input);
      const row = await tx.savedView.findUnique({ where: { id }, select: VIEW_SELECT });
      if (!row || !canSeeView(row, actor)) throw new AppError("not_found", VIEW_NOT_FOUND);
      const stored = toViewParams(row);
      const parsed = parseViewQuery(stored);
      if (!parsed.ok) {
        throw new AppError(
          "unprocessable",
          `This view's saved query is no longer valid: ${parsed.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}. Its owner can save it again.`,
          parsed.issues,
        );
      }
      const fitted = fitViewToScope(actor.scope, parsed.query);
      // The fitted query must be one the list accepts for this scope (planEventQuery throws otherwise: a bug, not a 0).
      planEventQuery(actor.scope, fitted.query.filters, fitted.query.sort);
      return {
        value: { view: toViewDto(row, actor.personId), params: paramsFromSearch(listQueryToSearchParams(fitted.query)), notices: fitted.notices },
        audit: { filters: { view: stored, leftOut: fitted.notices.map((notice) => notice.param) } },
      };
    },
  );
}
