// The consistency proof between two signed checkpoints of the audit log, as an
// offline bundle (server/audit/checkpoints/proof-bundle.ts), for auditors
// (audit.checkpoints, target audit_consistency): `from` and `to` are tree
// sizes of stored checkpoints; `to` defaults to the newest.
import "server-only";
import { fromSearchParams, integerParam, queryObject } from "@/lib/http/query-params";
import { audited } from "@/server/access/audited";
import { ProofUnavailableError, buildConsistencyBundle, type ConsistencyBundle } from "@/server/audit/checkpoints/proof-bundle";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";

const MAX_SIZE = Number.MAX_SAFE_INTEGER;

export const consistencyQuerySchema = fromSearchParams(
  queryObject({ from: integerParam(1, MAX_SIZE), to: integerParam(1, MAX_SIZE) }).superRefine((query, ctx) => {
    if (query.from === undefined) ctx.addIssue({ code: "custom", path: ["from"], message: "is required: the tree size of the older checkpoint" });
    if (query.from !== undefined && query.to !== undefined && query.from > query.to) ctx.addIssue({ code: "custom", path: ["from"], message: "must not be larger than to" });
  }),
);

export async function getAuditConsistency(input: unknown): Promise<ConsistencyBundle> {
  return audited({ action: "audit.checkpoints", permission: "audit.read", requirePurpose: false, details: { targetType: "audit_consistency" } }, async ({ tx }) => {
    const query = parseInput(consistencyQuerySchema, input);
    const from = query.from as number;
    let to = query.to;
    if (to === undefined) {
      const [newest] = await tx.$queryRaw<Array<{ tree_size: string }>>`SELECT c.tree_size::text FROM audit_checkpoint c ORDER BY c.tree_size DESC LIMIT 1`;
      if (!newest) throw new AppError("not_found", "The audit log has no signed checkpoint yet.");
      to = Number(newest.tree_size);
      if (from > to) throw new AppError("invalid_input", `from (${from}) is larger than the newest checkpoint (${to}).`, [{ path: "from", message: `must not be larger than ${to}` }]);
    }
    let bundle;
    try {
      bundle = await buildConsistencyBundle(tx, from, to);
    } catch (error) {
      if (error instanceof ProofUnavailableError) throw new AppError("conflict", error.message);
      throw error;
    }
    if ("missing" in bundle) throw new AppError("not_found", `There is no signed checkpoint of size ${bundle.missing}.`);
    return { value: bundle, audit: { targetId: `${from}-${to}`, filters: { from, to } } };
  });
}
