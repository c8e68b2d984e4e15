// Break-glass: a named on-call person of a group takes emergency telemetry
// access to it, at once, for at most BREAK_GLASS_MAX_MINUTES (one hour by
// default), with a mandatory reason. In ONE transaction: the seed's rules are
// checked (an OpenAI contractor never, a Microsoft person only the Microsoft
// group), the post-review gate (no earlier break-glass of theirs still
// unreviewed), the access row, the alert to every admin and auditor (e-mail and
// webhook, through the outbox) and the audit row `access.break_glass` — which
// the audit alerts engine also raises as a "break-glass use" alert. The access
// is in force from the next request (server/access/resolve-actor.ts) and ends
// by time alone. Every audit row made under it carries `breakglass:<id>` in
// actor_groups.
import "server-only";
import { groupViolation, roleViolation } from "@/lib/access/eligibility";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { findPersonOrThrow, isoDate, refuseRule } from "@/server/data/admin/access-list";
import { notifyBreakGlassUsed } from "./notify";
import { adminAndAuditorIds, breakGlassStateOf, formatUtc, lockPersonRow } from "./rules";
import { takeBreakGlassInputSchema } from "./schemas";

export type TakeBreakGlassResult = { breakGlassId: string; expiresAt: string };

export async function takeBreakGlass(input: unknown): Promise<TakeBreakGlassResult> {
  return audited(
    { action: "access.break_glass", permission: null, allowWithoutGrant: true, details: { targetType: "break_glass" } },
    async ({ tx, actor }) => {
      const { groupKey, reason, minutes: askedMinutes } = parseInput(takeBreakGlassInputSchema, input);
      const maxMinutes = getEnv().BREAK_GLASS_MAX_MINUTES;
      const minutes = askedMinutes ?? maxMinutes;
      if (minutes > maxMinutes) {
        const message = `must be at most ${maxMinutes} minutes (BREAK_GLASS_MAX_MINUTES)`;
        throw new AppError("unprocessable", `minutes: ${message}`, [{ path: "minutes", message }]);
      }
      const now = new Date();
      await lockPersonRow(tx, actor.personId);
      const person = await findPersonOrThrow(tx, actor.personId);
      if (person.status !== "active") throw new AppError("forbidden", "Your access-list entry is disabled.");

      const onCall = await tx.breakGlassOnCall.findUnique({ where: { groupKey_personId: { groupKey, personId: person.id } } });
      if (!onCall) {
        const message = `You are not on call for ${GROUP_LABELS[groupKey]}: only its named on-call people may take break-glass access to it.`;
        throw new AppError("forbidden", message, [{ path: "groupKey", message }]);
      }
      // The seed's rules hold for break-glass too (the on-call list may predate a change of employer).
      const rule = groupViolation(person, groupKey) ?? roleViolation(person, "viewer");
      if (rule) refuseRule(rule, "groupKey");

      // The post-review gate: no new break-glass while an earlier one of theirs is unreviewed.
      const unreviewed = await tx.breakGlassAccess.findFirst({ where: { personId: person.id, reviewedAt: null }, orderBy: { startedAt: "desc" } });
      if (unreviewed) {
        const message =
          breakGlassStateOf(unreviewed, now) === "active"
            ? `You already hold break-glass access to ${GROUP_LABELS[unreviewed.groupKey]} until ${formatUtc(unreviewed.expiresAt)}.`
            : `Your break-glass access of ${isoDate(unreviewed.startedAt)} to ${GROUP_LABELS[unreviewed.groupKey]} has not been post-reviewed yet: ` +
              "an auditor or admin other than you must review it before you can use break-glass again.";
        throw new AppError("conflict", message, [{ path: "groupKey", message }]);
      }

      const expiresAt = new Date(now.getTime() + minutes * 60_000);
      let access;
      try {
        access = await tx.breakGlassAccess.create({ data: { personId: person.id, groupKey, reason, startedAt: now, expiresAt } });
      } catch (error) {
        // The partial unique index (one unreviewed per person), should the lock ever be bypassed.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
          throw new AppError("conflict", "You already have a break-glass access awaiting its post-review.", [{ path: "groupKey", message: "awaiting post-review" }]);
        }
        throw error;
      }
      await notifyBreakGlassUsed(
        tx,
        { id: access.id, groupKey, holderName: person.name, holderEmail: person.email, expiresAt },
        await adminAndAuditorIds(tx, now),
      );
      // In force from now: this request's own audit row carries the mark too.
      actor.breakGlass.push({ id: access.id, groupKey, expiresAt });
      return {
        value: { breakGlassId: access.id, expiresAt: expiresAt.toISOString() },
        audit: {
          targetType: "break_glass",
          targetId: access.id,
          reason,
          before: null,
          after: { group: GROUP_LABELS[groupKey], groupKey, startedAt: now, expiresAt, minutes },
        },
      };
    },
  );
}
