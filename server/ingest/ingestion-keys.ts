// Ingestion keys as the intake sees them: a key is looked up by its SHA-256
// (hashIngestionKey, shared with the admin console that issues keys); only an
// unrevoked key authenticates. Usage is recorded in last_used_at at most once
// a minute per key, so a busy producer costs no extra write per batch.
import "server-only";
import { hashIngestionKey } from "@/server/data/admin/ingestion-key-secret";
import type { IngestDb } from "./store-events";

export type ActiveIngestionKey = { id: string; name: string };

const MAX_KEY_LENGTH = 512;
const LAST_USED_INTERVAL_MS = 60_000;
const lastTouched = new Map<string, number>();

/** The active keys among `keys`, by the key as sent (unknown, revoked or absurd keys are absent). */
export async function findActiveKeys(db: IngestDb, keys: Iterable<string>): Promise<Map<string, ActiveIngestionKey>> {
  const byHash = new Map<string, string>();
  for (const key of keys) if (key.length > 0 && key.length <= MAX_KEY_LENGTH) byHash.set(hashIngestionKey(key), key);
  const found = new Map<string, ActiveIngestionKey>();
  if (byHash.size === 0) return found;
  const rows = await db.$queryRawUnsafe<Array<{ id: string; name: string; key_hash: string }>>(
    `SELECT id::text AS id, name, key_hash FROM ingestion_key WHERE key_hash = ANY($1::text[]) AND revoked_at IS NULL`,
    [...byHash.keys()],
  );
  for (const row of rows) {
    const key = byHash.get(row.key_hash);
    if (key !== undefined) found.set(key, { id: row.id, name: row.name });
  }
  return found;
}

/** Records that `keyIds` were used now, unless this process did so less than a minute ago. Never throws. */
export async function touchKeys(db: IngestDb, keyIds: Iterable<string>, nowMs = Date.now()): Promise<void> {
  const due = [...new Set(keyIds)].filter((id) => nowMs - (lastTouched.get(id) ?? -Infinity) >= LAST_USED_INTERVAL_MS);
  if (due.length === 0) return;
  for (const id of due) lastTouched.set(id, nowMs);
  try {
    await db.$executeRawUnsafe(
      `UPDATE ingestion_key SET last_used_at = now()
        WHERE id = ANY($1::uuid[]) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      due,
    );
  } catch (error) {
    for (const id of due) lastTouched.delete(id);
    console.error("Could not record ingestion key usage:", error instanceof Error ? error.message : error);
  }
}
