// The intake rate limit against real databases (PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set): the token bucket's rules (docs/INGESTION.md), on
// a clock the tests move, and — on PostgreSQL — two portal instances (two
// connection pools, as two processes have) drawing on one key's bucket.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "@/server/db/connect";
import { purgeRefilledBuckets, TokenBucketLimiter } from "./rate-limit";
import { createTestKey, testTargets } from "./test-databases";

const KEYS = [{ id: "rl1", key: randomBytes(32) }];
const limits = { ratePerSecond: 10, burst: 20 };

describe.each(testTargets(KEYS))("the intake rate limit on $name", (target) => {
  let db: Database;
  let clockMs = Date.parse("2026-11-30T12:00:00Z");
  const newKey = async () => (await createTestKey(db, `Rate-limited producer ${randomBytes(3).toString("hex")}`)).id;
  const bucket = async (keyId: string) =>
    (await db.prisma.$queryRawUnsafe<Array<{ tokens: number }>>(`SELECT tokens FROM intake_rate_bucket WHERE key_id = $1::uuid`, keyId))[0]?.tokens;

  beforeAll(async () => {
    db = await target.open();
  });

  afterAll(async () => {
    await db?.close();
    await target.dispose();
  });

  it("allows a burst, then asks to wait as long as the refill takes; a batch larger than the bucket passes when it is full", async () => {
    const limiter = new TokenBucketLimiter(db.prisma, limits, () => clockMs);
    const [k, other] = [await newKey(), await newKey()];
    expect(await limiter.take(k, 20)).toEqual({ allowed: true });
    expect(await limiter.take(k, 5)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await limiter.take(other, 20)).toEqual({ allowed: true }); // per key
    clockMs += 500;
    expect(await limiter.take(k, 5)).toEqual({ allowed: true });
    expect(await limiter.take(k, 50)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    clockMs += 2_000;
    expect(await limiter.take(k, 50)).toEqual({ allowed: true });
    expect(await bucket(k)).toBe(-30); // driven negative: one more token is 3.1 s away
    expect(await limiter.take(k, 1)).toEqual({ allowed: false, retryAfterSeconds: 4 });
    clockMs += 60_000;
    expect(await limiter.take(k, 20)).toEqual({ allowed: true }); // refilled to the burst, never beyond
    expect(await limiter.take(k, 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it("is off at rate 0, and takes nothing for an empty batch", async () => {
    const k = await newKey();
    expect(await new TokenBucketLimiter(db.prisma, { ratePerSecond: 0, burst: 1 }).take(k, 1_000_000)).toEqual({ allowed: true });
    expect(await new TokenBucketLimiter(db.prisma, limits).take(k, 0)).toEqual({ allowed: true });
    expect(await bucket(k)).toBeUndefined();
  });

  it("runs on the database's clock when given none", async () => {
    const limiter = new TokenBucketLimiter(db.prisma, { ratePerSecond: 1, burst: 5 });
    const k = await newKey();
    expect(await limiter.take(k, 5)).toEqual({ allowed: true });
    expect(await limiter.take(k, 5)).toEqual({ allowed: false, retryAfterSeconds: 5 });
  });

  it("purges only buckets that have refilled (a missing bucket is a full one)", async () => {
    const limiter = new TokenBucketLimiter(db.prisma, limits, () => Date.now());
    const [full, draining] = [await newKey(), await newKey()];
    await limiter.take(full, 1);
    await limiter.take(draining, 1);
    // `full` was used long ago; `draining` just now.
    await db.prisma.$executeRawUnsafe(`UPDATE intake_rate_bucket SET updated_at = now() - interval '1 hour' WHERE key_id = $1::uuid`, full);
    expect(await purgeRefilledBuckets(db.prisma, limits)).toBeGreaterThanOrEqual(1);
    expect(await bucket(full)).toBeUndefined();
    expect(await bucket(draining)).toBe(19);
    expect(await purgeRefilledBuckets(db.prisma, { ratePerSecond: 0, burst: 20 })).toBeGreaterThanOrEqual(1);
    expect(await bucket(draining)).toBeUndefined();
  });

  // Several instances need PostgreSQL: the embedded database serves one process.
  if (target.name === "PostgreSQL") it("is one bucket for every instance: the second is refused once the first used the burst", async () => {
    const second = await connectDatabase({ databaseUrl: target.databaseUrl, pgliteDataDir: "(unused)", poolSize: 4 });
    try {
      const at = clockMs;
      const one = new TokenBucketLimiter(db.prisma, limits, () => at);
      const two = new TokenBucketLimiter(second.prisma, limits, () => at);
      const k = await newKey();
      expect(await one.take(k, 20)).toEqual({ allowed: true });
      expect(await two.take(k, 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });

      // Concurrent takes from both instances: exactly the bucket's worth passes.
      const shared = await newKey();
      const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? one : two).take(shared, 1)));
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(20);
      expect(await bucket(shared)).toBe(0);
    } finally {
      await second.close();
    }
  });
});
