// "Who am I": the signed-in person, their roles, groups, telemetry scope,
// declared purpose and grant expiry. A DTO: no session token, no subject ids.
import "server-only";
import { telemetryScope, visibleFieldClasses, type TelemetryScope } from "@/lib/access/policy";
import { canonicalFieldClasses, narrowScope } from "@/lib/access/purpose-scope";
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
  /** asked for with `purposeScopes: true`: what each purpose would show this person (their groups' classes narrowed) */
  purposeScopes?: Partial<Record<Purpose, FieldClass[]>>;
};

/**
 * `audit: true` (the API) audits the look-up and its refusals; page chrome
 * passes nothing, since the page beneath it audits its own access.
 */
export async function getViewer(options: { audit?: boolean; allowWithoutGrant?: boolean; purposeScopes?: boolean } = {}): Promise<ViewerDto> {
  const audit = options.audit ?? false;
  // allowWithoutGrant: the page chrome of the request area (a person with no grant in force has a name and a sign-out button there).
  return audited({ action: "session.view", permission: null, auditAllowed: audit, auditRefusals: audit, allowWithoutGrant: options.allowWithoutGrant ?? false, sharedResolution: true }, async ({ tx, actor }) => ({
    value: {
      ...(options.purposeScopes
        ? {
            purposeScopes: Object.fromEntries(
              (await tx.purposeScope.findMany()).map((row) => [
                row.purpose,
                visibleFieldClasses(narrowScope(telemetryScope(actor.subject), canonicalFieldClasses(row.fieldClasses))),
              ]),
            ),
          }
        : {}),
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
