import type { Metadata } from "next";
import Link from "next/link";
import { EndBreakGlassForm, ReviewBreakGlassForm } from "@/components/access/break-glass-forms";
import { BREAK_GLASS_STATE_LABELS, BreakGlassReviewBadge } from "@/components/access/break-glass-table";
import { formatDateTime } from "@/components/admin/format";
import { ErrorState } from "@/components/error-state";
import { getBreakGlass } from "@/server/data/access/break-glass/get-break-glass";
import type { BreakGlassDto } from "@/server/data/access/break-glass/rules";
import { loadForPage } from "@/server/http/page-guard";
import { endBreakGlassAction, reviewBreakGlassAction } from "../actions";

export const metadata: Metadata = { title: "Break-glass access" };

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** A notice after a change, shown only while the access is in the state it announces. */
function DoneNotice({ done, access }: { done: string | null; access: BreakGlassDto }) {
  const texts: Record<string, [boolean, string]> = {
    taken: [access.state === "active", `Break-glass access is in force until ${formatDateTime(access.expiresAt)}. Every admin and auditor has been alerted.`],
    ended: [access.state === "ended", "Ended. It still needs its post-review by an auditor or admin other than its holder."],
    reviewed: [access.review !== null, "Review recorded. Its holder may use break-glass again."],
  };
  const entry = done ? texts[done] : undefined;
  if (!entry || !entry[0]) return null;
  return (
    <p className="notice notice--ok" role="status">
      {entry[1]}
    </p>
  );
}

export default async function BreakGlassDetailPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const query = await searchParams;
  const result = await loadForPage(`/access/break-glass/${encodeURIComponent(id)}`, () => getBreakGlass({ breakGlassId: id }));
  if (!result.ok) {
    return (
      <>
        <ErrorState error={result.error} />
        <p>
          <Link href="/access/break-glass">Back to break-glass</Link>
        </p>
      </>
    );
  }
  const { access, markedRows, canEnd, canReview, reviewNote } = result.value;
  const done = typeof query.done === "string" ? query.done : null;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            <Link href="/access/break-glass">Break-glass</Link> /
          </p>
          <h1>
            Break-glass: {access.holder.name}, {access.groupLabel}
          </h1>
        </div>
      </div>
      <DoneNotice done={done} access={access} />

      <section className="card" aria-labelledby="access-heading">
        <h2 id="access-heading" className="card-title">
          The access
        </h2>
        <dl className="props">
          <dt>Holder</dt>
          <dd>
            {access.holder.name} ({access.holder.email})
          </dd>
          <dt>Group</dt>
          <dd>{access.groupLabel}</dd>
          <dt>State</dt>
          <dd>
            <span className={access.state === "active" ? "badge badge--danger" : "badge"}>{BREAK_GLASS_STATE_LABELS[access.state]}</span>
          </dd>
          <dt>Started</dt>
          <dd>{formatDateTime(access.startedAt)}</dd>
          <dt>{access.state === "active" ? "Ends" : "Was to end"}</dt>
          <dd>{formatDateTime(access.expiresAt)}</dd>
          {access.endedAt ? (
            <>
              <dt>Ended early</dt>
              <dd>
                {formatDateTime(access.endedAt)}
                {access.endedBy ? ` by ${access.endedBy.name}` : ""}
              </dd>
            </>
          ) : null}
          <dt>Reason</dt>
          <dd className="prewrap">{access.reason}</dd>
          <dt>Audit rows made under it</dt>
          <dd>
            {markedRows}
            {" · "}
            <Link href={`/audit?breakGlass=${access.id}&routine=show`}>Open them in the audit trail</Link>
            <span className="hint"> (auditors)</span>
          </dd>
        </dl>
        {canEnd ? <EndBreakGlassForm action={endBreakGlassAction} breakGlassId={access.id} /> : null}
      </section>

      <section className="card" aria-labelledby="review-heading">
        <h2 id="review-heading" className="card-title">
          Post-review <BreakGlassReviewBadge access={access} />
        </h2>
        {access.review ? (
          <dl className="props">
            <dt>Outcome</dt>
            <dd>{access.review.outcome}</dd>
            <dt>Reviewed by</dt>
            <dd>
              {access.review.reviewedBy.name} on {formatDateTime(access.review.reviewedAt)}
            </dd>
            <dt>Notes</dt>
            <dd className="prewrap">{access.review.notes}</dd>
          </dl>
        ) : canReview ? (
          <ReviewBreakGlassForm action={reviewBreakGlassAction} breakGlassId={access.id} />
        ) : reviewNote ? (
          <p className="subtle">{reviewNote}</p>
        ) : null}
      </section>
    </div>
  );
}
