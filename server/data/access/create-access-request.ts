// A person asks for telemetry access to a group, or for an extension of a
// grant they hold, with a duration (30/60/90 days, within their maximum), a
// justification and optionally a ticket reference. Anyone listed and active
// may ask, with or without a grant in force (the request area). The seed's
// rules are checked here and again at approval: an OpenAI contractor never
// gets a request in, a Microsoft person only for Microsoft – Copilot (422,
// the rule named). One open request per person and group (409). Audited
// (access.request_create); the group's approvers are notified.
import "server-only";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { grantInForce } from "@/server/access/access-now";
import { getEnv } from "@/server/config/env";
import { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { DAY_MS, findPersonOrThrow, isoDate, targetHint } from "@/server/data/admin/access-list";
import { notifyRequestCreated } from "./notify";
import { approvalsNeeded, approverIdsFor, checkRequestEligibility } from "./rules";
import { createAccessRequestInputSchema } from "./schemas";

export async function createAccessRequest(input: unknown): Promise<{ requestId: string; approvalsRequired: number }> {
  return audited(
    {
      action: "access.request_create",
      permission: null,
      allowWithoutGrant: true,
      details: { targetType: "access_request", targetId: targetHint(input, "grantId") },
    },
    async ({ tx, actor }) => {
      const { groupKey: askedGroup, grantId, durationDays, justification, ticketRef } = parseInput(createAccessRequestInputSchema, input);
      const now = new Date();
      const person = await findPersonOrThrow(tx, actor.personId);

      let groupKey = askedGroup;
      if (grantId) {
        const grant = await tx.grant.findUnique({ where: { id: grantId } });
        if (!grant || grant.personId !== person.id) throw new AppError("not_found", "You hold no such grant.", [{ path: "grantId", message: "not one of your grants" }]);
        if (!grant.groupKey) throw new AppError("unprocessable", "Only telemetry access can be extended by request; ask an admin about roles.", [{ path: "grantId", message: "not telemetry access" }]);
        if (grant.revokedAt || grant.expiresAt <= now) {
          throw new AppError("conflict", "This grant is no longer in force: request access again instead of an extension.", [{ path: "grantId", message: "no longer in force" }]);
        }
        groupKey = grant.groupKey;
        if (now.getTime() + durationDays * DAY_MS <= grant.expiresAt.getTime()) {
          const message = `Your grant already runs until ${isoDate(grant.expiresAt)}: choose a longer duration.`;
          throw new AppError("unprocessable", message, [{ path: "durationDays", message }]);
        }
      }
      if (!groupKey) throw new Error("unreachable: the schema requires a group or a grant");
      checkRequestEligibility(person, groupKey, durationDays, now);

      if (!grantId) {
        const held = await tx.grant.findFirst({ where: { personId: person.id, groupKey, role: "viewer", ...grantInForce(now) } });
        if (held) {
          const message = `You already hold telemetry access to ${GROUP_LABELS[groupKey]} until ${isoDate(held.expiresAt)}: ask for an extension instead.`;
          throw new AppError("conflict", message, [{ path: "groupKey", message }]);
        }
      }
      const open = await tx.accessRequest.findFirst({ where: { requesterId: person.id, groupKey, status: "pending" } });
      if (open) {
        const message = `You already have an open request for ${GROUP_LABELS[groupKey]}: wait for its decision or cancel it.`;
        throw new AppError("conflict", message, [{ path: "groupKey", message }]);
      }

      const group = await tx.accessGroup.findUniqueOrThrow({ where: { key: groupKey } });
      const needed = approvalsNeeded(person, group);
      let request;
      try {
        request = await tx.accessRequest.create({
          data: {
            kind: grantId ? "extension" : "access",
            requesterId: person.id,
            groupKey,
            durationDays,
            justification,
            ticketRef: ticketRef ?? null,
            grantId: grantId ?? null,
            approvalsRequired: needed.required,
            approvalsReason: needed.reason,
            createdAt: now,
            lapsesAt: new Date(now.getTime() + getEnv().ACCESS_REQUEST_LAPSE_DAYS * DAY_MS),
          },
        });
      } catch (error) {
        // The partial unique index: a second open request for this group, filed at the same moment.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
          throw new AppError("conflict", `You already have an open request for ${GROUP_LABELS[groupKey]}.`, [{ path: "groupKey", message: "already requested" }]);
        }
        throw error;
      }
      const approvers = (await approverIdsFor(tx, groupKey, now)).filter((id) => id !== person.id);
      await notifyRequestCreated(tx, { id: request.id, kind: request.kind, groupKey, durationDays, requesterName: person.name }, approvers);
      return {
        value: { requestId: request.id, approvalsRequired: needed.required },
        audit: {
          targetType: "access_request",
          targetId: request.id,
          reason: justification,
          before: null,
          after: { kind: request.kind, groupKey, durationDays, ticketRef: request.ticketRef, grantId: request.grantId, approvalsRequired: needed.required, approvalsReason: needed.reason, lapsesAt: request.lapsesAt },
        },
      };
    },
  );
}
