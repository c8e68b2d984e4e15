// The access reviews' DTOs. Types only, so client components may import them.
import type { Employer, GroupKey } from "@/lib/telemetry/vocabulary";
import type { GrantState, PersonRefDto } from "@/server/data/admin/types";

export type ReviewConsequence = "revoke" | "flag";
export type ReviewDecision = "keep" | "revoke";
export type ReviewOutcome = "kept" | "revoked" | "revoked_unreviewed" | "flagged_unreviewed" | "ended_before_review";

export type ReviewProgressDto = { total: number; decided: number; kept: number; revoked: number; left: number };

export type ReviewCampaignDto = {
  id: string;
  groupKey: GroupKey;
  groupLabel: string;
  status: "open" | "closed";
  periodStart: string;
  /** usage is counted until here: the close, or now while open */
  periodEnd: string;
  openedAt: string;
  closesAt: string;
  closedAt: string | null;
  consequence: ReviewConsequence;
  /** null: opened by the cadence job */
  openedBy: PersonRefDto | null;
  closedBy: PersonRefDto | null;
  reason: string;
  remindersSent: number;
  progress: ReviewProgressDto;
};

export type ReviewUsageDto = { lastAccessAt: string | null; reads: number; reveals: number; exports: number; isUnused: boolean };

export type ReviewItemDto = {
  id: string;
  holder: PersonRefDto & { employer: Employer };
  grant: { id: string; expiresAt: string; state: GrantState };
  usage: ReviewUsageDto;
  decision: ReviewDecision | null;
  reason: string | null;
  decidedBy: PersonRefDto | null;
  decidedAt: string | null;
  outcome: ReviewOutcome | null;
  /** the reader may keep or revoke it now */
  canDecide: boolean;
  /** why not, when the reader reviews this group but may not decide this one */
  note: string | null;
};

export type ReviewCampaignPageDto = {
  campaign: ReviewCampaignDto;
  items: ReviewItemDto[];
  /** the reader reviews this group's grants (else they read it as an auditor) */
  isReviewer: boolean;
  /** an admin may end it now (the consequence applies at once) */
  canClose: boolean;
  unusedDays: number;
};

export type ReviewGroupSettingsDto = {
  groupKey: GroupKey;
  groupLabel: string;
  cadenceDays: number;
  consequence: ReviewConsequence;
  /** the group's own values (null: the default applies) */
  ownCadenceDays: number | null;
  ownConsequence: ReviewConsequence | null;
  grantsInForce: number;
  openCampaignId: string | null;
  /** when the cadence job opens the next campaign (null: none open and nothing to review yet, or one is open) */
  nextDueAt: string | null;
};

export type ReviewCampaignListDto = {
  campaigns: ReviewCampaignDto[];
  /** "all": admin or auditor; else the groups the reader reviews */
  scope: "all" | GroupKey[];
  isAdmin: boolean;
  /** for admins: each group's settings, and the defaults */
  groups: ReviewGroupSettingsDto[];
  defaults: { cadenceDays: number; consequence: ReviewConsequence; durationDays: number; reminderDays: number };
};
