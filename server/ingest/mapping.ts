// The mapping tables as the normalizer reads them: event_name_mapping (event
// name → kind), property_classification (property name → field class) and
// known_value (the values of a field that may be shown as sent; see
// producer-text.ts). Loaded from the database and kept for a short while
// (MAPPING_TTL_MS), so an admin's edit applies to new events within seconds
// without a query per batch. Names and values match exactly, then
// case-insensitively, and come back as the table spells them.
import "server-only";
import { EVENT_KINDS, FIELD_CLASSES, type EventKind, type FieldClass } from "@/lib/telemetry/vocabulary";
import type { IngestMapping } from "./normalize";
import type { IngestDb } from "./store-events";

export const MAPPING_TTL_MS = 10_000;

type Loaded = { mapping: IngestMapping; loadedMs: number };
const cache = new WeakMap<IngestDb, Promise<Loaded>>();

/** Exact match first, then case-insensitive; the entry as the table has it. */
function lookup<V>(entries: Iterable<readonly [string, V]>): (name: string) => { name: string; value: V } | undefined {
  const exact = new Map<string, { name: string; value: V }>();
  const folded = new Map<string, { name: string; value: V }>();
  for (const [name, value] of entries) {
    exact.set(name, { name, value });
    if (!folded.has(name.toLowerCase())) folded.set(name.toLowerCase(), { name, value });
  }
  return (name) => exact.get(name) ?? folded.get(name.toLowerCase());
}

export function buildMapping(
  kinds: Iterable<readonly [string, EventKind]>,
  classes: Iterable<readonly [string, FieldClass]>,
  knownValues: Iterable<readonly [field: string, value: string]> = [],
): IngestMapping {
  const eventName = lookup(kinds);
  const property = lookup(classes);
  const valuesByField = new Map<string, string[]>();
  for (const [field, value] of knownValues) {
    const values = valuesByField.get(field);
    if (values) values.push(value);
    else valuesByField.set(field, [value]);
  }
  const knownValue = new Map([...valuesByField].map(([field, values]) => [field, lookup(values.map((value) => [value, true] as const))] as const));
  return {
    eventName: (name) => {
      const found = eventName(name);
      return found && { name: found.name, kind: found.value };
    },
    property: (name) => {
      const found = property(name);
      return found && { name: found.name, fieldClass: found.value };
    },
    knownValue: (field, value) => knownValue.get(field)?.(value)?.name,
  };
}

/** Reads the three tables through `query` (any driver: Prisma, pg, PGlite). */
export async function readMapping(query: (sql: string) => Promise<Array<Record<string, unknown>>>): Promise<IngestMapping> {
  // One after another: `query` may be a single connection (pg warns about, and pg@9 refuses, overlapping queries on one client).
  const names = await query(`SELECT event_name, kind::text AS kind FROM event_name_mapping`);
  const classes = await query(`SELECT name, field_class::text AS field_class FROM property_classification`);
  const values = await query(`SELECT field, value FROM known_value`);
  const isKind = (value: unknown): value is EventKind => (EVENT_KINDS as readonly unknown[]).includes(value);
  const isClass = (value: unknown): value is FieldClass => (FIELD_CLASSES as readonly unknown[]).includes(value);
  return buildMapping(
    names.flatMap((row) => (isKind(row.kind) ? [[String(row.event_name), row.kind] as const] : [])),
    classes.flatMap((row) => (isClass(row.field_class) ? [[String(row.name), row.field_class] as const] : [])),
    values.map((row) => [String(row.field), String(row.value)] as const),
  );
}

async function load(db: IngestDb): Promise<Loaded> {
  const mapping = await readMapping((sql) => db.$queryRawUnsafe<Array<Record<string, unknown>>>(sql));
  return { mapping, loadedMs: Date.now() };
}

/** The current mapping for `db` (at most MAPPING_TTL_MS old). */
export async function getMapping(db: IngestDb): Promise<IngestMapping> {
  const cached = cache.get(db);
  if (cached) {
    const loaded = await cached.catch(() => null);
    if (loaded && Date.now() - loaded.loadedMs < MAPPING_TTL_MS) return loaded.mapping;
  }
  const loading = load(db);
  cache.set(db, loading);
  loading.catch(() => cache.delete(db));
  return (await loading).mapping;
}

/** Drops the cached mapping of `db` (tests, and after an edit in this process). */
export function forgetMapping(db: IngestDb): void {
  cache.delete(db);
}
