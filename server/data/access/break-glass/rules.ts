// What the break-glass use cases share: its DTO, who is alerted, who may
// review, and the state words.
import "server-only";
import { GROUP_LABELS, type GroupKey } from "@/lib/telemetry/vocabulary";
import type { Actor } from "@/server/access/resolve-actor";
import { grantInForce } from "@/server/access/access-now";
import type { Prisma } from "@/server/db/generated/client";
import { activeAdminIds } from "@/server/data/admin/access-list";

export type BreakGlassState = "active" | "ended" | "expired";
export type BreakGlassDto = {
  id: string;
  holder: { id: string; name: string; email: string };
  groupKey: GroupKey;
  groupLabel: string;
  reason: string;
  startedAt: string;
  expiresAt: string;
  endedAt: string | null;
  endedBy: { id: string; name: string } | null;
  state: BreakGlassState;
  review: { outcome: string; notes: string | null; reviewedAt: string; reviewedBy: { id: string; name: string; email: string } } | null;
};

export const breakGlassInclude = {
  person: { select: { id: true, name: true, email: true } },
  endedBy: { select: { id: true, name: true } },
  reviewedBy: { select: { id: true, name: true, email: true } },
} satisfies Prisma.BreakGlassAccessInclude;

export type BreakGlassWithRelations = Prisma.BreakGlassAccessGetPayload<{ include: typeof breakGlassInclude }>;

export function breakGlassStateOf(access: { expiresAt: Date; endedAt: Date | null }, now: Date): BreakGlassState {
  if (access.endedAt && access.endedAt <= now) return "ended";
  return access.expiresAt > now ? "active" : "expired";
}

export function breakGlassDto(access: BreakGlassWithRelations, now: Date): BreakGlassDto {
  return {
    id: access.id,
    holder: access.person,
    groupKey: access.groupKey,
    groupLabel: GROUP_LABELS[access.groupKey],
    reason: access.reason,
    startedAt: access.startedAt.toISOString(),
    expiresAt: access.expiresAt.toISOString(),
    endedAt: access.endedAt?.toISOString() ?? null,
    endedBy: access.endedBy,
    state: breakGlassStateOf(access, now),
    review:
      access.reviewedAt && access.reviewedBy && access.reviewOutcome
        ? { outcome: access.reviewOutcome, notes: access.reviewNotes, reviewedAt: access.reviewedAt.toISOString(), reviewedBy: access.reviewedBy }
        : null,
  };
}

/** Auditors and admins post-review break-glass (never their own). */
export function isBreakGlassReviewer(actor: Pick<Actor, "roles">): boolean {
  return actor.roles.includes("auditor") || actor.roles.includes("admin");
}

/** Every active admin and auditor with the role in force: all of them hear of a break-glass at once. */
export async function adminAndAuditorIds(tx: Prisma.TransactionClient, now: Date): Promise<string[]> {
  const auditors = await tx.grant.findMany({
    where: { role: "auditor", ...grantInForce(now), person: { status: "active" } },
    select: { personId: true },
    distinct: ["personId"],
  });
  return [...new Set([...(await activeAdminIds(tx, now)), ...auditors.map((grant) => grant.personId)])];
}

/** Serializes one person's break-glass changes (two takes at once cannot both pass the post-review gate). */
export async function lockPersonRow(tx: Prisma.TransactionClient, personId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM person WHERE id = ${personId}::uuid FOR UPDATE`;
}

export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
