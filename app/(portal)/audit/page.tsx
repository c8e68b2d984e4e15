import type { Metadata } from "next";
import Link from "next/link";
import { AuditCharts } from "@/components/audit/audit-charts";
import { AuditFacets } from "@/components/audit/audit-facets";
import { AuditTable } from "@/components/audit/audit-table";
import { VerifyPanel } from "@/components/audit/verify-panel";
import { ErrorState } from "@/components/error-state";
import { AUDIT_ACTIONS } from "@/lib/audit/actions";
import { routineHref } from "@/lib/audit/console-links";
import { actionLabel, hiddenRoutineText } from "@/lib/audit/labels";
import { ROUTINE_RULES } from "@/lib/audit/routine";
import type { RawSearchParams } from "@/lib/telemetry/event-query";
import { formatCount } from "@/lib/telemetry/format";
import { toUrlSearchParams, withQuery } from "@/lib/telemetry/search-params";
import { searchAuditEvents } from "@/server/data/audit/search-audit-events";
import { loadForPage } from "@/server/http/page-guard";
import { verifyNowAction } from "./actions";
import { AuditCheckpointSection } from "./checkpoint-section";

export const metadata: Metadata = { title: "Audit trail" };

function first(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

/** Picks made in the facets (and the routine toggle, the sort) travel with the form as hidden fields. */
const CARRIED_BY_FORM = ["person", "outcome", "purpose", "employer", "routine", "sort"] as const;

const ROUTINE_WHAT = ROUTINE_RULES.map((rule) => rule.why).join("; ");

export default async function AuditPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const raw = await searchParams;
  const params = toUrlSearchParams(raw);
  const result = await loadForPage(withQuery("/audit", params), () => searchAuditEvents(params, { overview: true }));

  const filterParams = new URLSearchParams(params);
  filterParams.delete("cursor");
  const exportParams = new URLSearchParams(filterParams);
  for (const key of ["sort", "limit"]) exportParams.delete(key);
  const pickedActions = params.getAll("action");
  const showingRoutine = params.get("routine") === "show";

  return (
    <div className="stack audit-console">
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

      <form method="get" action="/audit" className="card filter-form" aria-label="Filter the audit trail">
        <div className="filter-grid">
          <div className="field">
            <label htmlFor="f-actor">Actor email contains</label>
            <input id="f-actor" name="actor" type="search" defaultValue={first(raw.actor)} />
          </div>
          <div className="field">
            <label htmlFor="f-action">Action</label>
            <select id="f-action" name="action" defaultValue={pickedActions.length === 1 ? pickedActions[0] : ""}>
              <option value="">{pickedActions.length > 1 ? `${pickedActions.length} actions picked (add one)` : "Any action"}</option>
              {AUDIT_ACTIONS.map((action) => (
                <option key={action} value={action}>
                  {actionLabel(action)}
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
            <label htmlFor="f-machine">Touched machine (id)</label>
            <input id="f-machine" name="machineId" type="text" className="mono" placeholder="pseudonymous id" defaultValue={first(raw.machineId)} />
          </div>
          <div className="field">
            <label htmlFor="f-break-glass">Break-glass</label>
            <select id="f-break-glass" name="breakGlass" defaultValue={first(raw.breakGlass)}>
              <option value="">All rows</option>
              <option value="any">Only rows made under break-glass</option>
              {first(raw.breakGlass) && first(raw.breakGlass) !== "any" ? (
                <option value={first(raw.breakGlass)}>Only under break-glass access {first(raw.breakGlass).slice(0, 8)}…</option>
              ) : null}
            </select>
          </div>
        </div>
        {pickedActions.length > 1 ? pickedActions.map((action) => <input key={action} type="hidden" name="action" value={action} />) : null}
        {CARRIED_BY_FORM.flatMap((key) => params.getAll(key).map((value) => <input key={`${key}=${value}`} type="hidden" name={key} value={value} />))}
        <div className="form-actions">
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
          <div className="results-line" aria-live="polite">
            <p>
              <strong>{formatCount(result.value.overview?.total ?? 0)}</strong> {(result.value.overview?.total ?? 0) === 1 ? "row matches" : "rows match"}
              {" · "}
              <a href="#rows">Jump to the rows</a>
            </p>
            {showingRoutine ? (
              <p className="routine-notice">
                Routine rows are shown. <Link href={routineHref(params, false)}>Hide them</Link>
              </p>
            ) : (result.value.overview?.hiddenRoutine ?? 0) > 0 ? (
              <p className="routine-notice" title={`Routine: ${ROUTINE_WHAT}.`}>
                {hiddenRoutineText(result.value.overview?.hiddenRoutine ?? 0)} —{" "}
                <Link href={routineHref(params, true)}>
                  show<span className="visually-hidden"> the routine rows</span>
                </Link>
                <span className="hint">Routine: {ROUTINE_WHAT}.</span>
              </p>
            ) : (
              <p className="routine-notice subtle">No routine rows among these.</p>
            )}
          </div>
          {result.value.overview ? (
            <>
              <AuditFacets facets={result.value.overview.facets} params={filterParams} />
              <AuditCharts charts={result.value.overview.charts} params={filterParams} />
            </>
          ) : null}
          <section aria-labelledby="rows" className="stack">
            <h2 id="rows" tabIndex={-1}>
              Rows
            </h2>
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
          </section>
          {/* The trail's integrity: verification panels (and the signed checkpoints') go here, one element each. */}
          <VerifyPanel action={verifyNowAction} last={result.value.lastVerification} />
          <AuditCheckpointSection />
        </>
      ) : (
        <ErrorState error={result.error} />
      )}
    </div>
  );
}
