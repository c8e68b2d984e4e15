import type { Metadata } from "next";
import { ErrorState } from "@/components/error-state";
import { DoneNotice } from "@/components/admin/done-notice";
import { CreateIngestionKeyForm } from "@/components/admin/create-ingestion-key-form";
import { formatDateTime } from "@/components/admin/format";
import { ReasonForm } from "@/components/admin/reason-form";
import { listIngestionKeys } from "@/server/data/admin/list-ingestion-keys";
import { loadForPage } from "@/server/http/page-guard";
import { createIngestionKeyAction, revokeIngestionKeyAction } from "./actions";

export const metadata: Metadata = { title: "Ingestion keys" };

export default async function IngestionKeysPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await searchParams;
  const result = await loadForPage("/admin/ingestion-keys", () => listIngestionKeys());
  if (!result.ok) return <ErrorState error={result.error} />;
  const keys = result.value;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Ingestion keys</h1>
          <p className="subtle">Keys that let telemetry producers send events. The portal stores only a hash of each key and its first characters.</p>
        </div>
      </div>
      <DoneNotice params={query} />
      <section className="card" aria-labelledby="issue-heading">
        <h2 id="issue-heading" className="card-title">
          Issue a key
        </h2>
        <CreateIngestionKeyForm action={createIngestionKeyAction} />
      </section>
      <section aria-labelledby="keys-heading" className="stack">
        <h2 id="keys-heading" className="results-count">
          {keys.length} {keys.length === 1 ? "key" : "keys"}
        </h2>
        <div className="table-wrap">
          <table className="data admin-table admin-table--stacked">
            <caption className="visually-hidden">Ingestion keys, active first</caption>
            <thead>
              <tr>
                <th scope="col">Producer</th>
                <th scope="col">Key starts with</th>
                <th scope="col">Issued</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {keys.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty">
                    No key has been issued yet.
                  </td>
                </tr>
              ) : (
                keys.map((key) => (
                  <tr key={key.id}>
                    <td data-label="Producer">{key.name}</td>
                    <td className="mono" data-label="Key starts with">
                      {key.prefix}…
                    </td>
                    <td data-label="Issued">
                      {formatDateTime(key.createdAt)}
                      <div className="hint">{key.createdBy ? `by ${key.createdBy.name}` : ""}</div>
                    </td>
                    <td data-label="Last used">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : "Never"}</td>
                    <td className="wrap" data-label="Status">
                      {key.revokedAt ? (
                        <>
                          <span className="badge badge--danger">Revoked</span>
                          <div className="hint">
                            {formatDateTime(key.revokedAt)}
                            {key.revokedBy ? ` by ${key.revokedBy.name}` : ""}
                          </div>
                        </>
                      ) : (
                        <>
                          <span className="badge badge--ok">Active</span>
                          <details>
                            <summary>Revoke…</summary>
                            <ReasonForm
                              action={revokeIngestionKeyAction}
                              idName="keyId"
                              idValue={key.id}
                              label={`Revoke the key for ${key.name}`}
                              reasonLabel="Reason for revoking"
                              hint="The producer's next batch is refused."
                              submitLabel="Revoke key"
                              pendingLabel="Revoking…"
                            />
                          </details>
                        </>
                      )}
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
