// The accesses that disclosed data of one machine (a disclosure receipt's
// rows), as a table that stacks into labelled cards on a phone. Renders only;
// the page has fetched through the data layer.
import Link from "next/link";
import { AUDIT_ACTION_LABELS, type AuditAction } from "@/lib/audit/actions";
import { formatUtc } from "@/lib/telemetry/format";
import { EMPLOYER_LABELS, FIELD_CLASS_LABELS, GROUP_LABELS, PURPOSE_LABELS, type FieldClass, type GroupKey } from "@/lib/telemetry/vocabulary";
import type { DisclosureRowDto } from "@/server/data/audit/get-disclosure-receipt";

const OUTCOME_BADGE = { allowed: "badge badge--ok", denied: "badge badge--danger", error: "badge badge--warn" } as const;

/** "Identifiers (pseudonymous machine, …)" → "Identifiers": the table names the class, the explorer explains it. */
const shortLabel = (text: string): string => text.split(" (")[0] ?? text;

const label = <K extends string>(labels: Record<K, string>, key: string): string => labels[key as K] ?? key;

export function DisclosureTable({ rows, caption, id }: { rows: DisclosureRowDto[]; caption: string; id: string }) {
  return (
    <div className="table-wrap">
      <table className="data admin-table admin-table--stacked" aria-describedby={id}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">Purpose</th>
            <th scope="col">Action</th>
            <th scope="col">Field classes</th>
            <th scope="col">Outcome</th>
            <th scope="col" className="num">
              Leaf
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.auditEventId}>
              <td data-label="Time (UTC)">
                <Link href={`/audit/${row.auditEventId}`} className="mono" title={`Open audit row ${row.auditEventId}`}>
                  {formatUtc(row.occurredAt)}
                </Link>
              </td>
              <td data-label="Who" className="wrap">
                {row.actorEmail ?? <span className="subtle">anonymous</span>}
                <div className="subtle">
                  {[row.actorEmployer ? label(EMPLOYER_LABELS, row.actorEmployer) : null, ...row.actorGroups.map((group) => label<GroupKey>(GROUP_LABELS, group))]
                    .filter(Boolean)
                    .join(" · ") || "—"}
                </div>
              </td>
              <td data-label="Purpose" className="wrap">
                {row.purpose ? PURPOSE_LABELS[row.purpose] : "—"}
                {row.purposeDetail ? <div className="subtle">{row.purposeDetail}</div> : null}
              </td>
              <td data-label="Action">
                {label<AuditAction>(AUDIT_ACTION_LABELS, row.action)}
                {row.rowCount !== null && row.rowCount > 1 ? <div className="subtle">{row.rowCount} events</div> : null}
              </td>
              <td data-label="Field classes" className="wrap">
                {row.fieldClasses.length > 0 ? row.fieldClasses.map((fieldClass) => shortLabel(label<FieldClass>(FIELD_CLASS_LABELS, fieldClass))).join(", ") : "—"}
              </td>
              <td data-label="Outcome">
                <span className={OUTCOME_BADGE[row.outcome]}>{row.outcome}</span>
              </td>
              <td data-label="Leaf" className="num mono">
                {row.leafIndex ?? <span className="subtle">not sealed</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
