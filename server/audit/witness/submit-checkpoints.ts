// Our newest signed checkpoint, submitted to every configured witness (C2SP
// tlog-witness add-checkpoint) with a consistency proof from the last size
// that witness cosigned; each cosignature it returns is verified with the
// witness's key and kept in audit_checkpoint_cosignature. Run by the
// `audit.witness` job every minute and by `npm run audit:verify`.
//
// A witness that is down is named (log line, portal_audit_witness_submissions_total
// {result="unreachable"}) and the job run fails, so pg-boss retries it; reads
// never wait on it. A witness that refuses — it holds a larger size than our
// log (rewound), or our checkpoint does not extend what it cosigned (rewritten
// or forked) — is a detection, named the same way.
//
// No "server-only": the job and `npm run audit:verify` run it.
import type { PrismaClient } from "@/server/db/generated/client";
import { MerkleTree } from "@/server/audit/merkle/merkle";
import { NoteError } from "@/server/audit/checkpoints/signed-note";
import { getMetrics } from "@/server/observability/metrics";
import { verifyCosignature } from "./cosignature";
import type { Witness } from "./witness-config";

export type WitnessOutcome = {
  witness: string;
  url: string;
  result: "cosigned" | "already" | "refused" | "unreachable" | "nothing";
  treeSize: number;
  /** one sentence, for refusals and failures */
  message?: string;
};

const TIMEOUT_MS = 10_000;

type Fetch = typeof fetch;

type Db = Pick<PrismaClient, "$queryRaw" | "$executeRaw">;

export async function submitToWitnesses(prisma: Db, witnesses: readonly Witness[], options: { fetch?: Fetch } = {}): Promise<WitnessOutcome[]> {
  if (witnesses.length === 0) return [];
  const [latest] = await prisma.$queryRaw<Array<{ tree_size: string; note: string }>>`
    SELECT c.tree_size::text, c.note FROM audit_checkpoint c ORDER BY c.tree_size DESC LIMIT 1`;
  const outcomes: WitnessOutcome[] = [];
  for (const witness of witnesses) {
    const base = { witness: witness.verifier.name, url: witness.url };
    if (!latest) {
      outcomes.push({ ...base, result: "nothing", treeSize: 0 });
      continue;
    }
    const outcome = await submitOne(prisma, witness, Number(latest.tree_size), latest.note, options.fetch ?? fetch);
    getMetrics().auditWitnessSubmissions.inc({ witness: witness.verifier.name, result: outcome.result === "already" ? "cosigned" : outcome.result });
    outcomes.push({ ...base, ...outcome });
  }
  return outcomes;
}

