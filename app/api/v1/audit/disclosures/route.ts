// GET /api/v1/audit/disclosures?machineId=… — the disclosure receipt of one machine (auditors):
// every access that disclosed its data, with inclusion proofs against the newest signed checkpoint.
// The body is the receipt file `npm run audit:verify -- --receipt FILE --public-key KEY` checks.
import { getDisclosureReceipt } from "@/server/data/audit/get-disclosure-receipt";
import { jsonError } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  try {
    const receipt = await getDisclosureReceipt(new URL(request.url).searchParams);
    const stamp = receipt.generatedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    return new Response(`${JSON.stringify(receipt, null, 2)}\n`, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        // the machine id is producer text: never in a header
        "Content-Disposition": `attachment; filename="disclosure-receipt-${stamp}.json"`,
        "Cache-Control": "private, no-store",
      },
    });
  } catch (error) {
    return jsonError(error);
  }
}
