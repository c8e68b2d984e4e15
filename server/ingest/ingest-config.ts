// The intake's settings: a projection of the one configuration schema
// (server/config/env.ts), so a bad value stops start-up like any other.
// docs/INGESTION.md lists them for operators.
import "server-only";
import path from "node:path";
import { getEnv, type PortalEnv } from "@/server/config/env";

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

export function ingestConfigOf(env: PortalEnv = getEnv()): IngestConfig {
  const geo = env.INGEST_GEOIP_CITY_DB;
  return {
    maxBodyBytes: env.INGEST_MAX_BODY_BYTES,
    ratePerSecond: env.INGEST_RATE_LIMIT_PER_SECOND,
    burst: env.INGEST_RATE_LIMIT_BURST,
    geoipCityDb: geo === undefined ? undefined : geo.toLowerCase() === "off" ? "off" : path.resolve(/*turbopackIgnore: true*/ geo),
  };
}
