// The request area's DTOs. Types only, so client components may import them.
import type { Capability } from "@/lib/access/capability";
import type { Employer, EmploymentType, GroupKey } from "@/lib/telemetry/vocabulary";
import type { GrantDto, PersonRefDto } from "@/server/data/admin/types";

export type AccessRequestStatus = "pending" | "approved" | "denied" | "cancelled" | "expired";

export type AccessRequestDto = {
  id: string;
  kind: "access" | "extension";
  status: AccessRequestStatus;
  requester: PersonRefDto & { employer: Employer; employmentType: EmploymentType };
  groupKey: GroupKey;
  groupLabel: string;
  durationDays: number;
  justification: string;
  ticketRef: string | null;
  createdAt: string;
  lapsesAt: string;
  decidedAt: string | null;
  decidedBy: PersonRefDto | null;
  decisionReason: string | null;
  approvalsRequired: number;
  approvalsReason: string | null;
  approvals: Array<{ approver: PersonRefDto; approvedAt: string; comment: string | null }>;
  /** the grant made (access) or extended (extension), once approved; the grant to extend while pending */
  grant: { id: string; expiresAt: string; state: GrantDto["state"] } | null;
};

/** What the viewer of a request may do with it now, and why not. */
export type AccessRequestActionsDto = {
  canApprove: boolean;
  canDeny: boolean;
  canCancel: boolean;
  /** why the viewer cannot decide it, when they are an approver of its group but may not (own request, already approved) */
  note: string | null;
};

export type MyAccessDto = {
  name: string;
  email: string;
  employer: Employer;
  employmentType: EmploymentType;
  capability: Capability;
  /** every grant, in force or not, newest first */
  grants: GrantDto[];
  /** every request, newest first */
  requests: AccessRequestDto[];
  /** the groups the seed's rules let this person ask for */
  eligibleGroups: Array<{ key: GroupKey; label: string; approvalsRequired: number; approvalsReason: string | null }>;
  durationPresets: number[];
  maxGrantDays: number;
  /** decides requests: an admin or a named approver of some group */
  isApprover: boolean;
  pendingForMe: number;
};

export type AccessRequestListDto = { items: AccessRequestDto[]; truncated: boolean; scope: "all" | "approver" | "own" };
