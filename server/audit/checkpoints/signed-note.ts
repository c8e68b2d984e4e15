// Signed checkpoints in the C2SP formats, with Node's Ed25519:
//   https://c2sp.org/signed-note and https://c2sp.org/tlog-checkpoint
//
//   <origin>\n<tree size>\n<base64 root hash>\ntime <ISO 8601 UTC>\n
//   \n
//   — <key name> <base64(key id (4 bytes) || Ed25519 signature)>\n
//
// The signature covers the body (every line up to and including the newline
// before the blank line). key id = SHA-256(key name || 0x0A || 0x01 || public
// key)[0:4]. The verifier key is "<name>+<hex key id>+<base64(0x01 || public
// key)>"; the note format's private key is "PRIVATE+KEY+<name>+<hex key
// id>+<base64(0x01 || 32-byte seed)>". The `time` line is an extension line
// (tlog-checkpoint allows lines after the root hash): the moment it was signed.
//
// Pure (no files, no database): operator scripts and the offline bundle check
// use it. No "server-only".
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

const ED25519 = 0x01;
const SIGNATURE_PREFIX = "— ";
const MAX_NOTE_BYTES = 16_384;
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** A checkpoint, a key or a note that cannot be used: the message says why, in one sentence. */
export class NoteError extends Error {
  override name = "NoteError";
}

export type NoteSigner = { name: string; keyId: Buffer; privateKey: KeyObject; publicKey: Buffer };
export type NoteVerifier = { name: string; keyId: Buffer; publicKey: KeyObject };
export type Checkpoint = { origin: string; treeSize: number; rootHash: Buffer; time: Date | null };

function isKeyName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[\s+]/u.test(name);
}

export function keyIdOf(name: string, publicKey: Buffer): Buffer {
  return createHash("sha256").update(name, "utf8").update(Buffer.of(0x0a, ED25519)).update(publicKey).digest().subarray(0, 4);
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" });
  if (jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new NoteError("The key is not an Ed25519 key.");
  return Buffer.from(jwk.x, "base64url");
}

function signerFrom(name: string, privateKey: KeyObject): NoteSigner {
  if (!isKeyName(name)) throw new NoteError(`"${name}" cannot name a key: it must be non-empty, without spaces or "+".`);
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { name, keyId: keyIdOf(name, publicKey), privateKey, publicKey };
}

/**
 * A signing key from a PKCS#8 PEM file's text (named `name`) or from the note
 * format's "PRIVATE+KEY+…" line (which carries its own name).
 */
export function parseSigningKey(text: string, name: string): NoteSigner {
  const trimmed = text.trim();
  if (trimmed.startsWith("PRIVATE+KEY+")) {
    // The base64 part may itself hold "+": split on the first four only.
    const match = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(trimmed);
    const [, keyName = "", hexId = "", encoded = ""] = match ?? [];
    const raw = Buffer.from(encoded, "base64");
    if (!match || raw.length !== 33 || raw[0] !== ED25519) {
      throw new NoteError("The signing key is not a PRIVATE+KEY+<name>+<key id>+<base64> Ed25519 note key.");
    }
    const signer = signerFrom(keyName, createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, raw.subarray(1)]), format: "der", type: "pkcs8" }));
    if (signer.keyId.toString("hex") !== hexId) throw new NoteError("The signing key's key id does not match its name and key: the key text was altered.");
    return signer;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: trimmed, format: "pem" });
  } catch {
    throw new NoteError("The signing key is neither a PKCS#8 PEM private key nor a PRIVATE+KEY+… note key.");
  }
  if (privateKey.asymmetricKeyType !== "ed25519") throw new NoteError(`The signing key is a ${privateKey.asymmetricKeyType ?? "unknown"} key; checkpoints need Ed25519.`);
  return signerFrom(name, privateKey);
}

/** The note format's private key text for a signer (what a generated key file holds). */
export function formatSigningKey(signer: NoteSigner): string {
  const der = signer.privateKey.export({ format: "der", type: "pkcs8" });
  const seed = der.subarray(der.length - 32);
  return `PRIVATE+KEY+${signer.name}+${signer.keyId.toString("hex")}+${Buffer.concat([Buffer.of(ED25519), seed]).toString("base64")}`;
}

/** The verifier key auditors hold: "<name>+<hex key id>+<base64(0x01 || public key)>". */
export function formatVerifierKey(signer: Pick<NoteSigner, "name" | "keyId" | "publicKey">): string {
  return `${signer.name}+${signer.keyId.toString("hex")}+${Buffer.concat([Buffer.of(ED25519), signer.publicKey]).toString("base64")}`;
}

