// The seed document's rules on who may be on the access list, as invariants.
// The admin data layer refuses any change that breaks one, naming the rule.
import type { Employer, EmploymentType, GroupKey, Role } from "@/lib/telemetry/vocabulary";

export type EligibilityRule = {
  id: string;
  message: string;
};

/** Groups each employer's personnel may join (seed: "How the data is shared"). */
export const GROUPS_BY_EMPLOYER: Record<Employer, readonly GroupKey[]> = {
  github: ["copilot_team", "platform_health"],
  microsoft: ["microsoft_copilot"],
  openai: ["openai_copilot"],
};

export const RULES = {
  openaiEmployeesOnly: { id: "openai-employees-only", message: "OpenAI personnel must be employees: the seed admits select OpenAI employees, not contractors." },
  githubGroups: { id: "github-groups", message: "GitHub personnel may only be in the Copilot team or platform health groups." },
  microsoftGroup: { id: "microsoft-group", message: "Microsoft personnel may only be in the Microsoft – Copilot group." },
  openaiGroup: { id: "openai-group", message: "OpenAI personnel may only be in the OpenAI – Copilot group." },
  staffRolesGithubEmployees: {
    id: "staff-roles-github-employees",
    message: "The admin and auditor roles are held by GitHub employees only.",
  },
} as const satisfies Record<string, EligibilityRule>;

export type PersonFacts = { employer: Employer; employmentType: EmploymentType };

/** The rule a person breaks just by being on the list, if any. */
export function personViolation(person: PersonFacts): EligibilityRule | null {
  if (person.employer === "openai" && person.employmentType !== "employee") return RULES.openaiEmployeesOnly;
  return null;
}

/** The rule a group membership would break, if any. */
export function groupViolation(person: PersonFacts, group: GroupKey): EligibilityRule | null {
  const personRule = personViolation(person);
  if (personRule) return personRule;
  if (GROUPS_BY_EMPLOYER[person.employer].includes(group)) return null;
  return { github: RULES.githubGroups, microsoft: RULES.microsoftGroup, openai: RULES.openaiGroup }[person.employer];
}

/** The rule a role would break, if any. */
export function roleViolation(person: PersonFacts, role: Role): EligibilityRule | null {
  const personRule = personViolation(person);
  if (personRule) return personRule;
  if ((role === "admin" || role === "auditor") && !(person.employer === "github" && person.employmentType === "employee")) {
    return RULES.staffRolesGithubEmployees;
  }
  return null;
}

/** Longest grant allowed for this person, in days. */
export function maxGrantDays(person: PersonFacts, limits: { grantMaxDays: number; contractorGrantMaxDays: number }): number {
  return person.employmentType === "contractor" ? Math.min(limits.contractorGrantMaxDays, limits.grantMaxDays) : limits.grantMaxDays;
}
