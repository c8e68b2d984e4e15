// Secrets of the demo identity provider, generated on first start into the data
// directory (files mode 0600) and reused afterwards, so ID tokens and cookies
// stay valid across restarts and oidc-provider never falls back to its
// development keys.
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

export const SIGNING_KEYS_FILE = "demo-idp-jwks.json";
export const COOKIE_KEYS_FILE = "demo-idp-cookie-keys.json";

const b64url = z.string().regex(/^[A-Za-z0-9_-]+$/);

// Private RSA JWK as node:crypto exports it, plus kid/alg/use.
const rsaPrivateJwk = z.looseObject({
  kty: z.literal("RSA"),
  kid: z.string().min(1),
  alg: z.literal("RS256"),
  use: z.literal("sig"),
  n: b64url,
  e: b64url,
  d: b64url,
  p: b64url,
  q: b64url,
  dp: b64url,
  dq: b64url,
  qi: b64url,
});

const signingKeysSchema = z.object({ keys: z.array(rsaPrivateJwk).min(1) });
const cookieKeysSchema = z.object({ keys: z.array(z.string().min(32)).min(1) });

export type SigningKeySet = z.infer<typeof signingKeysSchema>;
export type CookieKeys = z.infer<typeof cookieKeysSchema>;

// RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order.
function rsaThumbprint(jwk: { e: string; n: string }): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: "RSA", n: jwk.n });
  return createHash("sha256").update(canonical).digest("base64url");
}

function generateSigningKeys(): SigningKeySet {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  const parsed = rsaPrivateJwk.parse({ ...jwk, alg: "RS256", use: "sig", kid: "pending" });
  return { keys: [{ ...parsed, kid: rsaThumbprint(parsed) }] };
}

function generateCookieKeys(): CookieKeys {
  return { keys: [randomBytes(32).toString("base64url")] };
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "EEXIST";
}

// Reads an existing secret file, tightening its permissions if someone loosened them.
function readSecretFile<T>(file: string, schema: z.ZodType<T>): T {
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const result = schema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!result.success) {
    throw new Error(`${file} is not a valid key file; delete it to generate a new one (${result.error.message})`);
  }
  return result.data;
}

/**
 * Loads `<dataDir>/<name>` or, when absent, writes `create()` there with mode
 * 0600. The value is written to a private temporary file first and then
 * hard-linked into place: link() fails if the name exists, so concurrent first
 * starts agree on one complete file and nobody reads a half-written one.
 */
function loadOrCreateSecretFile<T>(dataDir: string, name: string, schema: z.ZodType<T>, create: () => T): T {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, name);
  if (fs.existsSync(file)) return readSecretFile(file, schema);
  const value = create();
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  try {
    fs.linkSync(temporary, file);
    return value;
  } catch (error) {
    if (isAlreadyExists(error)) return readSecretFile(file, schema);
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

export function loadOrCreateSigningKeys(dataDir: string): SigningKeySet {
  return loadOrCreateSecretFile(dataDir, SIGNING_KEYS_FILE, signingKeysSchema, generateSigningKeys);
}

export function loadOrCreateCookieKeys(dataDir: string): CookieKeys {
  return loadOrCreateSecretFile(dataDir, COOKIE_KEYS_FILE, cookieKeysSchema, generateCookieKeys);
}
