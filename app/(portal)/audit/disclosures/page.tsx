import type { Metadata } from "next";
import Link from "next/link";
import { DisclosureTable } from "@/components/audit/disclosure-table";
import { ErrorState } from "@/components/error-state";
import type { RawSearchParams } from "@/lib/telemetry/event-query";
import { MAX_METADATA_LENGTH } from "@/lib/telemetry/metadata";
import { formatUtc } from "@/lib/telemetry/format";
import { toUrlSearchParams, withQuery } from "@/lib/telemetry/search-params";
import { getDisclosureReceiptView } from "@/server/data/audit/get-disclosure-receipt";
import { loadForPage } from "@/server/http/page-guard";

export const metadata: Metadata = { title: "Disclosure receipts" };

/** /audit/disclosures?machineId=… — who has seen data of a machine (auditors). */
export default async function DisclosuresPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const raw = await searchParams;
  const params = toUrlSearchParams(raw);
  const result = await loadForPage(withQuery("/audit/disclosures", params), () => getDisclosureReceiptView(params));
  const asked = typeof raw.machineId === "string" ? raw.machineId : "";
  const receipt = result.ok ? result.value : null;

  return (
    <div className="stack">
      <p>
        <Link href="/audit">← Audit trail</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>Disclosure receipts</h1>
          <p className="subtle">
            Who has seen data of a machine: every access that disclosed any of its events — lists, event pages, content reveals, exports and charts
            narrowed to it — with proof that each is in the signed audit log.
          </p>
        </div>
      </div>

      <form method="get" action="/audit/disclosures" className="card" aria-label="Find the accesses to a machine's data">
        <div className="field">
          <label htmlFor="d-machine">Machine id (pseudonymous)</label>
          <input
            id="d-machine"
            name="machineId"
            type="text"
            className="mono"
            required
            maxLength={MAX_METADATA_LENGTH}
            autoComplete="off"
            spellCheck={false}
            defaultValue={asked}
            aria-describedby="d-machine-hint"
          />
          <p id="d-machine-hint" className="subtle" style={{ margin: 0 }}>
            As the explorer and the audit trail show it, e.g. a 64-character hexadecimal id.
          </p>
        </div>
        <div style={{ display: "flex", gap: "0.5rem" }}>
          <button type="submit" className="button">
            Show receipt
          </button>
        </div>
      </form>

      {!result.ok ? <ErrorState error={result.error} /> : null}

      {receipt ? (
        <>
          <section className="card" aria-labelledby="receipt-summary">
            <h2 id="receipt-summary" style={{ marginTop: 0 }}>
              Machine <span className="mono break">{receipt.machineId}</span>
            </h2>
            <p id="receipt-completeness" style={{ overflowWrap: "anywhere" }}>{receipt.completeness}</p>
            <p className="subtle">
              {receipt.treeSize > 0 ? (
                <>
                  Proven against the signed checkpoint of size {receipt.treeSize}
                  {receipt.checkpointTime ? <> ({formatUtc(receipt.checkpointTime)} UTC)</> : null}.{" "}
                </>
              ) : null}
              Check the download with nothing but the log&apos;s public key:{" "}
              <code className="break">npm run audit:verify -- --receipt FILE --public-key KEY</code>. It proves each listed access is in the log; that
              no other access exists is checked on the portal&apos;s side by full verification.
            </p>
            <a className="button button--secondary" href={withQuery("/api/v1/audit/disclosures", new URLSearchParams({ machineId: receipt.machineId }))} download>
              Download receipt (JSON)
            </a>
          </section>

          {receipt.rows.length === 0 && receipt.notYetCovered.length === 0 ? (
            <div className="notice" role="status">
              <strong>No access has disclosed data of this machine.</strong>
              <p style={{ marginBottom: 0 }}>
                {receipt.treeSize > 0
                  ? `No audit row names it, up to the checkpoint of size ${receipt.treeSize} and since.`
                  : "No audit row names it (no signed checkpoint exists yet to prove the log)."}
              </p>
            </div>
          ) : null}

          {receipt.rows.length > 0 ? (
            <section className="stack" aria-labelledby="covered-heading">
              <h2 id="covered-heading">
                Covered by the checkpoint ({receipt.rows.length} {receipt.rows.length === 1 ? "access" : "accesses"})
              </h2>
              <DisclosureTable id="covered-heading" rows={receipt.rows} caption="Accesses covered by the signed checkpoint" />
            </section>
          ) : null}

          {receipt.notYetCovered.length > 0 ? (
            <section className="stack" aria-labelledby="pending-heading">
              <h2 id="pending-heading">
                Not yet covered by a checkpoint ({receipt.notYetCovered.length} {receipt.notYetCovered.length === 1 ? "access" : "accesses"})
              </h2>
              <p className="subtle">Written after the newest checkpoint; the audit.checkpoint job seals them within a minute or two.</p>
              <DisclosureTable id="pending-heading" rows={receipt.notYetCovered} caption="Accesses not yet covered by a signed checkpoint" />
            </section>
          ) : null}
        </>
      ) : result.ok ? (
        <p className="subtle">Enter a machine id to list every access that disclosed its data.</p>
      ) : null}
    </div>
  );
}
