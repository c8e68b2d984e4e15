// "Who am I": the signed-in person, their roles, groups, telemetry scope,
// declared purpose and grant expiry. A DTO: no session token, no subject ids.
import "server-only";
import type { TelemetryScope } from "@/lib/access/policy";
import type { Employer, EmploymentType, GroupKey, Purpose, Role } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";

export type ViewerDto = {
  personId: string;
  name: string;
  email: string;
  employer: Employer;
  employmentType: EmploymentType;
  roles: Role[];
  groups: GroupKey[];
  scope: TelemetryScope;
  purpose: Purpose | null;
  purposeDetail: string | null;
  grantExpiresAt: string;
};

/**
 * `audit: true` (the API) audits the look-up and its refusals; page chrome
 * passes nothing, since the page beneath it audits its own access.
 */
export async function getViewer(options: { audit?: boolean; allowWithoutGrant?: boolean } = {}): Promise<ViewerDto> {
  const audit = options.audit ?? false;
  // allowWithoutGrant: the page chrome of the request area (a person with no grant in force has a name and a sign-out button there).
  return audited({ action: "session.view", permission: null, auditAllowed: audit, auditRefusals: audit, allowWithoutGrant: options.allowWithoutGrant ?? false }, async ({ actor }) => ({
    value: {
      personId: actor.personId,
      name: actor.name,
      email: actor.email,
      employer: actor.employer,
      employmentType: actor.employmentType,
      roles: actor.roles,
      groups: actor.groups,
      scope: actor.scope,
      purpose: actor.purpose,
      purposeDetail: actor.purposeDetail,
      grantExpiresAt: actor.grantExpiresAt.toISOString(),
    },
  }));
}
