// The demo ingestion key of the embedded default (`npm start` outside
// production), so an extension or a script can send telemetry to
// http://localhost:3000 at once. Public by design — it is in the README — and
// never created in production: only the demo seed (server/seed/demo-access.ts)
// stores it, as its SHA-256 like every other key. Revoke it in the admin
// console like any key; re-seeding does not bring a revoked key back.
//
// No "server-only": the seed runs in plain Node scripts.
import { createHash } from "node:crypto";

export const DEMO_INGESTION_KEY = "demo-ingestion-key-not-for-production";
export const DEMO_INGESTION_KEY_NAME = "Demo ingestion key (not for production)";

/** The row the seed stores: the hash (same as hashIngestionKey) and a recognisable prefix, never the key. */
export function demoIngestionKeyRow(): { name: string; keyPrefix: string; keyHash: string } {
  return {
    name: DEMO_INGESTION_KEY_NAME,
    keyPrefix: DEMO_INGESTION_KEY.slice(0, 12),
    keyHash: createHash("sha256").update(DEMO_INGESTION_KEY, "utf8").digest("hex"),
  };
}
