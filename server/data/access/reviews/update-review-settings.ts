// An admin sets a group's review cadence and consequence (blank: the
// default), with a justification. Applies to campaigns opened from now on (an
// open campaign keeps the consequence it was opened with). Audited
// (admin.review_settings_update) with before/after.
import "server-only";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { parseInput } from "@/server/http/parse-input";
import { lockAccessList } from "@/server/data/admin/access-list";
import { updateReviewSettingsInputSchema } from "./schemas";
import { reviewSettingsOf } from "./settings";

export async function updateReviewSettings(input: unknown): Promise<{ groupKey: string; cadenceDays: number; consequence: string }> {
  return audited({ action: "admin.review_settings_update", permission: "access.manage", details: { targetType: "group" } }, async ({ tx, actor }) => {
    const { groupKey, cadenceDays, consequence, justification } = parseInput(updateReviewSettingsInputSchema, input, "unprocessable");
    await lockAccessList(tx, actor, new Date());
    const group = await tx.accessGroup.findUniqueOrThrow({ where: { key: groupKey } });
    const updated = await tx.accessGroup.update({ where: { key: groupKey }, data: { reviewCadenceDays: cadenceDays ?? null, reviewConsequence: consequence ?? null } });
    const effective = reviewSettingsOf(updated);
    return {
      value: { groupKey, cadenceDays: effective.cadenceDays, consequence: effective.consequence },
      audit: {
        targetType: "group",
        targetId: groupKey,
        reason: justification,
        before: { reviewCadenceDays: group.reviewCadenceDays, reviewConsequence: group.reviewConsequence },
        after: { group: GROUP_LABELS[groupKey], reviewCadenceDays: updated.reviewCadenceDays, reviewConsequence: updated.reviewConsequence, effective: { cadenceDays: effective.cadenceDays, consequence: effective.consequence } },
      },
    };
  });
}
