// Per-key rate limit: a token bucket per ingestion key, kept in the database
// (table intake_rate_bucket) so that every portal instance draws on the same
// bucket. Each accepted-for-processing event costs one token; the bucket holds
// `burst` tokens and refills at `ratePerSecond`. A batch larger than the whole
// bucket is let through when the bucket is full (driving it negative), so no
// batch is refused forever. `ratePerSecond` 0 turns the limit off.
//
// One take is one atomic statement: INSERT … ON CONFLICT DO UPDATE … WHERE
// the refilled bucket holds enough, RETURNING the tokens left. Concurrent
// takes on one key serialize on its row, whichever instance they come from.
// Nothing returned = refused; only then is the row read again to say how long
// to wait. No row is a full bucket, so idle rows may be deleted at any time
// (`purgeRefilledBuckets`, run by the `intake.rate-buckets.purge` job).
//
// Time is the database's clock (one clock for every instance), unless a test
// passes its own.
//
// No "server-only": the job runner (scripts/start.ts) imports the purge.

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export type RateLimits = {
  /** tokens refilled per second; 0 = unlimited */
  ratePerSecond: number;
  /** the bucket's size: events one key may send at once */
  burst: number;
};

/** The part of a Prisma client the limiter uses. */
export type RateLimitDb = {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
};

/**
 * The bucket `b` refilled up to now: capped at the bucket's size; a clock that
 * went backwards refills nothing. `now` NULL is the database's clock.
 */
const refilled = (burst: string, rate: string, now: string) =>
  `LEAST(${burst}::float8, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM (COALESCE(${now}::timestamptz, now()) - b.updated_at)))::float8 * ${rate}::float8)`;

// $1 key id, $2 cost, $3 burst, $4 rate per second, $5 now.
const TAKE_SQL = `
  INSERT INTO intake_rate_bucket AS b (key_id, tokens, updated_at)
  VALUES ($1::uuid, $3::float8 - $2::float8, COALESCE($5::timestamptz, now()))
  ON CONFLICT (key_id) DO UPDATE
    SET tokens = ${refilled("$3", "$4", "$5")} - $2::float8,
        updated_at = COALESCE($5::timestamptz, now())
    WHERE ${refilled("$3", "$4", "$5")} >= LEAST($2::float8, $3::float8)
  RETURNING b.tokens`;

// $1 key id, $2 burst, $3 rate per second, $4 now.
const TOKENS_NOW_SQL = `SELECT ${refilled("$2", "$3", "$4")} AS tokens FROM intake_rate_bucket b WHERE b.key_id = $1::uuid`;

export class TokenBucketLimiter {
  constructor(
    private readonly db: RateLimitDb,
    readonly limits: RateLimits,
    /** tests only: a clock to use instead of the database's */
    private readonly nowMs?: () => number,
  ) {}

  get isUnlimited(): boolean {
    return this.limits.ratePerSecond <= 0;
  }

  /** Takes `cost` tokens from `keyId`'s bucket, or says how long to wait before the same batch would pass. */
  async take(keyId: string, cost: number): Promise<RateDecision> {
    if (this.isUnlimited || cost <= 0) return { allowed: true };
    const { ratePerSecond, burst } = this.limits;
    const now = this.nowMs ? new Date(this.nowMs()).toISOString() : null;
    const taken = await this.db.$queryRawUnsafe<Array<{ tokens: number }>>(TAKE_SQL, keyId, cost, burst, ratePerSecond, now);
    if (taken.length > 0) return { allowed: true };
    // Refused: the row exists and holds too little. Read how little, now.
    const [row] = await this.db.$queryRawUnsafe<Array<{ tokens: number }>>(TOKENS_NOW_SQL, keyId, burst, ratePerSecond, now);
    // Deleted meanwhile (it had refilled): the next attempt passes.
    const tokens = row ? Number(row.tokens) : burst;
    return { allowed: false, retryAfterSeconds: retryAfterSeconds(tokens, cost, this.limits) };
  }
}

/** Seconds until a bucket holding `tokens` has refilled enough for `cost` (at least 1). */
export function retryAfterSeconds(tokens: number, cost: number, limits: RateLimits): number {
  const needed = Math.min(cost, limits.burst);
  return Math.max(1, Math.ceil((needed - tokens) / limits.ratePerSecond));
}

/**
 * Deletes every bucket that has refilled completely (a missing row is a full
 * bucket, so nothing changes for any key); with the limit off, all of them.
 * A take racing with it either sees the row first (and the row, no longer
 * full, is kept: DELETE re-checks its condition on the updated row) or
 * starts a new full bucket. Returns how many rows went.
 */
export async function purgeRefilledBuckets(db: RateLimitDb, limits: RateLimits): Promise<number> {
  if (limits.ratePerSecond <= 0) return db.$executeRawUnsafe(`DELETE FROM intake_rate_bucket`);
  return db.$executeRawUnsafe(
    `DELETE FROM intake_rate_bucket b WHERE ${refilled("$1", "$2", "NULL")} >= $1::float8`,
    limits.burst,
    limits.ratePerSecond,
  );
}
