// The offline proof bundle of one audit row, for the auditor (audit.view):
// the row's canonical content, its leaf index, an inclusion proof and the
// signed checkpoint it is in (server/audit/checkpoints/proof-bundle.ts).
import "server-only";
import { z } from "zod";
import { auditRowIdSchema } from "@/lib/audit/audit-query";
import { audited } from "@/server/access/audited";
import { ProofUnavailableError, buildProofBundle, type ProofBundle } from "@/server/audit/checkpoints/proof-bundle";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";

const auditProofInputSchema = z.strictObject({ id: auditRowIdSchema });

export async function getAuditProof(id: unknown): Promise<ProofBundle> {
  return audited({ action: "audit.view", permission: "audit.read", requirePurpose: false, details: { targetType: "audit_proof" } }, async ({ tx }) => {
    const { id: rowId } = parseInput(auditProofInputSchema, { id });
    let bundle: ProofBundle | null;
    try {
      bundle = await buildProofBundle(tx, BigInt(rowId));
    } catch (error) {
      if (error instanceof ProofUnavailableError) throw new AppError("conflict", error.message);
      throw error;
    }
    if (!bundle) throw new AppError("not_found", `There is no audit row ${rowId}.`);
    return { value: bundle, audit: { targetId: rowId } };
  });
}
