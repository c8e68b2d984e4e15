import type { Metadata } from "next";
import Link from "next/link";
import { ReviewDecisionForm } from "@/components/access/review-forms";
import { formatDate, formatDateTime, GRANT_STATE_BADGES, GRANT_STATE_LABELS } from "@/components/admin/format";
import { ReasonForm } from "@/components/admin/reason-form";
import { ErrorState } from "@/components/error-state";
import type { ReviewCampaignDto, ReviewItemDto, ReviewOutcome } from "@/server/data/access/reviews/types";
import { getReviewCampaign } from "@/server/data/access/reviews/get-review-campaign";
import { loadForPage } from "@/server/http/page-guard";
import { closeReviewCampaignAction, decideReviewItemAction } from "../actions";

export const metadata: Metadata = { title: "Access review" };

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const OUTCOME_TEXT: Record<ReviewOutcome, [string, string]> = {
  kept: ["Kept", "badge badge--ok"],
  revoked: ["Revoked", "badge badge--danger"],
  revoked_unreviewed: ["Not reviewed: revoked", "badge badge--danger"],
  flagged_unreviewed: ["Not reviewed: flagged", "badge badge--warn"],
  ended_before_review: ["Ended before review", "badge"],
};

/** A notice after a change, shown only while the campaign is in the state it announces. */
function DoneNotice({ done, campaign }: { done: string | null; campaign: ReviewCampaignDto }) {
  const texts: Record<string, [boolean, string]> = {
    started: [campaign.status === "open", "Review started: the group's reviewers were told."],
    kept: [true, "Decision recorded: the grant is kept."],
    revoked: [true, "Decision recorded: the grant is revoked and its holder's sessions ended."],
    closed: [campaign.status === "closed", "Review closed: the grants nobody reviewed got the consequence."],
  };
  const entry = done ? texts[done] : undefined;
  if (!entry || !entry[0]) return null;
  return (
    <p className="notice notice--ok" role="status">
      {entry[1]}
    </p>
  );
}

function Usage({ item, unusedDays }: { item: ReviewItemDto; unusedDays: number }) {
  return (
    <>
      {item.usage.lastAccessAt ? formatDateTime(item.usage.lastAccessAt) : "none"}
      {item.usage.isUnused ? (
        <>
          {" "}
          <span className="badge badge--warn">Unused for {unusedDays} days</span>
        </>
      ) : null}
    </>
  );
}

function Decision({ item }: { item: ReviewItemDto }) {
  if (item.outcome || item.decision) {
    const [text, badge] = item.outcome ? OUTCOME_TEXT[item.outcome] : item.decision === "keep" ? OUTCOME_TEXT.kept : OUTCOME_TEXT.revoked;
    return (
      <>
        <span className={badge}>{text}</span>
        {item.decidedBy ? (
          <span className="hint">
            {" "}
            by {item.decidedBy.name}, {formatDateTime(item.decidedAt ?? "")}
          </span>
        ) : null}
        {item.reason ? <span className="hint prewrap"> — “{item.reason}”</span> : null}
      </>
    );
  }
  return <span className="subtle">{item.note ?? "Not reviewed yet"}</span>;
}