export function parseVerifierKey(text: string): NoteVerifier {
  const match = /^([^+\s]{1,255})\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(text.trim());
  const [, name = "", hexId = "", encoded = ""] = match ?? [];
  const raw = Buffer.from(encoded, "base64");
  if (!match || raw.length !== 33 || raw[0] !== ED25519) {
    throw new NoteError("The public key is not a <name>+<key id>+<base64> Ed25519 verifier key (as printed by npm run audit:public-key).");
  }
  const publicKey = raw.subarray(1);
  if (keyIdOf(name, publicKey).toString("hex") !== hexId) throw new NoteError("The public key's key id does not match its name and key: the key text was altered.");
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey.toString("base64url") }, format: "jwk" });
  } catch {
    throw new NoteError("The public key is not a valid Ed25519 point.");
  }
  return { name, keyId: Buffer.from(hexId, "hex"), publicKey: key };
}

export function formatCheckpointBody(checkpoint: Checkpoint): string {
  if (!isKeyName(checkpoint.origin)) throw new NoteError("The log origin must be non-empty, without spaces or \"+\".");
  const time = checkpoint.time ? `time ${checkpoint.time.toISOString()}\n` : "";
  return `${checkpoint.origin}\n${checkpoint.treeSize}\n${checkpoint.rootHash.toString("base64")}\n${time}`;
}

/** A signed note: the body, a blank line, one signature line. */
export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): string {
  const body = formatCheckpointBody(checkpoint);
  const signature = sign(null, Buffer.from(body, "utf8"), signer.privateKey);
  return `${body}\n${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([signer.keyId, signature]).toString("base64")}\n`;
}

export type NoteSignature = { name: string; keyId: Buffer; signature: Buffer };
type Signature = NoteSignature;

/** A signed note's body (up to and including the newline before the blank line) and its signature lines; throws NoteError. */
export function splitNote(text: string): { body: string; signatures: Signature[] } {
  if (Buffer.byteLength(text, "utf8") > MAX_NOTE_BYTES) throw new NoteError(`it is longer than ${MAX_NOTE_BYTES} bytes`);
  const split = text.lastIndexOf("\n\n");
  if (split < 0 || !text.endsWith("\n")) throw new NoteError("it is not a signed note (no blank line between text and signatures, or no final newline)");
  const body = text.slice(0, split + 1);
  const signatures: Signature[] = [];
  for (const line of text.slice(split + 2, -1).split("\n")) {
    const match = /^— (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    const raw = match ? Buffer.from(match[2] as string, "base64") : Buffer.alloc(0);
    if (!match || raw.length < 5) throw new NoteError(`its signature line "${line.slice(0, 80)}" is malformed`);
    signatures.push({ name: match[1] as string, keyId: raw.subarray(0, 4), signature: raw.subarray(4) });
  }
  return { body, signatures };
}

export function parseCheckpointBody(body: string): Checkpoint {
  const lines = body.slice(0, -1).split("\n");
  const [origin = "", sizeText = "", rootText = "", ...extensions] = lines;
  if (!isKeyName(origin)) throw new NoteError("its first line is not a log origin");
  if (!/^(0|[1-9]\d{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new NoteError(`its tree size "${sizeText.slice(0, 40)}" is not a decimal number`);
  const rootHash = /^[A-Za-z0-9+/]{43}=$/.test(rootText) ? Buffer.from(rootText, "base64") : Buffer.alloc(0);
  if (rootHash.length !== 32) throw new NoteError("its root hash is not 32 bytes of base64");
  let time: Date | null = null;
  for (const line of extensions) {
    const match = /^time (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)$/.exec(line);
    if (match) time = new Date(match[1] as string);
    if (line === "" || (match && Number.isNaN(time?.getTime()))) throw new NoteError("it has an empty or malformed extension line");
  }
  return { origin, treeSize: Number(sizeText), rootHash, time };
}

/**
 * Parses a signed checkpoint and checks its signature by `verifier`. Throws
 * NoteError naming what is wrong: malformed, not signed by this key, or a
 * signature that does not verify (the text was altered, or another key with
 * the same name signed it).
 */
export function openCheckpoint(text: string, verifier: NoteVerifier): Checkpoint {
  const { body, signatures } = splitNote(text);
  const checkpoint = parseCheckpointBody(body);
  const byKey = signatures.filter((s) => s.name === verifier.name && s.keyId.equals(verifier.keyId));
  if (byKey.length === 0) {
    const others = signatures.map((s) => `${s.name}+${s.keyId.toString("hex")}`).join(", ");
    throw new NoteError(`it is not signed by the key ${verifier.name}+${verifier.keyId.toString("hex")} (its signatures are by ${others || "nobody"}) — the wrong public key, or a checkpoint of another log`);
  }
  const isValid = byKey.some((s) => s.signature.length === 64 && verify(null, Buffer.from(body, "utf8"), verifier.publicKey, s.signature));
  if (!isValid) throw new NoteError(`its signature by ${verifier.name} does not verify — the checkpoint text was altered`);
  if (checkpoint.origin !== verifier.name) throw new NoteError(`its origin "${checkpoint.origin}" is not the log ${verifier.name}`);
  return checkpoint;
}

export function verifierOf(signer: NoteSigner): NoteVerifier {
  return { name: signer.name, keyId: signer.keyId, publicKey: createPublicKey(signer.privateKey) };
}
