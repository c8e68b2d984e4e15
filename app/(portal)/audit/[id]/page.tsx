import type { Metadata } from "next";
import { breakGlassIdsOf, withoutBreakGlassMarks } from "@/lib/access/break-glass-mark";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import {
  actionLabel,
  chainPosition,
  employerLabel,
  fieldClassLabel,
  groupLabel,
  outcomeLabel,
  purposeLabel,
  roleLabel,
  targetText,
  targetTypeLabel,
} from "@/lib/audit/labels";
import { formatUtc } from "@/lib/telemetry/format";
import { getAuditEvent } from "@/server/data/audit/get-audit-event";
import { loadForPage } from "@/server/http/page-guard";

export const metadata: Metadata = { title: "Audit row" };

const OUTCOME_BADGE = { allowed: "badge badge--ok", denied: "badge badge--danger", error: "badge badge--warn" } as const;

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="subtle">—</span>;
  return <pre className="code code--light code--wrap">{JSON.stringify(value, null, 2)}</pre>;
}

function List({ items, link }: { items: string[]; link?: (item: string) => string }) {
  if (items.length === 0) return <span className="subtle">—</span>;
  return (
    <ul className="id-list">
      {items.map((item) => (
        <li key={item} className="mono">
          {link ? <Link href={link(item)}>{item}</Link> : item}
        </li>
      ))}
    </ul>
  );
}

/** A label with the stored code beside it, small, for whoever needs to match it elsewhere (API, CSV, SIEM). */
function Labelled({ label, code }: { label: string; code: string }) {
  return (
    <>
      {label}
      {label !== code ? <code className="code-note">{code}</code> : null}
    </>
  );
}

export default async function AuditRowPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const result = await loadForPage(`/audit/${encodeURIComponent(id)}`, () => getAuditEvent(id));
  if (!result.ok) return <ErrorState error={result.error} />;
  const row = result.value;
  const { actor } = row;

  return (
    <div className="stack audit-row">
      <p>
        <Link href="/audit">← Audit trail</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>
            Audit row {row.id}: {actionLabel(row.action)}
          </h1>
          <p className="subtle">
            {formatUtc(row.occurredAt)} UTC · <span className={OUTCOME_BADGE[row.outcome]}>{outcomeLabel(row.outcome)}</span> · {chainPosition(row.chainId, row.seq)}
          </p>
        </div>
      </div>
      <div className="grid-2">
        <section className="card" aria-labelledby="who">
          <h2 id="who" style={{ marginTop: 0 }}>
            Who, from where, why
          </h2>
          <dl className="props">
            <dt>Actor</dt>
            <dd>{actor.email ?? "anonymous"}</dd>
            <dt>Employer</dt>
            <dd>{actor.employer ? employerLabel(actor.employer) : "—"}</dd>
            <dt>Groups then</dt>
            <dd>{withoutBreakGlassMarks(actor.groups).map((group) => groupLabel(group, row.groupNames)).join(", ") || "—"}</dd>
            {breakGlassIdsOf(actor.groups).length > 0 ? (
              <>
                <dt>Break-glass</dt>
                <dd>
                  <span className="badge badge--danger">Made under break-glass</span>{" "}
                  {breakGlassIdsOf(actor.groups).map((id) => (
                    <Link key={id} href={`/access/break-glass/${id}`} className="mono">
                      {id}
                    </Link>
                  ))}
                </dd>
              </>
            ) : null}
            <dt>Roles then</dt>
            <dd>{actor.roles.map(roleLabel).join(", ") || "—"}</dd>
            <dt>Purpose</dt>
            <dd>
              {row.purpose ? purposeLabel(row.purpose) : "—"}
              {row.purposeDetail ? ` — ${row.purposeDetail}` : ""}
            </dd>
            <dt>IP address</dt>
            <dd className="mono break">{row.actorIp ?? "—"}</dd>
            <dt>User agent</dt>
            <dd className="mono break">{row.actorUserAgent ?? "—"}</dd>
            <dt>Request id</dt>
            <dd className="mono break">{row.requestId}</dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="what">
          <h2 id="what" style={{ marginTop: 0 }}>
            What
          </h2>
          <dl className="props">
            <dt>Action</dt>
            <dd>
              <Labelled label={actionLabel(row.action)} code={row.action} />
            </dd>
            <dt>Outcome</dt>
            <dd>{outcomeLabel(row.outcome)}</dd>
            <dt>Reason</dt>
            <dd>{row.reason ?? "—"}</dd>
            <dt>Target</dt>
            <dd className="break">
              {row.targetType && row.targetId ? (
                <>
                  {targetTypeLabel(row.targetType)} <span className="mono">{row.targetId}</span>
                </>
              ) : (
                (targetText({ eventIds: [], targetType: row.targetType, targetId: null }) ?? "—")
              )}
            </dd>
            <dt>Rows</dt>
            <dd>{row.rowCount?.toLocaleString("en-US") ?? "—"}</dd>
            <dt>Field classes</dt>
            <dd>{row.fieldClasses.map(fieldClassLabel).join(", ") || "—"}</dd>
            <dt>File SHA-256</dt>
            <dd className="mono break">{row.fileSha256 ?? "—"}</dd>
          </dl>
        </section>
      </div>
      <section className="card" aria-labelledby="disclosed">
        <h2 id="disclosed" style={{ marginTop: 0 }}>
          Disclosed
        </h2>
        <div className="grid-2">
          <div>
            <h3>Events ({row.eventIds.length.toLocaleString("en-US")})</h3>
            <List items={row.eventIds} link={(eventId) => `/audit?eventId=${eventId}`} />
          </div>
          <div>
            <h3>Pseudonymous machines ({row.machineIds.length.toLocaleString("en-US")})</h3>
            <List items={row.machineIds} link={(machineId) => `/audit?machineId=${encodeURIComponent(machineId)}`} />
          </div>
        </div>
        <h3>Filters</h3>
        <Json value={row.filters} />
      </section>
      {row.before !== null || row.after !== null ? (
        <section className="card" aria-labelledby="change">
          <h2 id="change" style={{ marginTop: 0 }}>
            Change
          </h2>
          <div className="grid-2">
            <div>
              <h3>Before</h3>
              <Json value={row.before} />
            </div>
            <div>
              <h3>After</h3>
              <Json value={row.after} />
            </div>
          </div>
        </section>
      ) : null}
      <section className="card" aria-labelledby="chain">
        <h2 id="chain" style={{ marginTop: 0 }}>
          Place in the trail
        </h2>
        <dl className="props">
          <dt>Position</dt>
          <dd>
            {chainPosition(row.chainId, row.seq)}
            <span className="hint">Row #{row.seq} of audit chain {row.chainId}; the trail has several chains written side by side.</span>
          </dd>
          <dt>Previous hash</dt>
          <dd className="mono break">{row.prevHash}</dd>
          <dt>Hash</dt>
          <dd className="mono break">{row.hash}</dd>
        </dl>
      </section>
    </div>
  );
}
