// The rules an admin works under, for forms that have no other data to load
// (adding a person): the grant limits and which groups each employer's
// personnel may join. Goes through the gate like every admin read, so a
// non-admin opening such a form is refused and audited. Audited (admin.view).
import "server-only";
import { GROUPS_BY_EMPLOYER, RULES } from "@/lib/access/eligibility";
import type { Employer, GroupKey } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { grantLimits } from "./access-list";

export type AccessRulesDto = {
  grantMaxDays: number;
  contractorGrantMaxDays: number;
  groupsByEmployer: Record<Employer, readonly GroupKey[]>;
  rules: string[];
};

export async function getAccessRules(): Promise<AccessRulesDto> {
  return audited({ action: "admin.view", permission: "access.manage", details: { targetType: "access_list", filters: { view: "rules" } } }, async () => ({
    value: { ...grantLimits(), groupsByEmployer: GROUPS_BY_EMPLOYER, rules: Object.values(RULES).map((rule) => rule.message) },
  }));
}
