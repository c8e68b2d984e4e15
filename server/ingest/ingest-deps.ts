// The intake's dependencies inside the Next.js server: the shared database
// connection, the content keys, the limits, the rate limiter (its buckets are
// in the database, shared by every instance) and one geolocation reader for
// the whole process (kept on globalThis, because Next may load this module
// once per route bundle).
import "server-only";
import { getEnv } from "@/server/config/env";
import { getDatabase } from "@/server/db/client";
import { copyWriterOf } from "./copy-writer";
import { type GeoLocator, NO_GEOLOCATION, createGeoLocator } from "./geo";
import { ingestConfigOf } from "./ingest-config";
import type { IngestDeps } from "./process-items";
import { type RateLimits, TokenBucketLimiter } from "./rate-limit";

const globalKey = Symbol.for("telemetry-portal.ingest");
type Shared = { limits: RateLimits; geo: GeoLocator; maxBodyBytes: number };
type GlobalWithIngest = typeof globalThis & { [globalKey]?: Shared };

function shared(): Shared {
  const holder = globalThis as GlobalWithIngest;
  if (!holder[globalKey]) {
    const config = ingestConfigOf();
    holder[globalKey] = {
      limits: { ratePerSecond: config.ratePerSecond, burst: config.burst },
      geo: config.geoipCityDb === "off" ? NO_GEOLOCATION : createGeoLocator(config.geoipCityDb),
      maxBodyBytes: config.maxBodyBytes,
    };
  }
  return holder[globalKey];
}

export async function getIngestDeps(): Promise<IngestDeps> {
  const contentKeys = getEnv().CONTENT_ENCRYPTION_KEYS;
  if (!contentKeys?.length) throw new Error("CONTENT_ENCRYPTION_KEYS is not configured; telemetry content cannot be sealed.");
  const { limits, geo, maxBodyBytes } = shared();
  const database = await getDatabase();
  const db = database.prisma;
  return { db, contentKeys, maxBodyBytes, limiter: new TokenBucketLimiter(db, limits), geo, copy: copyWriterOf(database) };
}
