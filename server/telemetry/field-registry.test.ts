// The field registry (lib/telemetry/fields.ts) is the only place a telemetry
// field is declared: every column list derived from it — the table in
// prisma/schema.prisma, the intake's INSERT, the seed's COPY, the explorer's
// SELECT, the DTO, the explorer's columns, the filter parameters and form, the
// producer-text rules, the rows the seed and the intake build — must agree
// with it. A field added in one place only fails here.
import fs from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import { EventFilterForm } from "@/components/events/event-filter-form";
import { EVENT_COLUMNS } from "@/lib/telemetry/event-columns";
import { eventListQuerySchema, FIELD_FILTER_KEYS, FIELD_FILTERS } from "@/lib/telemetry/event-query";
import { CORE_FIELDS, FIELD_KEYS, FIELD_LIST, FIELDS_BY_CLASS, ROLLUP_FIELDS, STORED_COLUMNS, type FieldSpec } from "@/lib/telemetry/fields";
import { EVENT_KINDS, FIELD_CLASSES } from "@/lib/telemetry/vocabulary";
import { Prisma } from "@/server/db/generated/client";
import { FIELD_RULES } from "@/server/ingest/producer-text";
import { generateEvents } from "@/server/seed/generate-events";
import { EVENT_ROW_COLUMNS, toEventDto, type EventRow } from "./event-dto";
import { ROLLUP_DIMENSIONS, rollupRowsOf } from "./rollup-maintenance";
import { COPY_COLUMNS, INSERT_COLUMNS, INSERT_EVENTS_SQL } from "./event-store";

// The filter form's client part navigates with the App Router, which is not mounted here.
vi.mock("next/navigation", () => ({ useRouter: () => ({ push: () => undefined }) }));

const root = path.resolve(import.meta.dirname, "../..");

/** The TelemetryEvent model of schema.prisma: column → Prisma type (with `?` / `[]`). */
function schemaColumns(): Map<string, string> {
  const schema = fs.readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
  const model = /model TelemetryEvent \{([\s\S]*?)\n\}/.exec(schema)?.[1];
  if (!model) throw new Error("schema.prisma has no TelemetryEvent model");
  const columns = new Map<string, string>();
  for (const line of model.split("\n")) {
    const match = /^\s+(\w+)\s+(\w+(?:\[\]|\?)?)(.*)$/.exec(line);
    if (!match || line.trim().startsWith("//") || line.trim().startsWith("@@")) continue;
    const [, name, type, rest] = match as unknown as [string, string, string, string];
    if (/@relation/.test(rest)) continue; // a relation, not a column
    columns.set(/@map\("([^"]+)"\)/.exec(rest)?.[1] ?? name, type);
  }
  return columns;
}

/**
 * The (dimension, value expression) pairs of the newest migration's
 * telemetry_rollup_rows_sql — the SQL function the rollup triggers run. A later
 * migration that redefines the function replaces the earlier one's list.
 */
function rollupFunctionDimensions(): Array<[string, string, string]> {
  const dir = path.join(root, "prisma/migrations");
  let body: string | undefined;
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name, "migration.sql");
    if (!fs.existsSync(file)) continue;
    const found = /CREATE (?:OR REPLACE )?FUNCTION telemetry_rollup_rows_sql\b[\s\S]*?\$fn\$([\s\S]*?)\$fn\$/.exec(fs.readFileSync(file, "utf8"));
    if (found) body = found[1];
  }
  if (!body) throw new Error("no migration defines telemetry_rollup_rows_sql");
  const values = /VALUES\s*\n([\s\S]*?)\n\s*\)\s*AS d\(dimension, value, weight\)/.exec(body)?.[1];
  if (!values) throw new Error("telemetry_rollup_rows_sql has no VALUES list of (dimension, value, weight)");
  // one dimension per line: ('key', value expression, weight expression),
  return values.split("\n").map((line) => {
    const entry = /^\s*\('([^']*)',\s*(.*),\s*([^,]+)\),?\s*$/.exec(line);
    if (!entry) throw new Error(`unreadable dimension line in telemetry_rollup_rows_sql: ${line}`);
    return [entry[1]!, entry[2]!.trim(), entry[3]!.trim()];
  });
}

/** The Prisma type a registry value type is stored as. */
const PRISMA_TYPES: Record<FieldSpec["value"], string> = {
  uuid: "String",
  kind: "EventKind",
  uiKind: "UiKind",
  text: "String",
  country: "String",
  int: "Int",
  float: "Float",
  bool: "Boolean",
  json: "Json",
  textList: "String[]",
  timestamp: "DateTime",
  sealed: "Bytes",
};

