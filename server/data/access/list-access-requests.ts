// Every request and decision, searchable by requester, approver, group,
// outcome and time (newest first, at most LIMIT). Admins and auditors search
// all of them; a group's named approvers, their groups' and their own; anyone
// else, their own. Audited (access.request_search) with the filters.
import "server-only";
import type { Prisma } from "@/server/db/generated/client";
import { audited } from "@/server/access/audited";
import { parseInput } from "@/server/http/parse-input";
import { DAY_MS } from "@/server/data/admin/access-list";
import { approverGroupsOf, requestDto, requestInclude } from "./rules";
import { searchAccessRequestsInputSchema } from "./schemas";
import type { AccessRequestListDto } from "./types";

export const ACCESS_REQUEST_LIST_LIMIT = 100;

const personMatches = (text: string): Prisma.PersonWhereInput => ({
  OR: [{ email: { contains: text.toLowerCase() } }, { name: { contains: text, mode: "insensitive" } }],
});

export async function listAccessRequests(input: unknown): Promise<AccessRequestListDto & { pendingForMe: AccessRequestListDto["items"] }> {
  return audited({ action: "access.request_search", permission: null, allowWithoutGrant: true, details: { targetType: "access_request" } }, async ({ tx, actor }) => {
    const query = parseInput(searchAccessRequestsInputSchema, input);
    const now = new Date();
    const groups = await approverGroupsOf(tx, actor);
    const scope: AccessRequestListDto["scope"] = groups === "all" || actor.roles.includes("auditor") ? "all" : groups.length > 0 ? "approver" : "own";
    const visible: Prisma.AccessRequestWhereInput =
      scope === "all" ? {} : scope === "approver" && groups !== "all" ? { OR: [{ requesterId: actor.personId }, { groupKey: { in: groups } }] } : { requesterId: actor.personId };
    const where: Prisma.AccessRequestWhereInput = {
      AND: [
        visible,
        query.requester ? { requester: personMatches(query.requester) } : {},
        query.approver
          ? { OR: [{ approvals: { some: { approver: personMatches(query.approver) } } }, { status: "denied", decidedBy: personMatches(query.approver) }] }
          : {},
        query.group ? { groupKey: query.group } : {},
        query.status ? { status: query.status } : {},
        query.from ? { createdAt: { gte: new Date(`${query.from}T00:00:00Z`) } } : {},
        query.to ? { createdAt: { lt: new Date(Date.parse(`${query.to}T00:00:00Z`) + DAY_MS) } } : {},
      ],
    };
    const rows = await tx.accessRequest.findMany({ where, include: requestInclude, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: ACCESS_REQUEST_LIST_LIMIT + 1 });
    const pending =
      groups === "all" || groups.length > 0
        ? await tx.accessRequest.findMany({
            where: {
              status: "pending",
              lapsesAt: { gt: now },
              requesterId: { not: actor.personId },
              approvals: { none: { approverId: actor.personId } },
              ...(groups === "all" ? {} : { groupKey: { in: groups } }),
            },
            include: requestInclude,
            orderBy: [{ createdAt: "asc" }, { id: "asc" }],
            take: ACCESS_REQUEST_LIST_LIMIT,
          })
        : [];
    const items = rows.slice(0, ACCESS_REQUEST_LIST_LIMIT).map((row) => requestDto(row, now));
    return {
      value: { items, truncated: rows.length > ACCESS_REQUEST_LIST_LIMIT, scope, pendingForMe: pending.map((row) => requestDto(row, now)) },
      audit: { filters: { view: "access_requests", scope, ...query }, rowCount: items.length },
    };
  });
}
