// This portal as a witness of another portal's audit log: C2SP tlog-witness
// add-checkpoint (https://c2sp.org/tlog-witness), behind a bearer token.
//
// The request body is "old <size>\n", up to 63 base64 consistency-proof lines,
// a blank line, then the signed checkpoint. The witness
//   - 404: the checkpoint's origin is not a log it witnesses;
//   - 403: no signature by that log's key verifies;
//   - 400: malformed, or the old size is above the checkpoint's;
//   - 409 (body "<size>\n", text/x.tlog.size): the old size is not the size
//     of the latest checkpoint it cosigned for that log — or the same size
//     with another root (a fork);
//   - 422: the consistency proof from its latest to the new one fails;
//   - 200: its cosignature line (tlog-cosignature/v1), after storing the
//     checkpoint in audit_witnessed_checkpoint (append-only).
// Check and store are one transaction holding a per-origin advisory lock, so
// two submissions cannot both pass against the same latest checkpoint.
//
// No "server-only": tests run it against two databases.
import type { PrismaClient } from "@/server/db/generated/client";
import { emptyRoot, verifyConsistency } from "@/server/audit/merkle/merkle";
import { NoteError, openCheckpoint, parseCheckpointBody, splitNote } from "@/server/audit/checkpoints/signed-note";
import { cosignCheckpointBody } from "./cosignature";
import type { WitnessServerConfig } from "./witness-config";

export type WitnessAnswer =
  | { status: 200; cosignature: string }
  | { status: 409; latestSize: number; message: string }
  | { status: 400 | 403 | 404 | 422; message: string };

const MAX_BODY_BYTES = 32_768;
const MAX_PROOF_LINES = 63;

export type AddCheckpointRequest = { oldSize: number; proof: Buffer[]; checkpoint: string };

/** Parses the request body; null with the reason when it is malformed. */
export function parseAddCheckpointBody(body: string): AddCheckpointRequest | { error: string } {
  if (Buffer.byteLength(body, "utf8") > MAX_BODY_BYTES) return { error: `the body is longer than ${MAX_BODY_BYTES} bytes` };
  const blank = body.indexOf("\n\n");
  if (blank < 0) return { error: 'the body is not "old <size>", proof lines, a blank line and a checkpoint' };
  const head = body.slice(0, blank).split("\n");
  const [oldLine = "", ...proofLines] = head;
  const old = /^old (0|[1-9]\d{0,15})$/.exec(oldLine);
  if (!old || !Number.isSafeInteger(Number(old[1]))) return { error: 'the first line is not "old <size>"' };
  if (proofLines.length > MAX_PROOF_LINES) return { error: `more than ${MAX_PROOF_LINES} consistency proof lines` };
  const proof: Buffer[] = [];
  for (const line of proofLines) {
    if (!/^[A-Za-z0-9+/]{43}=$/.test(line)) return { error: "a consistency proof line is not a base64 SHA-256 hash" };
    proof.push(Buffer.from(line, "base64"));
  }
  return { oldSize: Number(old[1]), proof, checkpoint: body.slice(blank + 2) };
}

export async function addWitnessCheckpoint(
  prisma: PrismaClient,
  config: Extract<WitnessServerConfig, { enabled: true }>,
  body: string,
  now: () => Date = () => new Date(),
): Promise<WitnessAnswer> {
  const request = parseAddCheckpointBody(body);
  if ("error" in request) return { status: 400, message: `Malformed add-checkpoint request: ${request.error}.` };
  let noteBody: string;
  let origin: string;
  try {
    noteBody = splitNote(request.checkpoint).body;
    origin = parseCheckpointBody(noteBody).origin;
  } catch (error) {
    return { status: 400, message: `The checkpoint is malformed: ${error instanceof Error ? error.message : String(error)}.` };
  }
  const verifier = config.logs.get(origin);
  if (!verifier) return { status: 404, message: `This witness does not witness the log ${origin}.` };
  let checkpoint;
  try {
    checkpoint = openCheckpoint(request.checkpoint, verifier);
  } catch (error) {
    if (error instanceof NoteError) return { status: 403, message: `The checkpoint is not validly signed by ${origin}'s key: ${error.message}.` };
    throw error;
  }
  if (request.oldSize > checkpoint.treeSize) return { status: 400, message: `The old size ${request.oldSize} is larger than the checkpoint's size ${checkpoint.treeSize}.` };

  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`audit-witness:${origin}`}))`;
      const [latest] = await tx.$queryRaw<Array<{ tree_size: string; root_hash: string; cosignature: string }>>`
        SELECT w.tree_size::text, w.root_hash, w.cosignature FROM audit_witnessed_checkpoint w WHERE w.origin = ${origin} ORDER BY w.tree_size DESC LIMIT 1`;
      const latestSize = latest ? Number(latest.tree_size) : 0;
      const latestRoot = latest ? Buffer.from(latest.root_hash, "hex") : emptyRoot();
      if (request.oldSize !== latestSize) {
        return { status: 409, latestSize, message: `The latest checkpoint witnessed for ${origin} is of size ${latestSize}, not ${request.oldSize}.` } as const;
      }
      if (latest && checkpoint.treeSize === latestSize) {
        if (!checkpoint.rootHash.equals(latestRoot)) {
          return { status: 409, latestSize, message: `A different checkpoint of size ${latestSize} was witnessed for ${origin}: the log forked.` } as const;
        }
        return { status: 200, cosignature: latest.cosignature } as const;
      }
      if (!verifyConsistency(latestSize, checkpoint.treeSize, request.proof, latestRoot, checkpoint.rootHash)) {
        return {
          status: 422,
          message: `The consistency proof from size ${latestSize} to ${checkpoint.treeSize} does not verify: the checkpoint does not extend the one witnessed for ${origin} (the log was rewritten or forked).`,
        } as const;
      }
      const cosignature = cosignCheckpointBody(noteBody, config.cosigner, now());
      await tx.$executeRaw`
        INSERT INTO audit_witnessed_checkpoint (origin, tree_size, root_hash, note, cosignature)
        VALUES (${origin}, ${BigInt(checkpoint.treeSize)}, ${checkpoint.rootHash.toString("hex")}, ${request.checkpoint}, ${cosignature})`;
      return { status: 200, cosignature } as const;
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
}
