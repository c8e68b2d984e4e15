import { describe, expect, it } from "vitest";
import { capabilityOf, expiresIn } from "./capability";

const NOW = new Date("2026-12-01T12:00:00Z");
const inDays = (days: number) => new Date(NOW.getTime() + days * 86_400_000);

describe("what a person can actually do", () => {
  it("says a viewer with a group can browse telemetry, and when it ends", () => {
    expect(capabilityOf({ personStatus: "active", groups: ["copilot_team"], roles: ["viewer"], nextExpiry: inDays(5.5) }, NOW)).toEqual({
      tone: "ok",
      summary: "Can browse telemetry (GitHub Copilot team)",
      expiry: "expires in 5 days",
    });
  });

  it("never calls a role without a group, or a group without the role, access", () => {
    expect(capabilityOf({ personStatus: "active", groups: [], roles: ["viewer"], nextExpiry: inDays(30) }, NOW)).toMatchObject({
      tone: "partial",
      summary: "Role without a group: sees nothing",
    });
    expect(capabilityOf({ personStatus: "active", groups: ["platform_health"], roles: [], nextExpiry: inDays(30) }, NOW)).toMatchObject({
      tone: "partial",
      summary: "Group without the viewer role: sees nothing",
    });
    expect(capabilityOf({ personStatus: "active", groups: [], roles: ["admin", "viewer"], nextExpiry: inDays(30) }, NOW)).toMatchObject({
      tone: "partial",
      summary: "Role without a group: sees nothing; manages the access list",
    });
  });

  it("names the staff roles, nothing in force, an expiry past and a disabled person", () => {
    expect(capabilityOf({ personStatus: "active", groups: [], roles: ["auditor"], nextExpiry: inDays(90) }, NOW).summary).toBe("Reads the audit trail");
    expect(capabilityOf({ personStatus: "active", groups: [], roles: [], nextExpiry: null, lastExpiredAt: inDays(-1) }, NOW)).toEqual({
      tone: "none",
      summary: "No grant in force: sees nothing",
      expiry: "expired on 2026-11-30",
    });
    expect(capabilityOf({ personStatus: "disabled", groups: ["copilot_team"], roles: ["viewer"], nextExpiry: inDays(9) }, NOW).tone).toBe("disabled");
  });

  it("counts down in days, then hours", () => {
    expect(expiresIn(inDays(1), NOW)).toBe("expires in 1 day");
    expect(expiresIn(new Date(NOW.getTime() + 7.5 * 3_600_000), NOW)).toBe("expires in 7 hours");
    expect(expiresIn(new Date(NOW.getTime() + 60_000), NOW)).toBe("expires within the hour");
  });
});
