import type { Metadata } from "next";
import Link from "next/link";
import { SiemDeliveryPanel } from "@/components/audit/siem-delivery-panel";
import { ErrorState } from "@/components/error-state";
import { formatUtc } from "@/lib/telemetry/format";
import { getSiemDelivery } from "@/server/data/audit/get-siem-delivery";
import { loadForPage } from "@/server/http/page-guard";

export const metadata: Metadata = { title: "SIEM delivery" };

// GET /audit/delivery: auditors see whether every audit row reaches the SIEM sinks (audited as audit.delivery_view).
export default async function SiemDeliveryPage() {
  const result = await loadForPage("/audit/delivery", () => getSiemDelivery());
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="subtle" style={{ margin: "0 0 0.15rem" }}>
            <Link href="/audit">Audit trail</Link> <span aria-hidden="true">›</span> SIEM delivery
          </p>
          <h1>SIEM delivery</h1>
          <p className="subtle" style={{ maxWidth: "60rem" }}>
            Every audit row is sent to each configured SIEM sink at least once, in order within its chain, as an OCSF API Activity event. A sink that is down
            loses nothing: its rows wait in the trail and are sent when it is back. Delivery runs every minute.
          </p>
        </div>
      </div>
      {result.ok ? (
        <>
          <SiemDeliveryPanel sinks={result.value.sinks} />
          <p className="subtle">Checked {formatUtc(result.value.checkedAt, false)} UTC. Reload the page for a newer figure.</p>
        </>
      ) : (
        <ErrorState error={result.error} />
      )}
    </div>
  );
}