async function submitOne(prisma: Db, witness: Witness, treeSize: number, note: string, doFetch: Fetch): Promise<Omit<WitnessOutcome, "witness" | "url">> {
  const name = witness.verifier.name;
  const [done] = await prisma.$queryRaw<Array<{ found: boolean }>>`
    SELECT EXISTS (SELECT 1 FROM audit_checkpoint_cosignature WHERE witness = ${name} AND tree_size = ${BigInt(treeSize)}) AS found`;
  if (done?.found) return { result: "already", treeSize };
  const [last] = await prisma.$queryRaw<Array<{ tree_size: string | null }>>`
    SELECT max(tree_size)::text AS tree_size FROM audit_checkpoint_cosignature WHERE witness = ${name} AND tree_size <= ${BigInt(treeSize)}`;
  let oldSize = last?.tree_size ? Number(last.tree_size) : 0;
  // At most one retry: a 409 tells us the size the witness holds.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const proof = oldSize === 0 ? [] : await consistencyProof(prisma, oldSize, treeSize);
    const body = `old ${oldSize}\n${proof.map((hash) => `${hash.toString("base64")}\n`).join("")}\n${note}`;
    let response: Response;
    try {
      const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8" };
      if (witness.token) headers.Authorization = `Bearer ${witness.token}`;
      response = await doFetch(witness.url, { method: "POST", headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      return { result: "unreachable", treeSize, message: `witness ${name} at ${witness.url} is unreachable: ${describeFetchError(error)}` };
    }
    const text = await response.text().catch(() => "");
    if (response.status === 200) {
      const line = text.split("\n").find((candidate) => candidate.startsWith(`— ${name} `));
      if (!line) return { result: "refused", treeSize, message: `witness ${name} answered 200 without a cosignature by its key` };
      try {
        verifyCosignature(note, line, witness.verifier);
      } catch (error) {
        if (error instanceof NoteError) return { result: "refused", treeSize, message: `witness ${name}'s cosignature does not verify: ${error.message}` };
        throw error;
      }
      await prisma.$executeRaw`
        INSERT INTO audit_checkpoint_cosignature (tree_size, witness, witness_url, signature)
        VALUES (${BigInt(treeSize)}, ${name}, ${witness.url}, ${`${line}\n`})
        ON CONFLICT (tree_size, witness) DO NOTHING`;
      return { result: "cosigned", treeSize };
    }
    if (response.status === 409 && attempt === 0) {
      const held = /^(\d{1,16})\n?$/.exec(text.trim()) ? Number(text.trim()) : Number.NaN;
      if (Number.isSafeInteger(held) && held !== oldSize) {
        if (held > treeSize) {
          return {
            result: "refused",
            treeSize,
            message: `witness ${name} has cosigned size ${held}, but the log's newest checkpoint is of size ${treeSize} — the log was rewound (rows cut from the tail)`,
          };
        }
        oldSize = held;
        continue;
      }
    }
    const reason = response.status === 409 ? "the checkpoint of that size it holds has another root — the log forked" : text.replace(/\s+/g, " ").slice(0, 300);
    return { result: "refused", treeSize, message: `witness ${name} refused checkpoint ${treeSize} (old size ${oldSize}): HTTP ${response.status} ${reason}` };
  }
  return { result: "refused", treeSize, message: `witness ${name} kept refusing checkpoint ${treeSize}` };
}

/** RFC 9162 consistency proof between two sizes, from the stored leaves (reads every leaf up to newSize). */
export async function consistencyProof(prisma: Pick<PrismaClient, "$queryRaw">, oldSize: number, newSize: number): Promise<Buffer[]> {
  const leaves = await prisma.$queryRaw<Array<{ leaf_hash: string }>>`
    SELECT leaf_hash FROM audit_merkle_leaf WHERE leaf_index < ${BigInt(newSize)} ORDER BY leaf_index`;
  const tree = new MerkleTree(leaves.map((row) => Buffer.from(row.leaf_hash, "hex")));
  if (tree.size < newSize) throw new Error(`the Merkle log holds ${tree.size} leaves, fewer than ${newSize}`);
  return tree.consistencyProof(oldSize, newSize);
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if (error instanceof Error && error.name === "TimeoutError") return `no answer within ${TIMEOUT_MS / 1000} s`;
  return error instanceof Error ? error.message : String(error);
}

/** Checks every stored cosignature against the witness keys and the checkpoint it was given for; failures as sentences. */
export async function verifyStoredCosignatures(
  prisma: Pick<PrismaClient, "$queryRaw">,
  witnesses: readonly Pick<Witness, "verifier">[],
  options: { fromSize?: number } = {},
): Promise<{ checked: number; failures: string[]; byWitness: Map<string, number> }> {
  const rows = await prisma.$queryRaw<Array<{ tree_size: string; witness: string; signature: string; note: string | null }>>`
    SELECT c.tree_size::text, c.witness, c.signature, k.note
      FROM audit_checkpoint_cosignature c LEFT JOIN audit_checkpoint k ON k.tree_size = c.tree_size
     WHERE c.tree_size >= ${BigInt(options.fromSize ?? 0)}
     ORDER BY c.tree_size`;
  const failures: string[] = [];
  const byWitness = new Map<string, number>();
  let checked = 0;
  for (const row of rows) {
    const witness = witnesses.find((candidate) => candidate.verifier.name === row.witness);
    if (!witness) continue;
    const where = `witness ${row.witness}'s cosignature of checkpoint ${row.tree_size}`;
    if (row.note === null) {
      failures.push(`${where}: the database no longer holds the checkpoint it cosigned — stored checkpoints were removed`);
      continue;
    }
    try {
      verifyCosignature(row.note, row.signature.trimEnd(), witness.verifier);
      checked += 1;
      byWitness.set(row.witness, Math.max(byWitness.get(row.witness) ?? 0, Number(row.tree_size)));
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
      failures.push(`${where}: ${error.message} — the stored checkpoint was rewritten after the witness saw it`);
    }
  }
  return { checked, failures, byWitness };
}
