import { describe, expect, it } from "vitest";
import { EVENT_KINDS, FIELD_CLASSES, GROUP_KEYS, ROLES, type EventKind, type FieldClass, type GroupKey, type Role } from "@/lib/telemetry/vocabulary";
import { DEFAULT_GROUP_SCOPES, decide, telemetryScope, visibleFieldClasses, type Subject } from "./policy";

// The expected matrix, written out by hand from the product brief rather than
// derived from the code under test.
const COMPLETIONS: EventKind[] = [
  "completion_requested",
  "completion_shown",
  "completion_redacted",
  "completion_accepted",
  "completion_rejected",
  "completion_persisted",
];
const EXPECTED: Record<GroupKey, { kinds: EventKind[]; classes: FieldClass[] }> = {
  copilot_team: { kinds: ["error", ...COMPLETIONS, "other"], classes: ["identifiers", "environment", "location", "measurements", "content"] },
  platform_health: { kinds: ["error", ...COMPLETIONS], classes: ["environment", "measurements"] },
  microsoft_copilot: { kinds: COMPLETIONS, classes: ["environment", "location", "measurements", "content"] },
  openai_copilot: { kinds: COMPLETIONS, classes: ["environment", "location", "measurements", "content"] },
};

function subject(role: Role | null, group: GroupKey | null): Subject {
  return {
    roles: role ? [role] : [],
    groups: group ? [{ key: group, scope: DEFAULT_GROUP_SCOPES[group] }] : [],
  };
}

describe("decide: the whole matrix", () => {
  const roles = [...ROLES, null];
  const groups = [...GROUP_KEYS, null];
  for (const role of roles) {
    for (const group of groups) {
      it(`role ${role ?? "none"} × group ${group ?? "none"}`, () => {
        const who = subject(role, group);
        for (const eventKind of EVENT_KINDS) {
          const kindExpected = role === "viewer" && group !== null && EXPECTED[group].kinds.includes(eventKind);
          expect(decide(who, { permission: "telemetry.read", eventKind }), `${eventKind}`).toBe(kindExpected);
          for (const fieldClass of FIELD_CLASSES) {
            const expected = kindExpected && group !== null && EXPECTED[group].classes.includes(fieldClass);
            expect(decide(who, { permission: "telemetry.read", eventKind, fieldClass }), `${eventKind}/${fieldClass}`).toBe(expected);
          }
        }
        expect(decide(who, { permission: "access.manage" })).toBe(role === "admin");
        expect(decide(who, { permission: "audit.read" })).toBe(role === "auditor");
      });
    }
  }
});

describe("decide: combining groups", () => {
  it("never mixes one group's kinds with another group's field classes", () => {
    // platform health covers errors without content; a made-up group covers
    // content on completions only. Together they must not reveal error content.
    const who: Subject = {
      roles: ["viewer"],
      groups: [
        { key: "platform_health", scope: { eventKinds: ["error"], fieldClasses: ["measurements"] } },
        { key: "copilot_team", scope: { eventKinds: ["completion_shown"], fieldClasses: ["content"] } },
      ],
    };
    expect(decide(who, { permission: "telemetry.read", eventKind: "error", fieldClass: "content" })).toBe(false);
    expect(decide(who, { permission: "telemetry.read", eventKind: "completion_shown", fieldClass: "content" })).toBe(true);
    expect(decide(who, { permission: "telemetry.read", eventKind: "completion_shown", fieldClass: "measurements" })).toBe(false);
  });

  it("derives the per-kind scope and the visible columns", () => {
    const health = telemetryScope(subject("viewer", "platform_health"));
    expect(health.error).toEqual(["environment", "measurements"]);
    expect(health.other).toBeUndefined();
    expect(visibleFieldClasses(health)).toEqual(["environment", "measurements"]);
    expect(telemetryScope(subject("admin", "copilot_team"))).toEqual({});
    expect(telemetryScope(subject(null, null))).toEqual({});
  });
});
