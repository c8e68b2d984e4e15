import { describe, expect, it } from "vitest";
import { EMPLOYERS, EMPLOYMENT_TYPES, GROUP_KEYS, ROLES } from "@/lib/telemetry/vocabulary";
import { RULES, groupViolation, maxGrantDays, roleViolation } from "./eligibility";

describe("the seed's eligibility rules", () => {
  it("admits GitHub employees and contractors to the Copilot team and platform health only", () => {
    for (const employmentType of EMPLOYMENT_TYPES) {
      const person = { employer: "github" as const, employmentType };
      expect(groupViolation(person, "copilot_team")).toBeNull();
      expect(groupViolation(person, "platform_health")).toBeNull();
      expect(groupViolation(person, "microsoft_copilot")).toBe(RULES.githubGroups);
      expect(groupViolation(person, "openai_copilot")).toBe(RULES.githubGroups);
    }
  });

  it("admits Microsoft employees and contractors to the Microsoft group only", () => {
    for (const employmentType of EMPLOYMENT_TYPES) {
      const person = { employer: "microsoft" as const, employmentType };
      for (const group of GROUP_KEYS) {
        expect(groupViolation(person, group)).toBe(group === "microsoft_copilot" ? null : RULES.microsoftGroup);
      }
    }
  });

  it("admits OpenAI employees, never contractors, to the OpenAI group only", () => {
    for (const group of GROUP_KEYS) {
      expect(groupViolation({ employer: "openai", employmentType: "contractor" }, group)).toBe(RULES.openaiEmployeesOnly);
      expect(groupViolation({ employer: "openai", employmentType: "employee" }, group)).toBe(group === "openai_copilot" ? null : RULES.openaiGroup);
    }
    expect(RULES.openaiEmployeesOnly.message).toMatch(/OpenAI personnel must be employees/);
  });

  it("keeps admin and auditor roles to GitHub employees, and viewer open to every eligible person", () => {
    for (const employer of EMPLOYERS) {
      for (const employmentType of EMPLOYMENT_TYPES) {
        const person = { employer, employmentType };
        const ineligible = employer === "openai" && employmentType === "contractor";
        for (const role of ROLES) {
          const violation = roleViolation(person, role);
          if (ineligible) expect(violation).toBe(RULES.openaiEmployeesOnly);
          else if (role === "viewer") expect(violation).toBeNull();
          else expect(violation).toBe(employer === "github" && employmentType === "employee" ? null : RULES.staffRolesGithubEmployees);
        }
      }
    }
  });

  it("gives contractors a shorter maximum grant", () => {
    const limits = { grantMaxDays: 180, contractorGrantMaxDays: 90 };
    expect(maxGrantDays({ employer: "github", employmentType: "employee" }, limits)).toBe(180);
    expect(maxGrantDays({ employer: "microsoft", employmentType: "contractor" }, limits)).toBe(90);
  });
});
