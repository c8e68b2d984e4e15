import type { Metadata } from "next";
import Link from "next/link";
import { RequestSummary } from "@/components/access/request-summary";
import { REQUEST_STATUS_LABELS } from "@/components/access/format";
import { ErrorState } from "@/components/error-state";
import { GROUP_KEYS, GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { listAccessRequests, ACCESS_REQUEST_LIST_LIMIT } from "@/server/data/access/list-access-requests";
import { ACCESS_REQUEST_STATUSES } from "@/server/data/access/schemas";
import { loadForPage } from "@/server/http/page-guard";

export const metadata: Metadata = { title: "Access requests" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

type Filter = "requester" | "approver" | "group" | "status" | "from" | "to";

export default async function AccessRequestsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const result = await loadForPage("/access/requests", () => listAccessRequests(params));
  const value = (name: Filter) => (typeof params[name] === "string" ? (params[name] as string) : "");
  const scopeText = !result.ok
    ? ""
    : result.value.scope === "all"
      ? "Every request and decision, kept forever."
      : result.value.scope === "approver"
        ? "Your requests and those of the groups you approve."
        : "Your own requests.";
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Access requests</h1>
          <p className="subtle">{scopeText} Search by requester, approver, group, outcome and date.</p>
        </div>
        {result.ok && result.value.scope !== "own" ? <Link href="/access/reviews">Access reviews</Link> : null}
      </div>

      {result.ok && result.value.pendingForMe.length > 0 ? (
        <section className="card" aria-labelledby="waiting-heading">
          <h2 id="waiting-heading" className="card-title">
            Waiting for you ({result.value.pendingForMe.length})
          </h2>
          <ul className="request-list">
            {result.value.pendingForMe.map((request) => (
              <li key={request.id}>
                <RequestSummary request={request} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="card" aria-labelledby="search-heading">
        <h2 id="search-heading" className="card-title">
          Search
        </h2>
        <form method="get" aria-label="Search access requests" className="admin-field-grid">
          <div className="field">
            <label htmlFor="q-requester">Requester</label>
            <input id="q-requester" name="requester" type="search" defaultValue={value("requester")} placeholder="name or email" />
          </div>
          <div className="field">
            <label htmlFor="q-approver">Approver</label>
            <input id="q-approver" name="approver" type="search" defaultValue={value("approver")} placeholder="name or email" />
          </div>
          <div className="field">
            <label htmlFor="q-group">Group</label>
            <select id="q-group" name="group" defaultValue={value("group")}>
              <option value="">Any</option>
              {GROUP_KEYS.map((key) => (
                <option key={key} value={key}>
                  {GROUP_LABELS[key]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="q-status">Outcome</label>
            <select id="q-status" name="status" defaultValue={value("status")}>
              <option value="">Any</option>
              {ACCESS_REQUEST_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {REQUEST_STATUS_LABELS[status]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="q-from">Asked from</label>
            <input id="q-from" name="from" type="date" defaultValue={value("from")} />
          </div>
          <div className="field">
            <label htmlFor="q-to">Asked until</label>
            <input id="q-to" name="to" type="date" defaultValue={value("to")} />
          </div>
          <div className="field">
            <button type="submit" className="button">
              Search
            </button>
          </div>
        </form>
      </section>

      {!result.ok ? (
        <ErrorState error={result.error} />
      ) : (
        <section className="card" aria-labelledby="results-heading">
          <h2 id="results-heading" className="card-title">
            {result.value.items.length === 0
              ? "No request matches"
              : `${result.value.items.length}${result.value.truncated ? "+" : ""} ${result.value.items.length === 1 ? "request" : "requests"}`}
          </h2>
          {result.value.truncated ? <p className="hint">Showing the newest {ACCESS_REQUEST_LIST_LIMIT}: narrow the search to see older ones.</p> : null}
          <ul className="request-list">
            {result.value.items.map((request) => (
              <li key={request.id}>
                <RequestSummary request={request} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
