// What the auditor console shows about the audit log's signed checkpoints
// (audit.checkpoints): the newest one (size, time, root) and whether its
// signature verifies with the log's key; its copy in AUDIT_CHECKPOINT_DIR
// (present, identical); the witnesses that cosigned it (each cosignature
// verified with that witness's key); the verifier key and key id auditors
// keep; and where the last verification got to.
import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { audited } from "@/server/access/audited";
import { loadCheckpointConfig } from "@/server/audit/checkpoints/checkpoint-config";
import { checkpointFileName } from "@/server/audit/checkpoints/checkpoint-sink";
import { NoteError, formatVerifierKey, openCheckpoint, verifierOf } from "@/server/audit/checkpoints/signed-note";
import { verifyCosignature } from "@/server/audit/witness/cosignature";
import { loadWitnesses } from "@/server/audit/witness/witness-config";
import { getEnv } from "@/server/config/env";

export type CheckpointStatusDto = {
  enabled: boolean;
  /** why checkpoints are disabled, when they are */
  disabledReason: string | null;
  /** "<name>+<key id>+<base64>", as npm run audit:public-key prints it */
  publicKey: string | null;
  keyId: string | null;
  latest: {
    treeSize: number;
    issuedAt: string;
    rootHex: string;
    signature: { valid: true; keyName: string; keyId: string } | { valid: false; reason: string };
    file: { status: "identical" | "missing" | "different" | "no_directory"; name: string };
    witnesses: Array<{ name: string; url: string; cosigned: boolean; valid: boolean; at: string | null; lastCosignedSize: number | null }>;
  } | null;
  checkpointCount: number;
  lastVerification: { at: string; kind: string; treeSize: number; rowCount: number } | null;
};

export async function getAuditCheckpoints(): Promise<CheckpointStatusDto> {
  return audited({ action: "audit.checkpoints", permission: "audit.read", requirePurpose: false, details: { targetType: "audit_checkpoints" } }, async ({ tx }) => {
    const env = getEnv();
    const config = loadCheckpointConfig(env);
    const [counts] = await tx.$queryRaw<Array<{ n: string }>>`SELECT count(*)::text AS n FROM audit_checkpoint`;
    const [newest] = await tx.$queryRaw<Array<{ tree_size: string; root_hash: string; note: string; issued_at: string }>>`
      SELECT c.tree_size::text, c.root_hash, c.note, to_char(c.issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS issued_at
        FROM audit_checkpoint c ORDER BY c.tree_size DESC LIMIT 1`;
    const [verification] = await tx.$queryRaw<Array<{ at: string; kind: string; tree_size: string; row_count: string }>>`
      SELECT to_char(v.verified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, v.kind, v.tree_size::text, v.row_count::text
        FROM audit_verification v ORDER BY v.id DESC LIMIT 1`;
    const verifier = config.enabled ? verifierOf(config.signer) : null;

    let latest: CheckpointStatusDto["latest"] = null;
    if (newest) {
      const treeSize = Number(newest.tree_size);
      let signature: NonNullable<CheckpointStatusDto["latest"]>["signature"];
      if (!verifier) signature = { valid: false, reason: "no verifier key is configured (checkpoints are disabled)" };
      else {
        try {
          openCheckpoint(newest.note, verifier);
          signature = { valid: true, keyName: verifier.name, keyId: verifier.keyId.toString("hex") };
        } catch (error) {
          if (!(error instanceof NoteError)) throw error;
          signature = { valid: false, reason: error.message };
        }
      }
      const name = checkpointFileName(treeSize);
      let file: NonNullable<CheckpointStatusDto["latest"]>["file"] = { status: "no_directory", name };
      if (config.directory) {
        try {
          file = { status: (await fs.readFile(path.join(config.directory, name), "utf8")) === newest.note ? "identical" : "different", name };
        } catch {
          file = { status: "missing", name };
        }
      }
      const witnesses = [];
      for (const witness of loadWitnesses(env)) {
        const rows = await tx.$queryRaw<Array<{ tree_size: string; signature: string; received_at: string }>>`
          SELECT c.tree_size::text, c.signature, to_char(c.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at
            FROM audit_checkpoint_cosignature c WHERE c.witness = ${witness.verifier.name} ORDER BY c.tree_size DESC LIMIT 1`;
        const last = rows[0];
        const cosigned = last !== undefined && Number(last.tree_size) === treeSize;
        let valid = false;
        if (cosigned) {
          try {
            verifyCosignature(newest.note, last.signature.trimEnd(), witness.verifier);
            valid = true;
          } catch (error) {
            if (!(error instanceof NoteError)) throw error;
          }
        }
        witnesses.push({ name: witness.verifier.name, url: witness.url, cosigned, valid, at: cosigned ? last.received_at : null, lastCosignedSize: last ? Number(last.tree_size) : null });
      }
      latest = { treeSize, issuedAt: newest.issued_at, rootHex: newest.root_hash, signature, file, witnesses };
    }
    const value: CheckpointStatusDto = {
      enabled: config.enabled,
      disabledReason: config.enabled ? null : config.reason,
      publicKey: config.enabled ? formatVerifierKey(config.signer) : null,
      keyId: config.enabled ? config.signer.keyId.toString("hex") : null,
      latest,
      checkpointCount: Number(counts?.n ?? 0),
      lastVerification: verification ? { at: verification.at, kind: verification.kind, treeSize: Number(verification.tree_size), rowCount: Number(verification.row_count) } : null,
    };
    return { value, audit: { targetId: latest ? String(latest.treeSize) : null } };
  });
}
