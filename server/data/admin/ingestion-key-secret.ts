// The shape of an ingestion key and how it is stored: the key is shown once
// at creation; the database keeps its SHA-256 (hex) and a short prefix that
// lets people tell keys apart. The ingestion endpoint hashes what it receives
// with `hashIngestionKey` and looks the hash up.
import "server-only";
import { createHash, randomBytes } from "node:crypto";

export const INGESTION_KEY_PREFIX = "tpk_";
const PREFIX_LENGTH = INGESTION_KEY_PREFIX.length + 8;

export function hashIngestionKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function generateIngestionKey(): { key: string; prefix: string; hash: string } {
  const key = `${INGESTION_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, prefix: key.slice(0, PREFIX_LENGTH), hash: hashIngestionKey(key) };
}
