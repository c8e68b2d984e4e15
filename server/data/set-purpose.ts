// Declares (or changes) the purpose of this browsing session. Kept on the
// session row and copied into every audit row from then on.
import "server-only";
import { purposeInputSchema } from "@/lib/access/purpose-input";
import { audited } from "@/server/access/audited";
import { parseInput } from "@/server/http/parse-input";

export async function setPurpose(input: unknown): Promise<void> {
  return audited({ action: "session.purpose_set", permission: null }, async ({ tx, actor }) => {
    const { purpose, detail } = parseInput(purposeInputSchema, input);
    const before = { purpose: actor.purpose, detail: actor.purposeDetail };
    const purposeDetail = purpose === "other" ? (detail ?? null) : detail || null;
    await tx.session.update({ where: { sessionToken: actor.sessionToken }, data: { purpose, purposeDetail, purposeSetAt: new Date() } });
    // the audit row records the new purpose as the one in force
    actor.purpose = purpose;
    actor.purposeDetail = purposeDetail;
    return { value: undefined, audit: { before, after: { purpose, detail: purposeDetail } } };
  });
}