describe("the field registry", () => {
  it("declares exactly the columns of schema.prisma's TelemetryEvent, with their types and nullability", () => {
    const schema = schemaColumns();
    expect([...schema.keys()].sort()).toEqual([...STORED_COLUMNS].sort());
    for (const field of FIELD_LIST) {
      const type = PRISMA_TYPES[field.value];
      const nullable = field.nullable && field.value !== "textList" ? "?" : "";
      expect(schema.get(field.column), field.key).toBe(`${type}${nullable}`);
    }
    expect(schema.get("content_key_id")).toBe("String?");
  });

  it("is the intake's INSERT column list (less what the database fills) and the seed's COPY column list", () => {
    expect(COPY_COLUMNS).toEqual(STORED_COLUMNS);
    expect(INSERT_COLUMNS).toEqual(STORED_COLUMNS.filter((column) => column !== "received_at"));
    expect(INSERT_EVENTS_SQL).toContain(`INSERT INTO telemetry_event (${STORED_COLUMNS.filter((column) => column !== "received_at").join(", ")})`);
  });

  it("is what the explorer selects and what a DTO carries, class by class", () => {
    const selected = EVENT_ROW_COLUMNS.text.split(", ").map((expression) => expression.split(" AS ").at(-1)!.trim());
    const dtoFields = FIELD_LIST.filter((field) => field.dto);
    expect(selected).toEqual([...dtoFields.map((field) => field.column), "has_content"]);
    expect(dtoFields.map((field) => field.key)).not.toContain("content");

    const row = Object.fromEntries(
      dtoFields.map((field) => [field.column, field.value === "timestamp" ? new Date(0) : field.value === "kind" ? "completion_shown" : null]),
    ) as unknown as EventRow;
    const everything = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, [...FIELD_CLASSES]]));
    expect(Object.keys(toEventDto(row, everything)).sort()).toEqual(dtoFields.map((field) => field.key).sort());
    const locationOnly = { completion_shown: ["location" as const] };
    expect(Object.keys(toEventDto(row, locationOnly)).sort()).toEqual([...CORE_FIELDS, ...FIELDS_BY_CLASS.location].sort());
  });

  it("is the explorer's columns", () => {
    expect(EVENT_COLUMNS.map((column) => column.id)).toEqual(FIELD_LIST.filter((field) => field.explorer).map((field) => field.key));
    for (const column of EVENT_COLUMNS) expect(FIELD_LIST.find((field) => field.key === column.id)?.dto, column.id).toBe(true);
  });

  it("is the rollup dimensions: the triggers' SQL function and the deletions' query", () => {
    // every facetable field of the registry is a dimension, as its column's text, counted once per event
    expect(ROLLUP_DIMENSIONS.slice(1, 1 + ROLLUP_FIELDS.length)).toEqual(ROLLUP_FIELDS.map((field) => ({ key: field.key, value: `e.${field.column}::text`, weight: "1" })));
    const expected = ROLLUP_DIMENSIONS.map(({ key, value, weight }) => [key, value, weight]);
    expect(rollupFunctionDimensions()).toEqual(expected);
    const subtracted = rollupRowsOf(Prisma.sql`true`, -1).text;
    for (const [dimension, value, weight] of expected) expect(subtracted, dimension).toContain(`('${dimension}', ${value}, ${weight})`);
  });

  it("is the row the seed generates and the producer-text rule's fields", () => {
    const [event] = [...generateEvents({ count: 1, seed: 7, now: new Date("2026-11-20T12:00:00Z") })];
    expect(Object.keys(event!).sort()).toEqual([...FIELD_KEYS].sort());
    expect(Object.keys(FIELD_RULES).sort()).toEqual([...FIELD_KEYS].sort());
  });

  it("is every filter parameter the query accepts, and every field the filter form offers", () => {
    for (const filter of FIELD_FILTERS) {
      const sample = filter.field.filter.mode === "range" ? "0" : filter.field.value === "bool" ? "true" : filter.field.value === "uiKind" ? "web" : filter.field.value === "country" ? "GB" : "x";
      expect(eventListQuerySchema.safeParse({ [filter.param]: sample }).success, filter.param).toBe(true);
    }
    expect(eventListQuerySchema.safeParse({ osVersion: "1" }).success).toBe(false); // a field without a filter has no parameter
    // exclusions (not<Key>, set by a click on a cell) travel as hidden fields while set
    const excluded = Object.fromEntries(FIELD_FILTERS.filter((filter) => filter.excludes).map((filter) => [filter.param, "x"]));
    const html = renderToStaticMarkup(
      createElement(EventFilterForm, { action: "/events", values: excluded, kinds: EVENT_KINDS, visibleClasses: FIELD_CLASSES }),
    );
    const named = [...html.matchAll(/name="(\w+)"/g)].map((match) => match[1]);
    for (const param of FIELD_FILTER_KEYS) expect(named, param).toContain(param);
  });
});
