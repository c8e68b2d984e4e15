// "Who am I": the signed-in person, their roles, groups, telemetry scope,
// declared purpose and grant expiry. A DTO: no session token, no subject ids.
import "server-only";
import type { TelemetryScope } from "@/lib/access/policy";
import type { Employer, EmploymentType, FieldClass, GroupKey, Purpose, Role } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";

export type ViewerDto = {
  personId: string;
  name: string;
  email: string;
  employer: Employer;
  employmentType: EmploymentType;
  roles: Role[];
  groups: GroupKey[];
  /** the groups' scope narrowed to the declared purpose's field classes */
  scope: TelemetryScope;
  /** the declared purpose's field classes (null: none declared) */
  purposeFieldClasses: FieldClass[] | null;
  purpose: Purpose | null;
  purposeDetail: string | null;
  grantExpiresAt: string;
};

/**
 * `audit: true` (the API) audits the look-up and its refusals; page chrome
 * passes nothing, since the page beneath it audits its own access.
 */
export async function getViewer(options: { audit?: boolean } = {}): Promise<ViewerDto> {
  const audit = options.audit ?? false;
  return audited({ action: "session.view", permission: null, auditAllowed: audit, auditRefusals: audit }, async ({ actor }) => ({
    value: {
      personId: actor.personId,
      name: actor.name,
      email: actor.email,
      employer: actor.employer,
      employmentType: actor.employmentType,
      roles: actor.roles,
      groups: actor.groups,
      scope: actor.scope,
      purposeFieldClasses: actor.purposeFieldClasses,
      purpose: actor.purpose,
      purposeDetail: actor.purposeDetail,
      grantExpiresAt: actor.grantExpiresAt.toISOString(),
    },
  }));
}
