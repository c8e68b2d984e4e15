import { describe, expect, it } from "vitest";
import { DEFAULT_GROUP_SCOPES, type TelemetryScope } from "@/lib/access/policy";
import { fitViewToScope, parseViewQuery, canSeeView } from "./saved-view";
import { EVENT_KINDS, type EventKind, type FieldClass } from "./vocabulary";

const scopeOf = (kinds: readonly EventKind[], classes: readonly FieldClass[]): TelemetryScope => Object.fromEntries(kinds.map((kind) => [kind, [...classes]]));
const copilot = scopeOf(EVENT_KINDS, ["identifiers", "environment", "location", "measurements", "content"]);
const microsoft = scopeOf(DEFAULT_GROUP_SCOPES.microsoft_copilot.eventKinds, DEFAULT_GROUP_SCOPES.microsoft_copilot.fieldClasses);
const health = scopeOf(DEFAULT_GROUP_SCOPES.platform_health.eventKinds, DEFAULT_GROUP_SCOPES.platform_health.fieldClasses);

function parsed(query: string) {
  const result = parseViewQuery(query);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result;
}

describe("parseViewQuery", () => {
  it("validates with the explorer's schema and keeps the canonical parameters (relative ranges stay relative)", () => {
    const result = parsed("?range=7d&kind=error&city=Paris&os=&sort=time_desc&columns=time,kind,city");
    expect(result.params).toEqual({ range: "7d", kind: "error", city: "Paris", columns: "time,kind,city" });
    expect(result.query.filters.range).toBe("7d");
  });

  it("keeps absolute time ranges as given", () => {
    expect(parsed("from=2026-11-01T00:00Z&to=2026-11-08T00:00Z").params).toEqual({ from: "2026-11-01T00:00Z", to: "2026-11-08T00:00Z" });
  });

  it("names the parameter a bad query gets wrong, and refuses a cursor", () => {
    const bad = parseViewQuery({ kind: "nonsense", latencyMin: "-3" });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(["query.kind", "query.latencyMin"]));
    const cursor = parseViewQuery("kind=error&cursor=abc");
    expect(!cursor.ok && cursor.issues).toEqual([expect.objectContaining({ path: "query.cursor" })]);
    expect(parseViewQuery(42).ok).toBe(false);
  });
});

describe("fitViewToScope", () => {
  it("leaves a query alone for a scope that covers it", () => {
    const { query } = parsed("kind=completion_shown&city=Paris&machineId=abc&sort=latency_desc&columns=time,machineId,city");
    expect(fitViewToScope(copilot, query).notices).toEqual([]);
  });

  it("names every part a Microsoft viewer's scope leaves out: kinds, identifier filters, columns — and keeps the rest", () => {
    const { query } = parsed("kind=error,completion_shown&city=Paris&machineId=abc&columns=time,machineId,city");
    const fitted = fitViewToScope(microsoft, query);
    expect(fitted.notices.map((notice) => notice.param)).toEqual(["kind", "machineId", "columns"]);
    expect(fitted.notices[0]!.message).toBe("This view includes Error events, which your access does not include; they were not searched.");
    expect(fitted.notices[1]!.message).toBe("This view filters by Machine ID, which your access does not include; that filter was not applied.");
    expect(fitted.notices[2]!.message).toMatch(/Machine ID column, which your access does not include; it is not shown/);
    expect(fitted.query.filters.kinds).toEqual(["completion_shown"]);
    expect(fitted.query.filters.city).toBe("Paris");
    expect(fitted.query.filters.machineId).toBeUndefined();
    expect(fitted.query.columns).toEqual(["time", "city"]);
  });

  it("names a City filter for platform health (no location), and a sort it may not use", () => {
    const fitted = fitViewToScope(health, parsed("city=San Francisco&sort=latency_desc").query);
    expect(fitted.notices.map((notice) => notice.message)).toEqual([
      "This view filters by City, which your access does not include; that filter was not applied.",
    ]);
    // latency is a measurement, which platform health sees: the sort stays
    expect(fitted.query.sort).toBe("latency_desc");
    const narrow = fitViewToScope(scopeOf(EVENT_KINDS, ["environment"]), parsed("sort=latency_desc").query);
    expect(narrow.notices.map((notice) => notice.param)).toEqual(["sort"]);
    expect(narrow.query.sort).toBe("time_desc");
  });

  it("never widens a view whose kinds are all outside the scope to every kind", () => {
    const fitted = fitViewToScope(microsoft, parsed("kind=error").query);
    expect(fitted.query.filters.kinds).toEqual(["error"]);
    expect(fitted.notices[0]!.message).toMatch(/no events were searched/);
  });

  it("names a filter granted on some named kinds but not all", () => {
    const scope: TelemetryScope = { error: ["location"], completion_shown: [] };
    const fitted = fitViewToScope(scope, parsed("kind=error,completion_shown&city=Paris").query);
    expect(fitted.notices[0]!.message).toBe("This view filters by City, which your access does not include on Completion shown events; that filter was not applied.");
  });
});

describe("canSeeView", () => {
  const view = { ownerId: "a", visibility: "group" as const, groupKey: "copilot_team" as const };
  it("lets the owner and the group's members in, nobody else", () => {
    expect(canSeeView(view, { personId: "a", groups: [] })).toBe(true);
    expect(canSeeView(view, { personId: "b", groups: ["copilot_team"] })).toBe(true);
    expect(canSeeView(view, { personId: "b", groups: ["microsoft_copilot"] })).toBe(false);
    expect(canSeeView({ ...view, visibility: "personal", groupKey: null }, { personId: "b", groups: ["copilot_team"] })).toBe(false);
  });
});
