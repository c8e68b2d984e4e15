// Who witnesses our log, and whom we witness (docs/ARCHITECTURE.md, "Audit
// proofs"):
//   - submitter: AUDIT_WITNESS_URLS (C2SP tlog-witness add-checkpoint URLs,
//     a URL's password sent as its bearer token) with AUDIT_WITNESS_KEYS, the
//     cosigner key of each, in the same order;
//   - witness: AUDIT_WITNESS_TOKEN (the bearer token submitters must send),
//     AUDIT_WITNESS_LOGS (the verifier keys of the logs it witnesses; a key's
//     name is the log's origin) and its own cosigning key,
//     AUDIT_WITNESS_SIGNING_KEY_FILE — outside production generated once into
//     DATA_DIR/audit-witness-key, like the log's own key.
//
// No "server-only": the job and `npm run audit:verify` use it.
import fs from "node:fs";
import path from "node:path";
import { generateKeyPairSync } from "node:crypto";
import type { PortalEnv, WitnessTarget } from "@/server/config/env";
import { NoteError, parseVerifierKey, type NoteVerifier } from "@/server/audit/checkpoints/signed-note";
import { parseCosignerKey, parseCosignerVerifierKey, type Cosigner, type CosignerVerifier } from "./cosignature";

export type Witness = WitnessTarget & { verifier: CosignerVerifier };

type Env = Pick<PortalEnv, "AUDIT_WITNESS_URLS" | "AUDIT_WITNESS_KEYS" | "AUDIT_WITNESS_TOKEN" | "AUDIT_WITNESS_LOGS" | "AUDIT_WITNESS_SIGNING_KEY_FILE" | "DATA_DIR" | "isProduction" | "auditWitnessName">;

/** The witnesses our checkpoints go to (none when AUDIT_WITNESS_URLS is unset). Throws NoteError on a bad key. */
export function loadWitnesses(env: Env): Witness[] {
  const urls = env.AUDIT_WITNESS_URLS ?? [];
  const keys = env.AUDIT_WITNESS_KEYS ?? [];
  return urls.map((target, i) => ({ ...target, verifier: parseCosignerVerifierKey(keys[i] ?? "") }));
}

export type WitnessServerConfig =
  | { enabled: true; token: string; cosigner: Cosigner; logs: Map<string, NoteVerifier> }
  | { enabled: false; reason: string };

/** This portal as a witness of other logs. */
export function loadWitnessServerConfig(env: Env): WitnessServerConfig {
  if (!env.AUDIT_WITNESS_TOKEN) return { enabled: false, reason: "This portal does not act as a witness: AUDIT_WITNESS_TOKEN is not set." };
  const logs = new Map<string, NoteVerifier>();
  for (const key of env.AUDIT_WITNESS_LOGS ?? []) {
    const verifier = parseVerifierKey(key);
    logs.set(verifier.name, verifier);
  }
  return { enabled: true, token: env.AUDIT_WITNESS_TOKEN, cosigner: loadCosigner(env), logs };
}

/** The witness's own cosigning key (generated outside production when unset). */
export function loadCosigner(env: Env): Cosigner {
  let file = env.AUDIT_WITNESS_SIGNING_KEY_FILE ? path.resolve(env.AUDIT_WITNESS_SIGNING_KEY_FILE) : undefined;
  if (!file) {
    if (env.isProduction) throw new NoteError("AUDIT_WITNESS_SIGNING_KEY_FILE is required for a witness in production (its own Ed25519 key, never the log's).");
    file = path.resolve(env.DATA_DIR, "audit-witness-key");
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      try {
        fs.writeFileSync(file, generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(), { mode: 0o600, flag: "wx" });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
  }
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new NoteError(`The witness signing key ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  return parseCosignerKey(text, env.auditWitnessName);
}
