// Test helper: the mapping the migrations install (event_name_mapping,
// property_classification, known_value), read from their SQL, so unit tests
// run against the real defaults and cannot drift from them.
import fs from "node:fs";
import path from "node:path";
import type { EventKind, FieldClass } from "@/lib/telemetry/vocabulary";
import { buildMapping } from "./mapping";

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

function migrationSql(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => fs.readFileSync(path.join(MIGRATIONS_DIR, name, "migration.sql"), "utf8"));
}

/** Every ('a', 'b') pair the migrations insert into `table`, in order. */
export function defaultRows(table: "event_name_mapping" | "property_classification" | "known_value"): Array<readonly [string, string]> {
  const rows: Array<readonly [string, string]> = [];
  for (const sql of migrationSql()) {
    for (const statement of sql.split(`INSERT INTO "${table}"`).slice(1)) {
      const body = statement.slice(0, statement.indexOf("ON CONFLICT"));
      for (const match of body.matchAll(/\('((?:[^']|'')*)', '((?:[^']|'')*)'\)/g)) rows.push([match[1]!.replaceAll("''", "'"), match[2]!.replaceAll("''", "'")]);
    }
  }
  return rows;
}

export const DEFAULT_KINDS = defaultRows("event_name_mapping") as Array<readonly [string, EventKind]>;
export const DEFAULT_CLASSES = defaultRows("property_classification") as Array<readonly [string, FieldClass]>;
export const DEFAULT_KNOWN_VALUES = defaultRows("known_value");

/** The mapping a freshly migrated database holds. */
export const DEFAULT_MAPPING = buildMapping(DEFAULT_KINDS, DEFAULT_CLASSES, DEFAULT_KNOWN_VALUES);
