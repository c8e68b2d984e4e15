// The mapping tables (event_name_mapping, property_classification) as the
// normalizer reads them: loaded from the database and kept for a short while
// (MAPPING_TTL_MS), so an admin's edit applies to new events within seconds
// without a query per batch. Names match exactly, then case-insensitively.
import "server-only";
import { EVENT_KINDS, FIELD_CLASSES, type EventKind, type FieldClass } from "@/lib/telemetry/vocabulary";
import type { IngestMapping } from "./normalize";
import type { IngestDb } from "./store-events";

export const MAPPING_TTL_MS = 10_000;

type Loaded = { mapping: IngestMapping; loadedMs: number };
const cache = new WeakMap<IngestDb, Promise<Loaded>>();

export function buildMapping(kinds: Iterable<readonly [string, EventKind]>, classes: Iterable<readonly [string, FieldClass]>): IngestMapping {
  const kindByName = new Map(kinds);
  const classByName = new Map(classes);
  const kindByLowerName = new Map([...kindByName].map(([name, kind]) => [name.toLowerCase(), kind] as const));
  const classByLowerName = new Map([...classByName].map(([name, fieldClass]) => [name.toLowerCase(), fieldClass] as const));
  return {
    kindOf: (name) => kindByName.get(name) ?? kindByLowerName.get(name.toLowerCase()),
    classOf: (name) => classByName.get(name) ?? classByLowerName.get(name.toLowerCase()),
  };
}

async function load(db: IngestDb): Promise<Loaded> {
  const [names, classes] = await Promise.all([
    db.$queryRawUnsafe<Array<{ event_name: string; kind: string }>>(`SELECT event_name, kind::text AS kind FROM event_name_mapping`),
    db.$queryRawUnsafe<Array<{ name: string; field_class: string }>>(`SELECT name, field_class::text AS field_class FROM property_classification`),
  ]);
  const isKind = (value: string): value is EventKind => (EVENT_KINDS as readonly string[]).includes(value);
  const isClass = (value: string): value is FieldClass => (FIELD_CLASSES as readonly string[]).includes(value);
  return {
    mapping: buildMapping(
      names.flatMap((row) => (isKind(row.kind) ? [[row.event_name, row.kind] as const] : [])),
      classes.flatMap((row) => (isClass(row.field_class) ? [[row.name, row.field_class] as const] : [])),
    ),
    loadedMs: Date.now(),
  };
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
