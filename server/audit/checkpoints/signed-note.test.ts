// Signed notes and keys in the C2SP formats: round trips, the key id rule,
// and every way a checkpoint or key can be unusable named in a sentence.
import { createHash, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  NoteError,
  formatSigningKey,
  formatVerifierKey,
  openCheckpoint,
  parseSigningKey,
  parseVerifierKey,
  signCheckpoint,
  verifierOf,
} from "./signed-note";

const ORIGIN = "portal.example/audit";
const newSigner = (name = ORIGIN) => parseSigningKey(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(), name);
const checkpoint = { origin: ORIGIN, treeSize: 42, rootHash: Buffer.alloc(32, 7), time: new Date("2026-12-01T09:00:00.000Z") };

describe("signed checkpoints", () => {
  it("writes the tlog-checkpoint body and one Ed25519 signature line that verifies", () => {
    const signer = newSigner();
    const note = signCheckpoint(checkpoint, signer);
    const [body, signatureLine] = note.split("\n\n");
    expect(body).toBe(`${ORIGIN}\n42\n${Buffer.alloc(32, 7).toString("base64")}\ntime 2026-12-01T09:00:00.000Z`);
    expect(signatureLine).toMatch(new RegExp(`^— ${ORIGIN.replace(".", "\\.")} [A-Za-z0-9+/]{91}=\\n$`));
    const raw = Buffer.from((signatureLine as string).trim().split(" ")[2] as string, "base64");
    const expectedId = createHash("sha256").update(`${ORIGIN}\n`).update(Buffer.of(1)).update(signer.publicKey).digest().subarray(0, 4);
    expect(raw.subarray(0, 4)).toEqual(expectedId);
    expect(openCheckpoint(note, verifierOf(signer))).toEqual(checkpoint);
  });

  it("round-trips keys through the note formats", () => {
    const signer = newSigner();
    const vkey = formatVerifierKey(signer);
    expect(vkey).toMatch(new RegExp(`^${ORIGIN.replace(".", "\\.")}\\+${signer.keyId.toString("hex")}\\+[A-Za-z0-9+/]{44}$`));
    const again = parseSigningKey(formatSigningKey(signer), "ignored-for-note-keys");
    expect(again.name).toBe(ORIGIN);
    expect(again.publicKey).toEqual(signer.publicKey);
    const note = signCheckpoint(checkpoint, again);
    expect(openCheckpoint(note, parseVerifierKey(vkey)).treeSize).toBe(42);
  });

  it("names a tampered checkpoint, a wrong key and malformed input, never crashing", () => {
    const signer = newSigner();
    const verifier = verifierOf(signer);
    const note = signCheckpoint(checkpoint, signer);
    const refused = (text: string, key = verifier) => {
      try {
        openCheckpoint(text, key);
      } catch (error) {
        expect(error).toBeInstanceOf(NoteError);
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refused(note.replace("\n42\n", "\n43\n"))).toMatch(/signature by .* does not verify — the checkpoint text was altered/);
    expect(refused(note, verifierOf(newSigner()))).toMatch(/not signed by the key portal\.example\/audit\+[0-9a-f]{8} \(its signatures are by portal\.example\/audit\+/);
    expect(refused(note, verifierOf(newSigner("other.example/audit")))).toMatch(/not signed by the key other\.example\/audit\+[0-9a-f]{8} .*wrong public key/);
    expect(refused(note.slice(0, 40))).toMatch(/not a signed note/);
    expect(refused(note.replace(/— \S+ /, "— x"))).toMatch(/signature line .* malformed/);
    expect(refused(signCheckpoint({ ...checkpoint, treeSize: 1 }, signer).replace("\n1\n", "\n01\n"))).toMatch(/tree size "01"/);
    expect(() => parseVerifierKey("nonsense")).toThrow(/verifier key/);
    const vkey = formatVerifierKey(signer);
    expect(() => parseVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).toThrow(/key id does not match/);
    expect(() => parseSigningKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", ORIGIN)).toThrow(/neither a PKCS#8 PEM/);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    expect(() => parseSigningKey(rsa, ORIGIN)).toThrow(/rsa key; checkpoints need Ed25519/);
  });
});
