import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { AUDIT_ACTION_LABELS, type AuditAction } from "@/lib/audit/actions";
import { formatUtc } from "@/lib/telemetry/format";
import { EMPLOYER_LABELS, PURPOSE_LABELS } from "@/lib/telemetry/vocabulary";
import { getAuditEvent } from "@/server/data/audit/get-audit-event";
import { loadForPage } from "@/server/http/page-guard";

export const metadata: Metadata = { title: "Audit row" };

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="subtle">—</span>;
  return <pre className="code">{JSON.stringify(value, null, 2)}</pre>;
}

function List({ items, link }: { items: string[]; link?: (item: string) => string }) {
  if (items.length === 0) return <span className="subtle">—</span>;
  return (
    <ul style={{ margin: 0, paddingLeft: "1.1rem" }}>
      {items.map((item) => (
        <li key={item} className="mono">
          {link ? <Link href={link(item)}>{item}</Link> : item}
        </li>
      ))}
    </ul>
  );
}

export default async function AuditRowPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const result = await loadForPage(`/audit/${encodeURIComponent(id)}`, () => getAuditEvent(id));
  if (!result.ok) return <ErrorState error={result.error} />;
  const row = result.value;
  const { actor } = row;

  return (
    <div className="stack">
      <p>
        <Link href="/audit">← Audit trail</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>
            Audit row {row.id}: {AUDIT_ACTION_LABELS[row.action as AuditAction] ?? row.action}
          </h1>
          <p className="subtle">
            {formatUtc(row.occurredAt)} UTC · outcome <strong>{row.outcome}</strong>
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
            <dd>{actor.employer ? EMPLOYER_LABELS[actor.employer] : "—"}</dd>
            <dt>Groups then</dt>
            <dd>{actor.groups.join(", ") || "—"}</dd>
            <dt>Roles then</dt>
            <dd>{actor.roles.join(", ") || "—"}</dd>
            <dt>Purpose</dt>
            <dd>
              {row.purpose ? PURPOSE_LABELS[row.purpose] : "—"}
              {row.purposeDetail ? ` — ${row.purposeDetail}` : ""}
            </dd>
            <dt>IP address</dt>
            <dd className="mono">{row.actorIp ?? "—"}</dd>
            <dt>User agent</dt>
            <dd className="mono">{row.actorUserAgent ?? "—"}</dd>
            <dt>Request id</dt>
            <dd className="mono">{row.requestId}</dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="what">
          <h2 id="what" style={{ marginTop: 0 }}>
            What
          </h2>
          <dl className="props">
            <dt>Action</dt>
            <dd className="mono">{row.action}</dd>
            <dt>Reason</dt>
            <dd>{row.reason ?? "—"}</dd>
            <dt>Target</dt>
            <dd className="mono">{row.targetType ? `${row.targetType}${row.targetId ? ` ${row.targetId}` : ""}` : "—"}</dd>
            <dt>Rows</dt>
            <dd>{row.rowCount ?? "—"}</dd>
            <dt>Field classes</dt>
            <dd>{row.fieldClasses.join(", ") || "—"}</dd>
            <dt>File SHA-256</dt>
            <dd className="mono" style={{ wordBreak: "break-all" }}>
              {row.fileSha256 ?? "—"}
            </dd>
          </dl>
        </section>
      </div>
      <section className="card" aria-labelledby="disclosed">
        <h2 id="disclosed" style={{ marginTop: 0 }}>
          Disclosed
        </h2>
        <div className="grid-2">
          <div>
            <h3>Events ({row.eventIds.length})</h3>
            <List items={row.eventIds} link={(eventId) => `/audit?eventId=${eventId}`} />
          </div>
          <div>
            <h3>Pseudonymous machines ({row.machineIds.length})</h3>
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
          Chain
        </h2>
        <dl className="props">
          <dt>Chain / sequence</dt>
          <dd className="mono">
            {row.chainId} / {row.seq}
          </dd>
          <dt>Previous hash</dt>
          <dd className="mono" style={{ wordBreak: "break-all" }}>
            {row.prevHash}
          </dd>
          <dt>Hash</dt>
          <dd className="mono" style={{ wordBreak: "break-all" }}>
            {row.hash}
          </dd>
        </dl>
      </section>
    </div>
  );
}
