import type { Metadata } from "next";
import Link from "next/link";
import { CancelRequestForm } from "@/components/access/decision-forms";
import { RequestSummary } from "@/components/access/request-summary";
import { CAPABILITY_BADGES, formatDate, formatDateTime, GRANT_STATE_BADGES, GRANT_STATE_LABELS } from "@/components/admin/format";
import { ErrorState } from "@/components/error-state";
import { EMPLOYER_LABELS } from "@/lib/telemetry/vocabulary";
import { getMyAccess } from "@/server/data/access/get-my-access";
import type { GrantDto } from "@/server/data/admin/types";
import { loadForPage } from "@/server/http/page-guard";
import { cancelAccessRequestAction } from "./actions";

export const metadata: Metadata = { title: "My access" };

export default async function MyAccessPage() {
  const result = await loadForPage("/access", () => getMyAccess());
  if (!result.ok) return <ErrorState error={result.error} />;
  const me = result.value;
  const inForce = me.grants.filter((grant) => grant.state === "active");
  const earlier = me.grants.filter((grant) => grant.state !== "active");
  const pending = me.requests.filter((request) => request.status === "pending");
  const canAsk = me.eligibleGroups.length > 0;

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>My access</h1>
          <p className="subtle">
            {me.name} · <span className="mono">{me.email}</span> · {EMPLOYER_LABELS[me.employer]} {me.employmentType}
          </p>
        </div>
      </div>

      <section className="card" aria-labelledby="now-heading">
        <h2 id="now-heading" className="card-title">
          What you can do now
        </h2>
        <p>
          <span className={CAPABILITY_BADGES[me.capability.tone]}>{me.capability.summary}</span>
          {me.capability.expiry ? <> · {me.capability.expiry}</> : null}
        </p>
        {canAsk ? (
          <p>
            <Link className="button" href="/access/request">
              Ask for access
            </Link>
          </p>
        ) : (
          <p className="notice notice--warn">The access rules allow you no telemetry group: an admin can tell you why.</p>
        )}
        {me.isApprover ? (
          <p>
            You decide access requests.{" "}
            <Link href="/access/requests">
              {me.pendingForMe === 0 ? "None waits for you" : `${me.pendingForMe} ${me.pendingForMe === 1 ? "request waits" : "requests wait"} for you`}
            </Link>
            .
          </p>
        ) : null}
        <p className="subtle">
          In an emergency, a group&apos;s on-call people take <Link href="/access/break-glass">break-glass access</Link>; auditors and admins review
          every use there.
        </p>
      </section>

      <section className="card" aria-labelledby="grants-heading">
        <h2 id="grants-heading" className="card-title">
          Grants in force
        </h2>
        {inForce.length === 0 ? <p className="subtle">None.</p> : null}
        <ul className="grant-list">
          {inForce.map((grant) => (
            <MyGrant key={grant.id} grant={grant} canExtend={grant.access.kind === "telemetry" || grant.access.kind === "group"} />
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="requests-heading">
        <h2 id="requests-heading" className="card-title">
          My requests
        </h2>
        {me.requests.length === 0 ? <p className="subtle">You have not asked for anything yet.</p> : null}
        <ul className="request-list">
          {me.requests.map((request) => (
            <li key={request.id}>
              <RequestSummary request={request} showRequester={false} />
              {pending.includes(request) ? <CancelRequestForm action={cancelAccessRequestAction} requestId={request.id} /> : null}
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading" className="card-title">
          Earlier grants
        </h2>
        {earlier.length === 0 ? <p className="subtle">None: nothing you held has expired or been revoked.</p> : null}
        <ul className="grant-list">
          {earlier.map((grant) => (
            <MyGrant key={grant.id} grant={grant} canExtend={false} />
          ))}
        </ul>
      </section>
    </div>
  );
}

function MyGrant({ grant, canExtend }: { grant: GrantDto; canExtend: boolean }) {
  return (
    <li className="grant-item">
      <div className="grant-head">
        <strong>{grant.access.label}</strong> <span className={GRANT_STATE_BADGES[grant.state]}>{GRANT_STATE_LABELS[grant.state]}</span>
      </div>
      <dl className="props">
        <dt>Granted</dt>
        <dd>
          {formatDateTime(grant.grantedAt)} by {grant.grantedBy ? grant.grantedBy.name : "the bootstrap command or seed"}
        </dd>
        <dt>{grant.state === "expired" ? "Expired" : "Expires"}</dt>
        <dd>{formatDateTime(grant.expiresAt)}</dd>
        <dt>Justification</dt>
        <dd className="prewrap">{grant.justification}</dd>
        {grant.revokedAt ? (
          <>
            <dt>Revoked</dt>
            <dd>
              {formatDateTime(grant.revokedAt)}
              {grant.revokedBy ? ` by ${grant.revokedBy.name}` : ""}: {grant.revokeReason}
            </dd>
          </>
        ) : null}
      </dl>
      {canExtend ? (
        <p>
          <Link href={`/access/request?grant=${grant.id}`} aria-label={`Ask to extend ${grant.access.label} (until ${formatDate(grant.expiresAt)})`}>
            Ask to extend
          </Link>
        </p>
      ) : null}
    </li>
  );
}
