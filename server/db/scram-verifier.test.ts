// The verifier `npm run db:roles` stores must let a real client log in: here
// node-postgres's own SCRAM client (the one the portal connects with) runs a
// full exchange against a server side that knows only the verifier, as
// PostgreSQL does.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { scramSha256Verifier } from "./scram-verifier";

type SaslSession = { clientNonce: string; response: string; message: string };
type SaslClient = {
  startSession(mechanisms: string[]): SaslSession;
  continueSession(session: SaslSession, password: string, serverData: string): Promise<void>;
  finalizeSession(session: SaslSession, serverData: string): void;
};
const sasl = createRequire(import.meta.url)("pg/lib/crypto/sasl") as SaslClient;

/** PostgreSQL's side of SCRAM-SHA-256 with only the stored verifier; resolves true when the client proves the password. */
async function logIn(verifier: string, password: string): Promise<boolean> {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!match) throw new Error(`not a SCRAM verifier: ${verifier}`);
  const [, iterations, salt, storedKeyB64, serverKeyB64] = match as unknown as [string, string, string, string, string];
  const storedKey = Buffer.from(storedKeyB64, "base64");

  const session = sasl.startSession(["SCRAM-SHA-256"]);
  const clientFirstBare = session.response.replace(/^n,,/, "");
  const nonce = session.clientNonce + randomBytes(18).toString("base64");
  const serverFirst = `r=${nonce},s=${salt},i=${iterations}`;
  await sasl.continueSession(session, password, serverFirst);

  const clientFinal = session.response;
  const withoutProof = clientFinal.replace(/,p=[^,]+$/, "");
  const proof = Buffer.from(clientFinal.slice(clientFinal.lastIndexOf(",p=") + 3), "base64");
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const clientSignature = createHmac("sha256", storedKey).update(authMessage).digest();
  const clientKey = Buffer.from(proof.map((byte, index) => byte ^ (clientSignature[index] ?? 0)));
  if (!timingSafeEqual(createHash("sha256").update(clientKey).digest(), storedKey)) return false;

  // The client checks the server too: only the holder of the verifier's ServerKey passes.
  const serverSignature = createHmac("sha256", Buffer.from(serverKeyB64, "base64")).update(authMessage).digest("base64");
  sasl.finalizeSession(session, `v=${serverSignature}`);
  return true;
}

describe("scramSha256Verifier", () => {
  it("has PostgreSQL's format, with a fresh salt each time", () => {
    const first = scramSha256Verifier("correct horse battery staple");
    expect(first).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(scramSha256Verifier("correct horse battery staple")).not.toBe(first);
    expect(first).not.toContain("correct horse");
  });

  it("lets node-postgres log in with the password, and only with it", async () => {
    const verifier = scramSha256Verifier("s3cret-runtime-password");
    await expect(logIn(verifier, "s3cret-runtime-password")).resolves.toBe(true);
    await expect(logIn(verifier, "s3cret-runtime-passwore")).resolves.toBe(false);
  });

  it("prepares the password as libpq does (SASLprep), so non-ASCII spaces and composed forms log in", async () => {
    const verifier = scramSha256Verifier("caf\u00e9\u00a0au lait");
    await expect(logIn(verifier, "cafe\u0301 au lait")).resolves.toBe(true);
    const salt = Buffer.alloc(16, 7);
    expect(scramSha256Verifier("caf\u00e9\u00a0au lait", salt)).toBe(scramSha256Verifier("cafe\u0301 au lait", salt));
  });
});
