import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { DoneNotice } from "@/components/admin/done-notice";
import { ExtendGrantForm } from "@/components/admin/extend-grant-form";
import { CAPABILITY_BADGES, employmentLabel, formatDate, formatDateTime, GRANT_STATE_BADGES, GRANT_STATE_LABELS } from "@/components/admin/format";
import { GrantForm } from "@/components/admin/grant-form";
import { ManagerForm } from "@/components/admin/manager-form";
import { PersonDetailsForm } from "@/components/admin/person-details-form";
import { ReasonForm } from "@/components/admin/reason-form";
import { getPerson } from "@/server/data/admin/get-person";
import type { GrantDto, PersonDetailDto } from "@/server/data/admin/types";
import { loadForPage } from "@/server/http/page-guard";
import { disablePersonAction, enablePersonAction, extendGrantAction, grantAccessAction, revokeGrantAction, setPersonManagerAction, updatePersonAction } from "./actions";

export const metadata: Metadata = { title: "Person" };

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function PersonPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const query = await searchParams;
  const result = await loadForPage(`/admin/people/${encodeURIComponent(id)}`, () => getPerson({ personId: id }));
  if (!result.ok) {
    return (
      <>
        <ErrorState error={result.error} />
        <p>
          <Link href="/admin/people">Back to the access list</Link>
        </p>
      </>
    );
  }
  const person = result.value;
  const active = person.grants.filter((grant) => grant.state === "active");
  const history = person.grants.filter((grant) => grant.state !== "active");
  const canChange = !person.options.isSelf;
  // What may still be granted: allowed by the rules and not already in force (the server checks both again).
  const grantable = person.options.allowedAccess.filter((access) => !active.some((grant) => grant.access.code === access.code));
  // Forms are remounted whenever the grants change, so no notice or refusal of theirs outlives the state it spoke of.
  const stateKey = person.grants.map((grant) => `${grant.id}:${grant.state}:${grant.expiresAt}`).join("|") + `|${person.personStatus}`;

  return (
    <>
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            <Link href="/admin/people">Access list</Link> /
          </p>
          <h1>{person.name}</h1>
          <p className="subtle">
            <span className="mono">{person.email}</span> · {employmentLabel(person.employer, person.employmentType)} ·{" "}
            <span className={CAPABILITY_BADGES[person.capability.tone]}>{person.capability.summary}</span>
            {person.capability.expiry ? ` · ${person.capability.expiry}` : null}
          </p>
        </div>
      </div>

      <PersonNotice params={query} person={person} />
      {person.options.isSelf ? (
        <p className="notice notice--warn">This is you. Another admin must change your access (separation of duties).</p>
      ) : null}
      {person.personStatus === "disabled" ? (
        <p className="notice notice--error">
          Disabled on {person.disabledAt ? formatDateTime(person.disabledAt) : "—"}: {person.disabledReason}
        </p>
      ) : null}

      <section className="card" aria-labelledby="grants-heading">
        <h2 id="grants-heading" className="card-title">
          Grants in force
        </h2>
        {active.length === 0 ? <p className="subtle">No grant in force: {person.name} sees nothing in the portal.</p> : null}
        <ul className="grant-list">
          {active.map((grant) => (
            <GrantItem key={`${grant.id}:${stateKey}`} grant={grant} person={person} canChange={canChange} />
          ))}
        </ul>
      </section>

      {canChange && person.personStatus === "active" ? (
        <section className="card" aria-labelledby="grant-heading">
          <h2 id="grant-heading" className="card-title">
            Grant access
          </h2>
          {person.options.allowedAccess.length === 0 ? (
            <p className="notice notice--warn">The seed&apos;s rules allow this person no group or role.</p>
          ) : grantable.length === 0 ? (
            <p className="subtle">
              {person.name} holds every group and role the seed&apos;s rules allow. Extend a grant above to keep it longer.
            </p>
          ) : (
            <GrantForm
              key={stateKey}
              action={grantAccessAction}
              personId={person.id}
              allowedAccess={grantable}
              maxGrantDays={person.options.maxGrantDays}
              durationPresets={person.options.durationPresets}
              earliestExpiryDate={person.options.earliestExpiryDate}
              latestExpiryDate={person.options.latestExpiryDate}
            />
          )}
        </section>
      ) : null}

      <div className="admin-columns">
        <section className="card" aria-labelledby="details-heading">
          <h2 id="details-heading" className="card-title">
            Details
          </h2>
          {canChange ? (
            <PersonDetailsForm
              action={updatePersonAction}
              personId={person.id}
              current={{ name: person.name, email: person.email, employer: person.employer, employmentType: person.employmentType }}
            />
          ) : null}
          <dl className="props">
            <dt>On the list since</dt>
            <dd>{formatDateTime(person.createdAt)}</dd>
            <dt>Last changed</dt>
            <dd>{formatDateTime(person.updatedAt)}</dd>
            <dt>First sign-in</dt>
            <dd>{person.boundAt ? formatDateTime(person.boundAt) : "Never signed in"}</dd>
            <dt>Open sessions</dt>
            <dd>{person.activeSessions}</dd>
            <dt>Manager</dt>
            <dd>{person.manager ? `${person.manager.name} (${person.manager.email})` : "None recorded"}</dd>
          </dl>
          {canChange ? <ManagerForm action={setPersonManagerAction} personId={person.id} managerEmail={person.manager?.email ?? ""} /> : null}
        </section>

        {canChange ? (
          <section className="card" aria-labelledby="status-heading">
            <h2 id="status-heading" className="card-title">
              {person.personStatus === "active" ? "Disable" : "Re-enable"}
            </h2>
            {person.personStatus === "active" ? (
              <>
                <p className="subtle">
                  Disabling ends {person.name}&apos;s sessions at once and refuses every request until re-enabled. Their grants and history stay.
                </p>
                {person.options.isLastActiveAdmin ? (
                  <p className="notice notice--warn">{person.name} is the last active admin and cannot be disabled.</p>
                ) : (
                  <ReasonForm
                    action={disablePersonAction}
                    idName="personId"
                    idValue={person.id}
                    label={`Disable ${person.name}`}
                    reasonLabel="Reason for disabling"
                    submitLabel="Disable person"
                    pendingLabel="Disabling…"
                  />
                )}
              </>
            ) : (
              <ReasonForm
                action={enablePersonAction}
                idName="personId"
                idValue={person.id}
                label={`Re-enable ${person.name}`}
                reasonLabel="Reason for re-enabling"
                submitLabel="Re-enable person"
                pendingLabel="Re-enabling…"
                danger={false}
              />
            )}
          </section>
        ) : null}
      </div>

      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading" className="card-title">
          Earlier grants
        </h2>
        {history.length === 0 ? <p className="subtle">None: every grant {person.name} ever held is in force.</p> : null}
        <ul className="grant-list">
          {history.map((grant) => (
            <GrantItem key={grant.id} grant={grant} person={person} canChange={false} />
          ))}
        </ul>
      </section>
    </>
  );
}

