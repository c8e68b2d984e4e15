// Where the checkpoint signing key and the checkpoint directory are.
//
// The key lives outside the database: AUDIT_SIGNING_KEY_FILE (a PKCS#8 PEM or
// a PRIVATE+KEY+… note key). Outside production, without it, a key is
// generated once into <DATA_DIR>/audit-signing-key (mode 0600), as
// server/config/local-secrets.ts does for the other secrets. In production
// without it, checkpoints are DISABLED and every job run and every
// `npm run audit:verify` says so loudly: the portal keeps serving (the hash
// chains still hold), but nothing then proves the trail to anyone outside the
// database. Checkpoint files go to AUDIT_CHECKPOINT_DIR (required in
// production with a key; <DATA_DIR>/audit-checkpoints otherwise).
//
// No "server-only": operator scripts use it.
import fs from "node:fs";
import path from "node:path";
import { generateKeyPairSync } from "node:crypto";
import type { PortalEnv } from "@/server/config/env";
import { NoteError, formatSigningKey, parseSigningKey, type NoteSigner } from "./signed-note";

export type CheckpointConfig =
  | { enabled: true; signer: NoteSigner; directory: string; keyFile: string }
  | { enabled: false; reason: string; directory: string | null };

export const DISABLED_IN_PRODUCTION =
  "Audit checkpoints are DISABLED: AUDIT_SIGNING_KEY_FILE is not set, so nothing outside the database vouches for the audit trail — an operator could cut or rewrite it undetected. Set AUDIT_SIGNING_KEY_FILE and AUDIT_CHECKPOINT_DIR.";

type Env = Pick<PortalEnv, "AUDIT_SIGNING_KEY_FILE" | "AUDIT_CHECKPOINT_DIR" | "DATA_DIR" | "isProduction" | "auditLogOrigin">;

export function checkpointDirectory(env: Env): string | null {
  if (env.AUDIT_CHECKPOINT_DIR) return path.resolve(env.AUDIT_CHECKPOINT_DIR);
  return env.isProduction ? null : path.resolve(env.DATA_DIR, "audit-checkpoints");
}

/** The signing key and directory; throws NoteError (one sentence) when the key file cannot be used. */
export function loadCheckpointConfig(env: Env): CheckpointConfig {
  const directory = checkpointDirectory(env);
  let keyFile = env.AUDIT_SIGNING_KEY_FILE ? path.resolve(env.AUDIT_SIGNING_KEY_FILE) : undefined;
  if (!keyFile) {
    if (env.isProduction) return { enabled: false, reason: DISABLED_IN_PRODUCTION, directory };
    keyFile = path.resolve(env.DATA_DIR, "audit-signing-key");
    generateKeyFileOnce(keyFile, env.auditLogOrigin);
  }
  let text: string;
  try {
    text = fs.readFileSync(keyFile, "utf8");
  } catch (error) {
    throw new NoteError(`The audit signing key ${keyFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  let signer: NoteSigner;
  try {
    signer = parseSigningKey(text, env.auditLogOrigin);
  } catch (error) {
    throw new NoteError(`${keyFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (signer.name !== env.auditLogOrigin) {
    throw new NoteError(`The audit signing key ${keyFile} is named ${signer.name}, but the log is ${env.auditLogOrigin} (AUDIT_LOG_ORIGIN).`);
  }
  return { enabled: true, signer, directory: directory as string, keyFile };
}

function generateKeyFileOnce(file: string, name: string): void {
  if (fs.existsSync(file)) return;
  const { privateKey } = generateKeyPairSync("ed25519");
  const text = `${formatSigningKey(parseSigningKey(privateKey.export({ format: "pem", type: "pkcs8" }).toString(), name))}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, text, { mode: 0o600, flag: "wx" });
  } catch (error) {
    // Another process generated it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}
