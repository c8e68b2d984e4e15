// A PostgreSQL SCRAM-SHA-256 password verifier, computed here so that a role's
// password never travels to the server (or into its statement log, or into
// `npm run db:roles -- --print` output) in clear: `ALTER ROLE … PASSWORD
// 'SCRAM-SHA-256$…'` stores the verifier as given. The same computation as
// PostgreSQL's own (src/common/scram-common.c) and psql's \password.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

const ITERATIONS = 4096;

/**
 * SASLprep (RFC 4013) as libpq and node-postgres apply it before hashing:
 * non-ASCII spaces become spaces, "mapped to nothing" characters go, NFKC.
 */
function saslPrep(password: string): string {
  return (
    password
      .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, " ")
      // RFC 3454 table B.1: joiners and variation selectors, on purpose
      .replace(/[\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, "")
      .normalize("NFKC")
  );
}

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64 parts. */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): string {
  const salted = pbkdf2Sync(Buffer.from(saslPrep(password), "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