/**
 * The notice after a change that redirected here (?done=…&grant=…), drawn from
 * the state as it is now: "Granted … until …" only while that grant is in
 * force, "Grant revoked" only while it is revoked — never a leftover.
 */
function PersonNotice({ params, person }: { params: Record<string, string | string[] | undefined>; person: PersonDetailDto }) {
  const done = typeof params.done === "string" ? params.done : null;
  const grant = typeof params.grant === "string" ? person.grants.find((candidate) => candidate.id === params.grant) : undefined;
  if (done === "granted" || done === "extended") {
    if (!grant || grant.state !== "active") return null;
    return (
      <p className="notice notice--ok" role="status">
        {done === "granted" ? "Granted" : "Extended"} {grant.access.label} until {formatDate(grant.expiresAt)}.
      </p>
    );
  }
  if (done === "revoked" && !person.grants.some((candidate) => candidate.state === "revoked")) return null;
  if (done === "disabled" && person.personStatus !== "disabled") return null;
  if (done === "enabled" && person.personStatus !== "active") return null;
  return <DoneNotice params={params} />;
}

function GrantItem({ grant, person, canChange }: { grant: GrantDto; person: PersonDetailDto; canChange: boolean }) {
  const protectedAdmin = grant.access.code === "role:admin" && person.options.isLastActiveAdmin;
  return (
    <li className="grant-item">
      <div className="grant-head">
        <strong>{grant.access.label}</strong> <span className={GRANT_STATE_BADGES[grant.state]}>{GRANT_STATE_LABELS[grant.state]}</span>
      </div>
      <dl className="props">
        <dt>Granted</dt>
        <dd>
          {formatDateTime(grant.grantedAt)} by {grant.grantedBy ? `${grant.grantedBy.name} (${grant.grantedBy.email})` : "the bootstrap command or seed"}
        </dd>
        <dt>{grant.state === "expired" ? "Expired" : "Expires"}</dt>
        <dd>{formatDateTime(grant.expiresAt)}</dd>
        <dt>Justification</dt>
        <dd className="prewrap">{grant.justification}</dd>
        {grant.revokedAt ? (
          <>
            <dt>Revoked</dt>
            <dd>
              {formatDateTime(grant.revokedAt)} by {grant.revokedBy ? `${grant.revokedBy.name} (${grant.revokedBy.email})` : "—"}: {grant.revokeReason}
            </dd>
          </>
        ) : null}
      </dl>
      {canChange && grant.state === "active" ? (
        <div className="grant-actions">
          {person.personStatus === "active" && grant.expiresAt.slice(0, 10) < person.options.latestExpiryDate ? (
            <details>
              <summary>Extend…</summary>
              <ExtendGrantForm action={extendGrantAction} grantId={grant.id} latestExpiryDate={person.options.latestExpiryDate} label={grant.access.label} />
            </details>
          ) : null}
          {protectedAdmin ? (
            <p className="hint">The last active admin&apos;s admin role cannot be revoked.</p>
          ) : (
            <details>
              <summary>Revoke…</summary>
              <ReasonForm
                action={revokeGrantAction}
                idName="grantId"
                idValue={grant.id}
                label={`Revoke ${grant.access.label}`}
                reasonLabel="Reason for revoking"
                hint={`Ends ${person.name}'s sessions at once.`}
                submitLabel="Revoke grant"
                pendingLabel="Revoking…"
              />
            </details>
          )}
        </div>
      ) : null}
    </li>
  );
}
