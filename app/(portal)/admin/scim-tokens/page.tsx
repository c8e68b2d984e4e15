import type { Metadata } from "next";
import { ErrorState } from "@/components/error-state";
import { DoneNotice } from "@/components/admin/done-notice";
import { CreateScimTokenForm } from "@/components/admin/create-scim-token-form";
import { formatDateTime } from "@/components/admin/format";
import { ReasonForm } from "@/components/admin/reason-form";
import { listScimTokens } from "@/server/data/admin/list-scim-tokens";
import { getEnv } from "@/server/config/env";
import { loadForPage } from "@/server/http/page-guard";
import { createScimTokenAction, revokeScimTokenAction } from "./actions";

export const metadata: Metadata = { title: "SCIM tokens" };

export default async function ScimTokensPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await searchParams;
  const result = await loadForPage("/admin/scim-tokens", () => listScimTokens());
  if (!result.ok) return <ErrorState error={result.error} />;
  const tokens = result.value;
  const baseUrl = `${getEnv().PORTAL_URL.replace(/\/$/, "")}/scim/v2`;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>SCIM tokens</h1>
          <p className="subtle">
            Bearer tokens that let the company&apos;s identity provider add and deactivate people through SCIM 2.0 at <span className="mono">{baseUrl}</span>.
            Deactivating a person there ends their sessions at once. Group membership stays decided here. The portal stores only a hash of each token.
          </p>
        </div>
      </div>
      <DoneNotice params={query} />
      <section className="card" aria-labelledby="issue-heading">
        <h2 id="issue-heading" className="card-title">
          Issue a token
        </h2>
        <CreateScimTokenForm action={createScimTokenAction} />
      </section>
      <section aria-labelledby="tokens-heading" className="stack">
        <h2 id="tokens-heading" className="results-count">
          {tokens.length} {tokens.length === 1 ? "token" : "tokens"}
        </h2>
        <div className="table-wrap">
          <table className="data admin-table admin-table--stacked">
            <caption className="visually-hidden">SCIM tokens, active first</caption>
            <thead>
              <tr>
                <th scope="col">Identity provider</th>
                <th scope="col">Token starts with</th>
                <th scope="col">Issued</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {tokens.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty">
                    No token has been issued yet.
                  </td>
                </tr>
              ) : (
                tokens.map((token) => (
                  <tr key={token.id}>
                    <td data-label="Identity provider">{token.name}</td>
                    <td className="mono" data-label="Token starts with">
                      {token.prefix}…
                    </td>
                    <td data-label="Issued">
                      {formatDateTime(token.createdAt)}
                      <div className="hint">{token.createdBy ? `by ${token.createdBy.name}` : ""}</div>
                    </td>
                    <td data-label="Last used">{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : "Never"}</td>
                    <td className="wrap" data-label="Status">
                      {token.revokedAt ? (
                        <>
                          <span className="badge badge--danger">Revoked</span>
                          <div className="hint">
                            {formatDateTime(token.revokedAt)}
                            {token.revokedBy ? ` by ${token.revokedBy.name}` : ""}
                          </div>
                        </>
                      ) : (
                        <>
                          <span className="badge badge--ok">Active</span>
                          <details>
                            <summary>Revoke…</summary>
                            <ReasonForm
                              action={revokeScimTokenAction}
                              idName="keyId"
                              idValue={token.id}
                              label={`Revoke the token for ${token.name}`}
                              reasonLabel="Reason for revoking"
                              hint="The identity provider's next SCIM request is refused."
                              submitLabel="Revoke token"
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
