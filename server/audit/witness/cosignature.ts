// Witness cosignatures, C2SP tlog-cosignature/v1 with Ed25519
// (https://c2sp.org/tlog-cosignature):
//
//   — <witness name> base64(key id (4 bytes) || u64 timestamp || Ed25519 signature)
//
// over "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint's body.
// key id = SHA-256(name || "\n" || 0x04 || public key)[0:4]; the verifier key
// is "<name>+<hex key id>+<base64(0x04 || public key)>". The witness's key is
// its own (AUDIT_WITNESS_SIGNING_KEY_FILE), never the log's.
//
// Pure: no files, no database. No "server-only": the CLI uses it.
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { NoteError, parseSigningKey, splitNote } from "@/server/audit/checkpoints/signed-note";

const COSIGNATURE_V1 = 0x04;

export type Cosigner = { name: string; keyId: Buffer; privateKey: KeyObject; publicKey: Buffer };
export type CosignerVerifier = { name: string; keyId: Buffer; publicKey: KeyObject };

export function cosignerKeyIdOf(name: string, publicKey: Buffer): Buffer {
  return createHash("sha256").update(name, "utf8").update(Buffer.of(0x0a, COSIGNATURE_V1)).update(publicKey).digest().subarray(0, 4);
}

/** A cosigner from a key file's text (PKCS#8 PEM, or a PRIVATE+KEY+… note key, whose own name is then replaced by `name`). */
export function parseCosignerKey(text: string, name: string): Cosigner {
  const signer = parseSigningKey(text, name);
  return { name, keyId: cosignerKeyIdOf(name, signer.publicKey), privateKey: signer.privateKey, publicKey: signer.publicKey };
}

export function formatCosignerVerifierKey(cosigner: Pick<Cosigner, "name" | "keyId" | "publicKey">): string {
  return `${cosigner.name}+${cosigner.keyId.toString("hex")}+${Buffer.concat([Buffer.of(COSIGNATURE_V1), cosigner.publicKey]).toString("base64")}`;
}

export function parseCosignerVerifierKey(text: string): CosignerVerifier {
  const match = /^([^+\s]{1,255})\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(text.trim());
  const [, name = "", hexId = "", encoded = ""] = match ?? [];
  const raw = Buffer.from(encoded, "base64");
  if (!match || raw.length !== 33 || raw[0] !== COSIGNATURE_V1) {
    throw new NoteError("The witness key is not a <name>+<key id>+<base64> cosignature/v1 (Ed25519, type 0x04) verifier key (as printed by npm run audit:public-key -- --witness).");
  }
  const publicKey = raw.subarray(1);
  if (cosignerKeyIdOf(name, publicKey).toString("hex") !== hexId) throw new NoteError("The witness key's key id does not match its name and key: the key text was altered.");
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey.toString("base64url") }, format: "jwk" });
  } catch {
    throw new NoteError("The witness key is not a valid Ed25519 point.");
  }
  return { name, keyId: Buffer.from(hexId, "hex"), publicKey: key };
}

function cosignedMessage(body: string, timestamp: bigint): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, "utf8");
}

/** One cosignature line (with its final newline) on a checkpoint body, at `time`. */
export function cosignCheckpointBody(body: string, cosigner: Cosigner, time: Date): string {
  const timestamp = BigInt(Math.floor(time.getTime() / 1000));
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(timestamp);
  const signature = sign(null, cosignedMessage(body, timestamp), cosigner.privateKey);
  return `— ${cosigner.name} ${Buffer.concat([cosigner.keyId, stamp, signature]).toString("base64")}\n`;
}

/**
 * Checks a cosignature line on a signed checkpoint's text (or its body).
 * Returns the time it was made; throws NoteError saying why it does not verify.
 */
export function verifyCosignature(checkpointText: string, line: string, verifier: CosignerVerifier): Date {
  const body = checkpointText.includes("\n\n") ? splitNote(checkpointText).body : checkpointText;
  const match = /^— (\S+) ([A-Za-z0-9+/]+={0,2})\n?$/u.exec(line);
  const raw = match ? Buffer.from(match[2] as string, "base64") : Buffer.alloc(0);
  if (!match || raw.length !== 4 + 8 + 64) throw new NoteError("the cosignature line is malformed");
  if (match[1] !== verifier.name || !raw.subarray(0, 4).equals(verifier.keyId)) {
    throw new NoteError(`the cosignature is by ${match[1]}+${raw.subarray(0, 4).toString("hex")}, not by the witness key ${verifier.name}+${verifier.keyId.toString("hex")}`);
  }
  const timestamp = raw.readBigUInt64BE(4);
  if (!verify(null, cosignedMessage(body, timestamp), verifier.publicKey, raw.subarray(12))) {
    throw new NoteError(`the cosignature by ${verifier.name} does not verify — the checkpoint it was given for is not this one`);
  }
  return new Date(Number(timestamp) * 1000);
}

/** The witness's verifier from its private key. */
export function cosignerVerifierOf(cosigner: Cosigner): CosignerVerifier {
  return { name: cosigner.name, keyId: cosigner.keyId, publicKey: createPublicKey(cosigner.privateKey) };
}