export default async function AccessReviewPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const query = await searchParams;
  const result = await loadForPage(`/access/reviews/${encodeURIComponent(id)}`, () => getReviewCampaign({ campaignId: id }));
  if (!result.ok) {
    return (
      <div className="stack">
        <ErrorState error={result.error} />
        <p>
          <Link href="/access/reviews">Back to the access reviews</Link>
        </p>
      </div>
    );
  }
  const { campaign, items, canClose, unusedDays, isReviewer } = result.value;
  const done = typeof query.done === "string" ? query.done : null;
  const { progress } = campaign;
  const reportBase = `/api/v1/access/reviews/${campaign.id}/report`;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            <Link href="/access/reviews">Access reviews</Link> /
          </p>
          <h1>Access review: {campaign.groupLabel}</h1>
          <p className="subtle">
            {campaign.status === "open" ? `Open until ${formatDateTime(campaign.closesAt)}.` : `Closed ${formatDateTime(campaign.closedAt ?? campaign.closesAt)}${campaign.closedBy ? ` by ${campaign.closedBy.name}` : ""}.`} Usage counted from{" "}
            {formatDate(campaign.periodStart)} to {formatDate(campaign.periodEnd)}.
          </p>
        </div>
      </div>
      <DoneNotice done={done} campaign={campaign} />

      <section className="card" aria-labelledby="summary-heading">
        <h2 id="summary-heading" className="card-title">
          Progress
        </h2>
        <p>
          <progress max={Math.max(progress.total, 1)} value={progress.decided} aria-label="Grants reviewed" /> {progress.decided} of {progress.total} reviewed ({progress.kept} kept,{" "}
          {progress.revoked} revoked, {progress.left} {campaign.status === "open" ? "left" : "not reviewed"}).
        </p>
        <dl className="props">
          <dt>When it ends</dt>
          <dd>Grants nobody reviewed are {campaign.consequence === "revoke" ? "revoked, as an admin revokes them" : "flagged for an admin"}.</dd>
          <dt>Opened</dt>
          <dd>
            {formatDateTime(campaign.openedAt)} {campaign.openedBy ? `by ${campaign.openedBy.name}` : "on the group's cadence"}: {campaign.reason}
          </dd>
          <dt>Reminders sent</dt>
          <dd>{campaign.remindersSent}</dd>
          <dt>Report</dt>
          <dd>
            <a href={`${reportBase}?format=csv`} download>
              Download CSV
            </a>{" "}
            ·{" "}
            <a href={`${reportBase}?format=json`} download>
              Download JSON
            </a>{" "}
            <span className="hint">(each download is audited with its SHA-256)</span>
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="grants-heading">
        <h2 id="grants-heading" className="card-title">
          Grants ({items.length})
        </h2>
        {!isReviewer ? <p className="subtle">You read this review as an auditor: its reviewers decide.</p> : null}
        {items.length === 0 ? (
          <p className="empty">The group had no grant in force when this review opened.</p>
        ) : (
          <div className="table-wrap">
            <table className="data admin-table admin-table--stacked">
              <thead>
                <tr>
                  <th scope="col">Holder</th>
                  <th scope="col">Grant</th>
                  <th scope="col">Last access</th>
                  <th scope="col">Reads</th>
                  <th scope="col">Reveals</th>
                  <th scope="col">Exports</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.id} data-holder={item.holder.email}>
                    <td data-label="Holder">
                      {item.holder.name}
                      <br />
                      <span className="mono hint">{item.holder.email}</span>
                    </td>
                    <td data-label="Grant">
                      <span className={GRANT_STATE_BADGES[item.grant.state]}>{GRANT_STATE_LABELS[item.grant.state]}</span> until {formatDate(item.grant.expiresAt)}
                    </td>
                    <td data-label="Last access">
                      <Usage item={item} unusedDays={unusedDays} />
                    </td>
                    <td data-label="Reads">{item.usage.reads}</td>
                    <td data-label="Reveals">{item.usage.reveals}</td>
                    <td data-label="Exports">{item.usage.exports}</td>
                    <td data-label="Decision" className="wrap">
                      {item.canDecide ? <ReviewDecisionForm action={decideReviewItemAction} itemId={item.id} holderName={item.holder.name} /> : <Decision item={item} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {canClose ? (
        <section className="card" aria-labelledby="close-heading">
          <h2 id="close-heading" className="card-title">
            End this review now
          </h2>
          <p className="subtle">
            {progress.left > 0
              ? `${progress.left} grant${progress.left === 1 ? " is" : "s are"} not reviewed yet: ending now ${campaign.consequence === "revoke" ? "revokes" : "flags"} ${progress.left === 1 ? "it" : "them"} at once.`
              : "Every grant is reviewed."}
          </p>
          <ReasonForm
            action={closeReviewCampaignAction}
            idName="campaignId"
            idValue={campaign.id}
            label="End this review now"
            reasonLabel="Reason for ending it early"
            submitLabel="End review now"
            pendingLabel="Ending…"
          />
        </section>
      ) : null}
    </div>
  );
}
