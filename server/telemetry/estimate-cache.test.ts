// Estimated totals are given again for the same clause for a few seconds; exact totals never are.
import { describe, expect, it } from "vitest";
import { Prisma } from "@/server/db/generated/client";
import { createEstimateCache, estimateKey } from "./estimate-cache";
import { countEvents, type RawRunner } from "./event-sql";

/** A runner that answers EXPLAIN with `planned` rows and the bounded count with `counted`, and records what it ran. */
function fakeRunner(planned: number, counted: number): RawRunner & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    async $queryRaw<T>(query: Prisma.Sql): Promise<T> {
      statements.push(query.text);
      if (query.text.startsWith("EXPLAIN")) return [{ "QUERY PLAN": [{ Plan: { "Plan Rows": planned } }] }] as T;
      return [{ n: counted }] as T;
    },
  };
}

const where = Prisma.sql`kind = ANY(${["error"]}::event_kind[])`;

describe("countEvents with an estimate cache", () => {
  it("gives an estimate again for the same clause without asking the database", async () => {
    const estimates = createEstimateCache();
    const runner = fakeRunner(50_000, 0);
    expect(await countEvents(runner, where, 100, estimates)).toEqual({ value: 50_000, exact: false });
    expect(await countEvents(runner, where, 100, estimates)).toEqual({ value: 50_000, exact: false });
    expect(runner.statements).toHaveLength(1);
  });

  it("keeps the estimate given after a bounded count that passed the threshold", async () => {
    const estimates = createEstimateCache();
    const runner = fakeRunner(500, 101);
    expect(await countEvents(runner, where, 100, estimates)).toEqual({ value: 500, exact: false });
    expect(await countEvents(runner, where, 100, estimates)).toEqual({ value: 500, exact: false });
    expect(runner.statements).toHaveLength(2);
  });

  it("never keeps an exact total", async () => {
    const estimates = createEstimateCache();
    const runner = fakeRunner(500, 42);
    expect(await countEvents(runner, where, 100, estimates)).toEqual({ value: 42, exact: true });
    expect(await countEvents(runner, where, 100, estimates)).toEqual({ value: 42, exact: true });
    expect(runner.statements).toHaveLength(4);
  });

  it("does not share an estimate between clauses that differ in a parameter or in the threshold", async () => {
    const estimates = createEstimateCache();
    const other = Prisma.sql`kind = ANY(${["completion_shown"]}::event_kind[])`;
    await countEvents(fakeRunner(50_000, 0), where, 100, estimates);
    expect(await countEvents(fakeRunner(70_000, 0), other, 100, estimates)).toEqual({ value: 70_000, exact: false });
    expect(await countEvents(fakeRunner(9_000_000, 0), where, 200, estimates)).toEqual({ value: 9_000_000, exact: false });
    expect(estimateKey(where, 100)).not.toBe(estimateKey(other, 100));
  });
});

describe("createEstimateCache", () => {
  it("forgets an entry once it is ttlMs old", () => {
    let clock = 1_000;
    const estimates = createEstimateCache({ ttlMs: 10, now: () => clock });
    estimates.set("a", 1);
    clock += 9;
    expect(estimates.get("a")).toBe(1);
    clock += 1;
    expect(estimates.get("a")).toBeUndefined();
  });

  it("keeps at most maxEntries, dropping the oldest", () => {
    const estimates = createEstimateCache({ maxEntries: 2 });
    estimates.set("a", 1);
    estimates.set("b", 2);
    estimates.set("c", 3);
    expect([estimates.get("a"), estimates.get("b"), estimates.get("c")]).toEqual([undefined, 2, 3]);
  });

  it("keys dates by instant and big integers by value", () => {
    const at = new Date("2026-01-01T00:00:00Z");
    expect(estimateKey(Prisma.sql`time < ${at}`, 1)).toBe(estimateKey(Prisma.sql`time < ${new Date(at.getTime())}`, 1));
    expect(estimateKey(Prisma.sql`n = ${1n}`, 1)).not.toBe(estimateKey(Prisma.sql`n = ${1}`, 1));
  });
});
