// The explorer's access predicate and SQL fragments, without a database.
import { describe, expect, it } from "vitest";
import { DEFAULT_GROUP_SCOPES, telemetryScope } from "@/lib/access/policy";
import { encodeCursor, eventListQuerySchema } from "@/lib/telemetry/event-query";
import { EVENT_KINDS } from "@/lib/telemetry/vocabulary";
import { AppError } from "@/server/http/app-error";
import { isFilterRefusal, kindCondition, listWhere, pageQuery, planEventQuery, planRows } from "./event-sql";
import { Prisma } from "@/server/db/generated/client";

const scopeOf = (group: keyof typeof DEFAULT_GROUP_SCOPES) => telemetryScope({ roles: ["viewer"], groups: [{ key: group, scope: DEFAULT_GROUP_SCOPES[group] }] });
const copilot = scopeOf("copilot_team");
const health = scopeOf("platform_health");
const microsoft = scopeOf("microsoft_copilot");
const filtersOf = (input: Record<string, string | string[]>) => eventListQuerySchema.parse(input);

describe("planEventQuery", () => {
  it("searches every permitted kind when none is named, and only permitted ones when some are", () => {
    expect(planEventQuery(microsoft, filtersOf({}).filters, "time_desc").kinds).toEqual(EVENT_KINDS.filter((kind) => kind.startsWith("completion_")));
    expect(planEventQuery(microsoft, filtersOf({ kind: ["error", "completion_shown"] }).filters, "time_desc").kinds).toEqual(["completion_shown"]);
  });

  it("refuses a filter on a class the person sees on no kind (403, naming the parameter)", () => {
    const refuse = () => planEventQuery(health, filtersOf({ machineId: "abc" }).filters, "time_desc");
    expect(refuse).toThrow(AppError);
    try {
      refuse();
    } catch (error) {
      expect(isFilterRefusal(error)).toBe(true);
      expect((error as AppError).status).toBe(403);
      expect((error as AppError).issues).toEqual([{ path: "machineId", message: "identifiers fields are not in your scope" }]);
    }
    expect(() => planEventQuery(microsoft, filtersOf({ country: "US", sessionId: "s" }).filters, "time_desc")).toThrow(/sessionId/);
  });

  it("narrows the kinds to those where a filtered class is visible, unless the person named the kinds", () => {
    const scope = { error: ["environment" as const], completion_shown: ["environment" as const, "location" as const] };
    expect(planEventQuery(scope, filtersOf({ country: "US" }).filters, "time_desc").kinds).toEqual(["completion_shown"]);
    expect(() => planEventQuery(scope, filtersOf({ country: "US", kind: ["error", "completion_shown"] }).filters, "time_desc")).toThrow(/Error events/);
  });

  it("treats sorting by a measurement as reading it", () => {
    const scope = { error: ["environment" as const] };
    expect(() => planEventQuery(scope, filtersOf({}).filters, "latency_desc")).toThrow(/sort by latency/);
    expect(planEventQuery(copilot, filtersOf({}).filters, "latency_desc").filterClasses).toEqual(["measurements"]);
  });
});

describe("kindCondition", () => {
  it.each([
    [[], "FALSE", []],
    [[...EVENT_KINDS], "TRUE", []],
    [["error"], "kind = $1::event_kind", ["error"]],
    [EVENT_KINDS.filter((kind) => kind !== "other"), "kind <> $1::event_kind", ["other"]],
    [EVENT_KINDS.filter((kind) => kind.startsWith("completion_")), "kind <> ALL($1::event_kind[])", [["error", "other"]]],
    [["error", "completion_shown"], "kind = ANY($1::event_kind[])", [["error", "completion_shown"]]],
  ] as const)("writes %j as %s", (kinds, text, values) => {
    const condition = kindCondition(kinds);
    expect(condition.text).toBe(text);
    expect(condition.values).toEqual(values);
  });
});

