// Estimated totals, kept for a few seconds. Every page of the explorer and
// every GET /api/v1/events shows a total; above the exact-count threshold that
// total is the planner's estimate (./event-sql.ts countEvents), which costs an
// EXPLAIN round trip — and, between the threshold and ten times it, a bounded
// count of threshold + 1 rows — on every request, for a number that is
// labelled "about" and moves only when the planner's statistics move. So an
// estimate given for a WHERE clause is given again for the same clause (same
// SQL text, same parameters: the access predicate is part of the clause, so
// two scopes never share an entry) until it is ESTIMATE_TTL_MS old. Exact
// totals are never kept: they are cheap (at most `threshold` rows) and a
// person expects them to follow the data.
//
// This is a count of matching rows, not data: nothing a person may see is
// cached, and every request still reads its page and writes its audit row.
import "server-only";
import type { Prisma } from "@/server/db/generated/client";

/** How long an estimated total is given again. */
export const ESTIMATE_TTL_MS = 10_000;
/** At most this many clauses are kept (filters with "now" in them make a new clause each request). */
export const ESTIMATE_CACHE_ENTRIES = 500;

export type EstimateCache = {
  get(key: string): number | undefined;
  set(key: string, value: number): void;
};

/** The clause and its parameters, as one key (dates by instant, big integers by value). */
export function estimateKey(where: Prisma.Sql, threshold: number): string {
  const values = JSON.stringify(where.values, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value));
  return `${threshold}\u0000${where.text}\u0000${values}`;
}

export function createEstimateCache(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}): EstimateCache {
  const ttlMs = options.ttlMs ?? ESTIMATE_TTL_MS;
  const maxEntries = options.maxEntries ?? ESTIMATE_CACHE_ENTRIES;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: the first key is the oldest entry.
  const entries = new Map<string, { value: number; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
  };
}
