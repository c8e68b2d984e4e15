import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_GROUP_SCOPES, telemetryScope, visibleFieldClasses, type Subject } from "./policy";
import { DEFAULT_PURPOSE_FIELD_CLASSES, canonicalFieldClasses, narrowScope } from "./purpose-scope";
import { EVENT_KINDS, FIELD_CLASSES, GROUP_KEYS, PURPOSES, type FieldClass, type GroupKey } from "@/lib/telemetry/vocabulary";

const viewerOf = (...groups: GroupKey[]): Subject => ({ roles: ["viewer"], groups: groups.map((key) => ({ key, scope: DEFAULT_GROUP_SCOPES[key] })) });

describe("narrowScope: a session's scope is its groups' scope ∩ its purpose's field classes", () => {
  // Every group × every purpose: the visible classes are exactly the intersection, kinds untouched.
  for (const group of GROUP_KEYS) {
    for (const purpose of PURPOSES) {
      it(`${group} under ${purpose}`, () => {
        const groupScope = telemetryScope(viewerOf(group));
        const purposeClasses = DEFAULT_PURPOSE_FIELD_CLASSES[purpose];
        const narrowed = narrowScope(groupScope, purposeClasses);
        expect(Object.keys(narrowed)).toEqual(Object.keys(groupScope));
        for (const kind of EVENT_KINDS) {
          if (groupScope[kind] === undefined) continue;
          expect(narrowed[kind]).toEqual(groupScope[kind]!.filter((fieldClass) => purposeClasses.includes(fieldClass)));
        }
      });
    }
  }

  it("gives the expected visible classes for the Copilot team (all classes) per purpose", () => {
    const copilot = telemetryScope(viewerOf("copilot_team"));
    const sees = (purpose: keyof typeof DEFAULT_PURPOSE_FIELD_CLASSES) => visibleFieldClasses(narrowScope(copilot, DEFAULT_PURPOSE_FIELD_CLASSES[purpose]));
    expect(sees("evaluate_product")).toEqual(["environment", "measurements"]);
    expect(sees("improve_product")).toEqual(["identifiers", "environment", "location", "measurements"]);
    expect(sees("improve_models")).toEqual(["environment", "measurements", "content"]);
    expect(sees("guide_related_products")).toEqual(["environment", "measurements"]);
    expect(sees("investigate_abuse")).toEqual([...FIELD_CLASSES]);
    expect(sees("other")).toEqual(["environment", "measurements"]);
  });

  it("content only under improving the models or investigating abuse; identifiers never for evaluation", () => {
    const withContent = PURPOSES.filter((purpose) => DEFAULT_PURPOSE_FIELD_CLASSES[purpose].includes("content"));
    expect(withContent).toEqual(["improve_models", "investigate_abuse"]);
    expect(DEFAULT_PURPOSE_FIELD_CLASSES.evaluate_product).not.toContain("identifiers");
  });

  it("never widens: a purpose's class the groups do not grant stays hidden", () => {
    const health = telemetryScope(viewerOf("platform_health"));
    const narrowed = narrowScope(health, FIELD_CLASSES);
    expect(narrowed).toEqual(health);
    expect(visibleFieldClasses(narrowScope(health, ["content", "identifiers"]))).toEqual([]);
  });

  it("no purpose declared leaves the groups' scope; an empty purpose keeps the kinds with no fields", () => {
    const copilot = telemetryScope(viewerOf("copilot_team"));
    expect(narrowScope(copilot, null)).toBe(copilot);
    const empty = narrowScope(copilot, []);
    expect(Object.keys(empty)).toEqual(Object.keys(copilot));
    expect(Object.values(empty).every((classes) => classes?.length === 0)).toBe(true);
  });

  it("canonicalFieldClasses orders and de-duplicates", () => {
    const messy: FieldClass[] = ["content", "environment", "content", "identifiers"];
    expect(canonicalFieldClasses(messy)).toEqual(["identifiers", "environment", "content"]);
  });
});

describe("the purpose_scope migration", () => {
  it("seeds exactly DEFAULT_PURPOSE_FIELD_CLASSES, one row per purpose", () => {
    const sql = readFileSync(new URL("../../prisma/migrations/20261202090000_purpose_scope/migration.sql", import.meta.url), "utf8");
    const seeded = Object.fromEntries(
      [...sql.matchAll(/\('([a-z_]+)', ARRAY\[([^\]]*)\]/g)].map(([, purpose, list]) => [purpose, [...list!.matchAll(/'([a-z]+)'/g)].map((match) => match[1])]),
    );
    expect(seeded).toEqual(Object.fromEntries(PURPOSES.map((purpose) => [purpose, [...DEFAULT_PURPOSE_FIELD_CLASSES[purpose]]])));
  });
});
