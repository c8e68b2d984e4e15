import type { Metadata } from "next";
import Link from "next/link";
import { AuditTable } from "@/components/audit/audit-table";
import { VerifyPanel } from "@/components/audit/verify-panel";
import { ErrorState } from "@/components/error-state";
import { AUDIT_ACTIONS, AUDIT_ACTION_LABELS } from "@/lib/audit/actions";
import type { RawSearchParams } from "@/lib/telemetry/event-query";
import { toUrlSearchParams, withQuery } from "@/lib/telemetry/search-params";
import { AUDIT_OUTCOMES, PURPOSES, PURPOSE_LABELS } from "@/lib/telemetry/vocabulary";
import { searchAuditEvents } from "@/server/data/audit/search-audit-events";
import { loadForPage } from "@/server/http/page-guard";
import { verifyNowAction } from "./actions";

export const metadata: Metadata = { title: "Audit trail" };

function first(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const raw = await searchParams;
  const params = toUrlSearchParams(raw);
  const result = await loadForPage(withQuery("/audit", params), () => searchAuditEvents(params));

  const filterParams = new URLSearchParams(params);
  filterParams.delete("cursor");
  const exportParams = new URLSearchParams(filterParams);
  for (const key of ["sort", "limit"]) exportParams.delete(key);
  const selected = (key: string) => new Set(params.getAll(key));

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Audit trail</h1>
          <p className="subtle">Every access to the portal: who, what, why, when, from where, and the outcome. Rows cannot be changed or removed.</p>
          <Link href="/audit/disclosures">Disclosure receipts: who has seen data of a machine?</Link>
        </div>
        <a className="button button--secondary" href={withQuery("/api/v1/audit/export", exportParams)} download>
          Export CSV
        </a>
      </div>

      <form method="get" action="/audit" className="card" aria-label="Filter the audit trail">
        <div className="grid-2" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(200px, 1fr))" }}>
          <div className="field">
            <label htmlFor="f-actor">Actor email contains</label>
            <input id="f-actor" name="actor" type="search" defaultValue={first(raw.actor)} />
          </div>
          <div className="field">
            <label htmlFor="f-action">Action</label>
            <select id="f-action" name="action" defaultValue={first(raw.action)}>
              <option value="">Any action</option>
              {AUDIT_ACTIONS.map((action) => (
                <option key={action} value={action}>
                  {AUDIT_ACTION_LABELS[action]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-outcome">Outcome</label>
            <select id="f-outcome" name="outcome" defaultValue={first(raw.outcome)}>
              <option value="">Any outcome</option>
              {AUDIT_OUTCOMES.map((outcome) => (
                <option key={outcome} value={outcome}>
                  {outcome}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-purpose">Purpose</label>
            <select id="f-purpose" name="purpose" defaultValue={first(raw.purpose)}>
              <option value="">Any purpose</option>
              {PURPOSES.map((purpose) => (
                <option key={purpose} value={purpose}>
                  {PURPOSE_LABELS[purpose]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-from">From (UTC)</label>
            <input id="f-from" name="from" type="text" placeholder="2026-11-24T00:00Z" defaultValue={first(raw.from)} />
          </div>
          <div className="field">
            <label htmlFor="f-to">To (UTC)</label>
            <input id="f-to" name="to" type="text" placeholder="2026-11-24T23:59Z" defaultValue={first(raw.to)} />
          </div>
          <div className="field">
            <label htmlFor="f-event">Touched event (id)</label>
            <input id="f-event" name="eventId" type="text" className="mono" defaultValue={first(raw.eventId)} />
          </div>
          <div className="field">
            <label htmlFor="f-machine">Touched machine (pseudonymous id)</label>
            <input id="f-machine" name="machineId" type="text" className="mono" defaultValue={first(raw.machineId)} />
          </div>
        </div>
        {selected("sort").has("time_asc") ? <input type="hidden" name="sort" value="time_asc" /> : null}
        <div style={{ display: "flex", gap: "0.5rem" }}>
          <button type="submit" className="button">
            Apply filters
          </button>
          <Link href="/audit" className="button button--secondary">
            Clear
          </Link>
        </div>
      </form>

      {result.ok ? (
        <>
          <VerifyPanel action={verifyNowAction} last={result.value.lastVerification} />
          <AuditTable items={result.value.items} descending={params.get("sort") !== "time_asc"} baseQuery={filterParams.toString()} />
          <nav className="pager" aria-label="Pages">
            <span className="subtle">{result.value.items.length} rows on this page</span>
            <span style={{ display: "flex", gap: "0.5rem" }}>
              {params.has("cursor") ? (
                <Link className="button button--secondary" href={withQuery("/audit", filterParams)}>
                  First page
                </Link>
              ) : null}
              {result.value.nextCursor ? (
                <Link
                  className="button button--secondary"
                  href={withQuery("/audit", new URLSearchParams([...filterParams.entries(), ["cursor", result.value.nextCursor]]))}
                >
                  Next page
                </Link>
              ) : null}
            </span>
          </nav>
        </>
      ) : (
        <ErrorState error={result.error} />
      )}
    </div>
  );
}
