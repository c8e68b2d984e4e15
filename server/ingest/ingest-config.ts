// The intake's own settings, read from the environment once and validated
// with zod. They live here rather than in server/config/env.ts because only
// the two ingestion routes (and the ingest benchmark) read them; every one has
// a default, so the portal starts without any of them. docs/INGESTION.md lists
// them for operators.
import "server-only";
import path from "node:path";
import { z } from "zod";

const MIB = 1024 * 1024;

const emptyToUndefined = (value: unknown) => (value === "" ? undefined : value);
const wholeNumber = (min: number, max: number) => z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).optional());

const ingestEnvSchema = z.object({
  /** largest request body, after decompression (and before it), in bytes */
  INGEST_MAX_BODY_BYTES: wholeNumber(1024, 64 * MIB),
  /** sustained events per second per ingestion key; 0 turns the limit off */
  INGEST_RATE_LIMIT_PER_SECOND: wholeNumber(0, 10_000_000),
  /** the token bucket's size: how many events one key may send at once */
  INGEST_RATE_LIMIT_BURST: wholeNumber(1, 100_000_000),
  /**
   * a GeoLite2/GeoIP2 City database (.mmdb) to use instead of the npm
   * package's copy, or "off" to store no location at all
   */
  INGEST_GEOIP_CITY_DB: z.preprocess(emptyToUndefined, z.string().optional()),
});

export type IngestLimits = {
  maxBodyBytes: number;
  /** events per second refilled into each key's bucket; 0 = unlimited */
  ratePerSecond: number;
  burst: number;
};

export type IngestConfig = IngestLimits & {
  /** absolute path of the operator's City database, "off", or undefined for the bundled one */
  geoipCityDb: string | "off" | undefined;
};

export const DEFAULT_INGEST_LIMITS: IngestLimits = { maxBodyBytes: 4 * MIB, ratePerSecond: 1_000, burst: 20_000 };

export class IngestConfigError extends Error {
  override name = "IngestConfigError";
}

export function parseIngestConfig(source: NodeJS.ProcessEnv = process.env): IngestConfig {
  const parsed = ingestEnvSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IngestConfigError(`Configuration error: ${issue?.path.join(".") || "environment"} ${issue?.message ?? "is invalid"}.`);
  }
  const env = parsed.data;
  const geo = env.INGEST_GEOIP_CITY_DB;
  return {
    maxBodyBytes: env.INGEST_MAX_BODY_BYTES ?? DEFAULT_INGEST_LIMITS.maxBodyBytes,
    ratePerSecond: env.INGEST_RATE_LIMIT_PER_SECOND ?? DEFAULT_INGEST_LIMITS.ratePerSecond,
    burst: env.INGEST_RATE_LIMIT_BURST ?? DEFAULT_INGEST_LIMITS.burst,
    geoipCityDb: geo === undefined ? undefined : geo.toLowerCase() === "off" ? "off" : path.resolve(/*turbopackIgnore: true*/ geo),
  };
}
