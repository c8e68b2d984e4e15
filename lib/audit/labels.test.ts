// Words instead of codes in the audit console (issue 12, item 8).
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, AUDIT_ACTION_LABELS } from "./actions";
import {
  actionLabel,
  actorLabel,
  chainPosition,
  employerLabel,
  fieldClassLabel,
  groupLabel,
  hiddenRoutineText,
  outcomeLabel,
  purposeLabel,
  purposeShortLabel,
  roleLabel,
  targetText,
} from "./labels";
import { isRoutine } from "./routine";
import { PURPOSES } from "@/lib/telemetry/vocabulary";

describe("audit labels", () => {
  it("labels every action, and no label is its code", () => {
    for (const action of AUDIT_ACTIONS) {
      expect(actionLabel(action)).toBe(AUDIT_ACTION_LABELS[action]);
      expect(actionLabel(action)).not.toBe(action);
    }
    expect(new Set(AUDIT_ACTIONS.map(actionLabel)).size).toBe(AUDIT_ACTIONS.length);
  });

  it("gives re-enabling a person its own action, and has no access.denied (refusals are outcomes)", () => {
    expect(actionLabel("admin.person_enable")).toBe("Re-enabled a person");
    expect(AUDIT_ACTIONS as readonly string[]).not.toContain("access.denied");
  });

  it("keeps an unknown code rather than hiding it", () => {
    expect(actionLabel("events.peek")).toBe("events.peek");
    expect(actionLabel("__proto__")).toBe("__proto__");
    expect(roleLabel("superuser")).toBe("superuser");
    expect(groupLabel("toString")).toBe("toString");
  });

  it("names outcomes, purposes, employers, roles and field classes", () => {
    expect(outcomeLabel("denied")).toBe("Denied");
    expect(purposeLabel("investigate_abuse")).toBe("Investigate and detect potential abuse");
    expect(purposeLabel(null)).toBe("No purpose declared");
    expect(purposeLabel("none")).toBe("No purpose declared");
    expect(employerLabel("openai")).toBe("OpenAI");
    expect(employerLabel("none")).toBe("No employer recorded");
    expect(roleLabel("auditor")).toBe("Auditor");
    expect(fieldClassLabel("content")).toBe("Content");
  });

  it("names a group as the access list does, else by its built-in name", () => {
    expect(groupLabel("copilot_team")).toBe("GitHub Copilot team");
    expect(groupLabel("copilot_team", { copilot_team: "Copilot (renamed)" })).toBe("Copilot (renamed)");
    expect(groupLabel("retired_group", {})).toBe("retired_group");
  });

  it("writes a chain position that cannot read as 'n of m'", () => {
    expect(chainPosition(0, "8")).toBe("Chain 0 · row #8");
    expect(chainPosition(7, 12345n)).toBe("Chain 7 · row #12,345");
    expect(chainPosition(0, "8")).not.toMatch(/\d+ \/ \d+|of/);
  });

  it("describes targets in words, whole (the table clips them and shows the whole in the title)", () => {
    const none = { eventIds: [], targetType: null, targetId: null };
    expect(targetText(none)).toBeNull();
    expect(targetText({ ...none, eventIds: ["a", "b", "c"] })).toBe("3 events");
    expect(targetText({ ...none, eventIds: ["0b1c2d3e-0000-4000-8000-000000000000"] })).toBe("Event 0b1c2d3e-0000-4000-8000-000000000000");
    expect(targetText({ ...none, targetType: "person", targetId: "42" })).toBe("Person 42");
    expect(targetText({ ...none, targetType: "audit_event" })).toBe("Audit rows");
    expect(targetText({ ...none, targetType: "access_list" })).toBe("Access list");
    expect(targetText({ ...none, targetType: "brand_new_thing" })).toBe("brand new thing");
  });

  it("names actors and counts hidden routine rows", () => {
    expect(actorLabel({ key: "anonymous", email: null })).toBe("Anonymous (not signed in)");
    expect(actorLabel({ key: "email:x@y.example", email: "x@y.example" })).toBe("x@y.example");
    expect(hiddenRoutineText(1)).toBe("1 routine row hidden");
    expect(hiddenRoutineText(1204)).toBe("1,204 routine rows hidden");
  });
});

describe("routine rows", () => {
  it.each([
    ["session.view", "allowed", true],
    ["session.view", "denied", true],
    ["admin.view", "allowed", true],
    ["admin.view", "denied", false],
    ["audit.search", "allowed", true],
    ["audit.search", "denied", false],
    ["events.reveal", "allowed", false],
    ["events.list", "allowed", false],
    ["auth.sign_in", "allowed", false],
  ] as const)("%s %s → routine: %s", (action, outcome, routine) => {
    expect(isRoutine(action, outcome)).toBe(routine);
  });
});

describe("short purposes for the table", () => {
  it("shortens every purpose, and none is its code", () => {
    for (const purpose of PURPOSES) {
      expect(purposeShortLabel(purpose)).not.toBe(purpose);
      expect(purposeShortLabel(purpose).length).toBeLessThanOrEqual(24);
    }
    expect(purposeShortLabel(null)).toBe("—");
  });
});