describe("the page query", () => {
  it("binds every value and pages with a row-value comparison on (time, id)", () => {
    const cursor = encodeCursor({ sort: "time_desc", value: "2026-11-20T10:00:00.000Z", id: "0f0e0d0c-0b0a-4908-8706-050403020100" });
    const query = filtersOf({ os: "linux'; DROP TABLE person; --", cursor, limit: "20" });
    const where = listWhere(["error"], query.filters, query.sort, new Date());
    const page = pageQuery(Prisma.sql`id`, where, query.sort, query.cursor, query.limit + 1);
    expect(page.text).toBe(
      "SELECT id FROM telemetry_event WHERE kind = $1::event_kind AND lower(os) = lower($2) AND (time, id) < ($3::timestamptz, $4::uuid) ORDER BY time DESC, id DESC LIMIT $5::int",
    );
    expect(page.values).toEqual(["error", "linux'; DROP TABLE person; --", "2026-11-20T10:00:00.000Z", "0f0e0d0c-0b0a-4908-8706-050403020100", 21]);
  });

  it("sorts by a measurement over the rows that have it, ascending with >", () => {
    const query = filtersOf({ sort: "certainty_asc", cursor: encodeCursor({ sort: "certainty_asc", value: 0.5, id: "0f0e0d0c-0b0a-4908-8706-050403020100" }) });
    const where = listWhere(["completion_shown"], query.filters, query.sort, new Date());
    const page = pageQuery(Prisma.sql`id`, where, query.sort, query.cursor, 51);
    expect(page.text).toContain("model_certainty IS NOT NULL AND (model_certainty, id) > ($2::float8, $3::uuid) ORDER BY model_certainty ASC, id ASC");
  });
});

describe("field filters, by the registry's filter mode", () => {
  const where = (input: Record<string, string>) => {
    const sql = listWhere(["completion_shown"], filtersOf(input).filters, null, new Date());
    return { text: sql.text, values: sql.values };
  };

  it("matches text case-insensitively through lower(), as the expression indexes are written", () => {
    expect(where({ os: "Linux", city: "san francisco" })).toEqual({
      text: "kind = $1::event_kind AND lower(os) = lower($2) AND lower(city) = lower($3)",
      values: ["completion_shown", "Linux", "san francisco"],
    });
  });

  it("matches a version by its leading components, with LIKE's wildcards escaped", () => {
    expect(where({ vscodeVersion: "1.106" })).toEqual({
      text: "kind = $1::event_kind AND (vscode_version = $2 OR vscode_version LIKE $3 OR vscode_version LIKE $4)",
      values: ["completion_shown", "1.106", "1.106.%", "1.106-%"],
    });
    expect(where({ extensionVersion: "1_0%" }).values).toEqual(["completion_shown", "1_0%", "1\\_0\\%.%", "1\\_0\\%-%"]);
  });

  it("excludes a value with not<Key>, keeping events without the field", () => {
    expect(where({ notCity: "Paris", notAccepted: "true" })).toEqual({
      text: "kind = $1::event_kind AND (city IS NULL OR NOT lower(city) = lower($2)) AND (accepted IS NULL OR NOT accepted = $3::boolean)",
      values: ["completion_shown", "Paris", true],
    });
  });

  it("keeps ids exact, enums and ranges typed", () => {
    expect(where({ machineId: "AB", uiKind: "web", accepted: "false", latencyMin: "10", certaintyMax: "0.5", country: "gb" })).toEqual({
      text: "kind = $1::event_kind AND machine_id = $2 AND ui_kind = $3::ui_kind AND country = $4::char(2) AND latency_ms >= $5::int AND model_certainty <= $6::float8 AND accepted = $7::boolean",
      values: ["completion_shown", "AB", "web", "GB", 10, 0.5, false],
    });
  });
});

describe("planRows", () => {
  it("reads the estimate from EXPLAIN (FORMAT JSON), parsed or as text", () => {
    const plan = [{ Plan: { "Node Type": "Seq Scan", "Plan Rows": 123456 } }];
    expect(planRows([{ "QUERY PLAN": plan }])).toBe(123456);
    expect(planRows([{ "QUERY PLAN": JSON.stringify(plan) }])).toBe(123456);
    expect(planRows([])).toBe(0);
  });
});
