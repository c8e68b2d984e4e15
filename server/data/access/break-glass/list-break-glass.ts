// The break-glass page: what this person may take (the groups they are on
// call for, within the seed's rules), whether the post-review gate lets them,
// their own uses, and — for auditors and admins — every use with its review
// state (unreviewed first). Open to anyone listed and active (an on-call
// person may hold no grant). Audited (access.break_glass_list).
import "server-only";
import { groupViolation, roleViolation } from "@/lib/access/eligibility";
import { GROUP_LABELS, type GroupKey } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { findPersonOrThrow, isoDate } from "@/server/data/admin/access-list";
import { breakGlassDto, breakGlassInclude, breakGlassStateOf, isBreakGlassReviewer, type BreakGlassDto } from "./rules";

export type BreakGlassPageDto = {
  maxMinutes: number;
  onCallGroups: Array<{ key: GroupKey; label: string }>;
  /** why this person cannot take break-glass now (null: they can, given an on-call group) */
  blocked: string | null;
  mine: BreakGlassDto[];
  /** auditors and admins: every use, unreviewed first (null for others) */
  all: BreakGlassDto[] | null;
  canReview: boolean;
};

const LIST_LIMIT = 200;

export async function listBreakGlass(): Promise<BreakGlassPageDto> {
  return audited({ action: "access.break_glass_list", permission: null, allowWithoutGrant: true, details: { targetType: "break_glass" } }, async ({ tx, actor }) => {
    const now = new Date();
    const person = await findPersonOrThrow(tx, actor.personId);
    const onCall = await tx.breakGlassOnCall.findMany({ where: { personId: person.id }, orderBy: { groupKey: "asc" } });
    const onCallGroups = onCall
      .filter((row) => !(groupViolation(person, row.groupKey) ?? roleViolation(person, "viewer")))
      .map((row) => ({ key: row.groupKey, label: GROUP_LABELS[row.groupKey] }));
    const mine = await tx.breakGlassAccess.findMany({ where: { personId: person.id }, include: breakGlassInclude, orderBy: { startedAt: "desc" }, take: LIST_LIMIT });
    const unreviewed = mine.find((access) => access.reviewedAt === null);
    const blocked = unreviewed
      ? breakGlassStateOf(unreviewed, now) === "active"
        ? `You hold break-glass access to ${GROUP_LABELS[unreviewed.groupKey]} now.`
        : `Your break-glass access of ${isoDate(unreviewed.startedAt)} awaits its post-review by an auditor or admin other than you: until then you cannot use break-glass again.`
      : null;
    const canReview = isBreakGlassReviewer(actor);
    const all = canReview
      ? await tx.breakGlassAccess.findMany({ include: breakGlassInclude, orderBy: [{ startedAt: "desc" }], take: LIST_LIMIT })
      : null;
    if (all) all.sort((a, b) => Number(a.reviewedAt !== null) - Number(b.reviewedAt !== null));
    return {
      value: {
        maxMinutes: getEnv().BREAK_GLASS_MAX_MINUTES,
        onCallGroups,
        blocked,
        mine: mine.map((access) => breakGlassDto(access, now)),
        all: all?.map((access) => breakGlassDto(access, now)) ?? null,
        canReview,
      },
      audit: { rowCount: (all ?? mine).length },
    };
  });
}
