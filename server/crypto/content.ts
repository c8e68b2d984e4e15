// Encryption at rest for telemetry fields of class `content` (code snippets,
// editor state, suggestion text). One AES-256-GCM envelope per event:
//
//   byte 0      format version (1)
//   bytes 1-12  random 96-bit IV
//   bytes 13-28 GCM authentication tag
//   bytes 29-   ciphertext of the UTF-8 JSON document
//
// The additional authenticated data binds the envelope to its event id and key
// id, so a ciphertext copied onto another row, or relabelled with another key
// id, fails to decrypt. Keys rotate by adding a new first key: new rows use it,
// old rows keep naming the key that sealed them.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const FORMAT_VERSION = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const HEADER_LENGTH = 1 + IV_LENGTH + TAG_LENGTH;

export type ContentKey = { id: string; key: Buffer };

export type SealedContent = { ciphertext: Uint8Array<ArrayBuffer>; keyId: string };

export class ContentDecryptionError extends Error {
  override name = "ContentDecryptionError";
}

function additionalData(eventId: string, keyId: string): Buffer {
  return Buffer.from(`telemetry_event:${eventId}:${keyId}`, "utf8");
}

/** Encrypt `document` for event `eventId` with the first (current) key. */
export function sealContent(document: unknown, eventId: string, keys: readonly ContentKey[]): SealedContent {
  const current = keys[0];
  if (!current) throw new Error("No content encryption key is configured.");
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(additionalData(eventId, current.id));
  const body = Buffer.concat([cipher.update(JSON.stringify(document), "utf8"), cipher.final()]);
  const envelope = new Uint8Array(HEADER_LENGTH + body.length);
  envelope[0] = FORMAT_VERSION;
  envelope.set(iv, 1);
  envelope.set(cipher.getAuthTag(), 1 + IV_LENGTH);
  envelope.set(body, HEADER_LENGTH);
  return { ciphertext: envelope, keyId: current.id };
}

/** Decrypt and authenticate an envelope; throws ContentDecryptionError when it does not verify. */
export function openContent(sealed: { ciphertext: Uint8Array; keyId: string }, eventId: string, keys: readonly ContentKey[]): unknown {
  const entry = keys.find((candidate) => candidate.id === sealed.keyId);
  if (!entry) throw new ContentDecryptionError(`Content key "${sealed.keyId}" is not configured.`);
  const envelope = Buffer.from(sealed.ciphertext);
  if (envelope.length < HEADER_LENGTH || envelope[0] !== FORMAT_VERSION) {
    throw new ContentDecryptionError("Content envelope is malformed.");
  }
  const decipher = createDecipheriv("aes-256-gcm", entry.key, envelope.subarray(1, 1 + IV_LENGTH), { authTagLength: TAG_LENGTH });
  decipher.setAAD(additionalData(eventId, sealed.keyId));
  decipher.setAuthTag(envelope.subarray(1 + IV_LENGTH, HEADER_LENGTH));
  try {
    const plain = Buffer.concat([decipher.update(envelope.subarray(HEADER_LENGTH)), decipher.final()]);
    return JSON.parse(plain.toString("utf8"));
  } catch {
    throw new ContentDecryptionError("Content failed authentication: it was altered or sealed for another event.");
  }
}
