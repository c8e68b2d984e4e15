import { describe, expect, it } from "vitest";
import { canHaveValue, DEFAULT_EVENT_COLUMNS, defaultEventColumns, type ColumnScope } from "./event-columns";
import { EVENT_KINDS, type EventKind, type FieldClass } from "./vocabulary";

const everything: FieldClass[] = ["identifiers", "environment", "location", "measurements", "content"];
const ALL_SCOPE: ColumnScope = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, everything]));
const COMPLETIONS = EVENT_KINDS.filter((kind) => kind.startsWith("completion_"));
/** Microsoft / OpenAI viewers: completion events only, no identifiers. */
const PARTNER_SCOPE: ColumnScope = Object.fromEntries(COMPLETIONS.map((kind) => [kind, ["environment", "location", "measurements", "content"] as FieldClass[]]));

describe("default columns follow the kinds in view and the person's scope", () => {
  it("shows every candidate to someone who sees everything, with every kind in view", () => {
    expect(defaultEventColumns(ALL_SCOPE, EVENT_KINDS)).toEqual(DEFAULT_EVENT_COLUMNS);
  });

  it("drops Error kind for a person who may not see errors (it could never have a value)", () => {
    const columns = defaultEventColumns(PARTNER_SCOPE, COMPLETIONS);
    expect(columns).not.toContain("errorKind");
    expect(columns).not.toContain("machineId");
    expect(columns).toEqual(expect.arrayContaining(["time", "kind", "os", "latencyMs", "accepted"]));
  });

  it("shows only the columns of the kinds in view", () => {
    expect(defaultEventColumns(ALL_SCOPE, ["error"])).toEqual(["time", "kind", "machineId", "vscodeVersion", "os", "country", "errorKind"]);
    const shown = defaultEventColumns(ALL_SCOPE, ["completion_shown"]);
    expect(shown).toEqual(expect.arrayContaining(["latencyMs", "modelCertainty"]));
    expect(shown).not.toContain("errorKind");
    expect(shown).not.toContain("accepted");
    expect(defaultEventColumns(ALL_SCOPE, ["completion_accepted"])).toContain("accepted");
  });

  it("needs the class granted on a kind that carries the field, not on any kind", () => {
    // measurements granted on completions only: errorKind (errors only) still cannot have a value
    const scope: ColumnScope = { error: ["environment"], completion_shown: ["measurements"] };
    expect(canHaveValue("errorKind", scope, ["error", "completion_shown"] as EventKind[])).toBe(false);
    expect(canHaveValue("latencyMs", scope, ["error", "completion_shown"] as EventKind[])).toBe(true);
  });

  it("keeps the core columns even when nothing is in view", () => {
    expect(defaultEventColumns(ALL_SCOPE, [])).toEqual(["time", "kind"]);
  });
});
