// Per-key rate limit: a token bucket per ingestion key, in this process's
// memory. Each accepted-for-processing event costs one token; the bucket holds
// `burst` tokens and refills at `ratePerSecond`. A batch larger than the whole
// bucket is let through when the bucket is full (driving it negative), so no
// batch is refused forever. The portal runs as one process (PGlite allows no
// other), so an in-memory bucket is exact; behind several instances each
// enforces its own share.
import "server-only";

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

type Bucket = { tokens: number; updatedMs: number };

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly nowMs: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  get isUnlimited(): boolean {
    return this.ratePerSecond <= 0;
  }

  /** Takes `cost` tokens from `key`'s bucket, or says how long to wait before the same batch would pass. */
  take(key: string, cost: number): RateDecision {
    if (this.isUnlimited || cost <= 0) return { allowed: true };
    const now = this.nowMs();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedMs: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.ratePerSecond);
    bucket.updatedMs = now;
    this.buckets.set(key, bucket);
    const needed = Math.min(cost, this.burst);
    if (bucket.tokens >= needed) {
      bucket.tokens -= cost;
      return { allowed: true };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((needed - bucket.tokens) / this.ratePerSecond));
    return { allowed: false, retryAfterSeconds };
  }

  /** Forgets every bucket (tests). */
  reset(): void {
    this.buckets.clear();
  }
}
