import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { DoneNotice } from "@/components/admin/done-notice";
import { ExtendGrantForm } from "@/components/admin/extend-grant-form";
import { employmentLabel, formatDateTime, relativeTime } from "@/components/admin/format";
import { listExpiringGrants } from "@/server/data/admin/list-expiring-grants";
import { loadForPage } from "@/server/http/page-guard";
import { extendExpiringGrantAction } from "./actions";

export const metadata: Metadata = { title: "Expiring soon" };

export default async function ExpiringPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await searchParams;
  const result = await loadForPage("/admin/expiring", () => listExpiringGrants());
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Expiring soon</h1>
          <p className="subtle">
            Grants that end in the next {result.ok ? result.value.windowDays : 14} days, soonest first. Extend those still needed, with a reason;
            let the others lapse on purpose.
          </p>
        </div>
      </div>
      <DoneNotice params={query} />
      {!result.ok ? (
        <ErrorState error={result.error} />
      ) : result.value.items.length === 0 ? (
        <p className="card empty">No grant ends in the next {result.value.windowDays} days.</p>
      ) : (
        <div className="table-wrap">
          <table className="data admin-table admin-table--stacked">
            <caption className="visually-hidden">Grants expiring in the next {result.value.windowDays} days</caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Grant</th>
                <th scope="col">Expires</th>
                <th scope="col">Extend</th>
              </tr>
            </thead>
            <tbody>
              {result.value.items.map((grant) => (
                <tr key={grant.id}>
                  <td data-label="Person">
                    <Link href={`/admin/people/${grant.person.id}`}>{grant.person.name}</Link>
                    <div className="hint">
                      <span className="mono">{grant.person.email}</span> · {employmentLabel(grant.person.employer, grant.person.employmentType)}
                    </div>
                  </td>
                  <td data-label="Grant">{grant.access.label}</td>
                  <td data-label="Expires">
                    <strong>{relativeTime(grant.expiresAt, Date.parse(result.value.asOf))}</strong>
                    <div className="hint mono">{formatDateTime(grant.expiresAt)}</div>
                  </td>
                  <td className="wrap" data-label="Extend">
                    {grant.isSelf ? (
                      <span className="hint">Your own grant: another admin must extend it.</span>
                    ) : (
                      <details>
                        <summary>Extend…</summary>
                        <ExtendGrantForm action={extendExpiringGrantAction} grantId={grant.id} latestExpiryDate={grant.latestExpiryDate} label={`${grant.access.label} of ${grant.person.name}`} />
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
