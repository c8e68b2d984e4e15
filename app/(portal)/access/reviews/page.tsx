import type { Metadata } from "next";
import Link from "next/link";
import { ReviewSettingsForm, StartReviewForm } from "@/components/access/review-forms";
import { formatDate } from "@/components/admin/format";
import { ErrorState } from "@/components/error-state";
import type { ReviewCampaignDto } from "@/server/data/access/reviews/types";
import { listReviewCampaigns } from "@/server/data/access/reviews/list-review-campaigns";
import { loadForPage } from "@/server/http/page-guard";
import { startReviewCampaignAction, updateReviewSettingsAction } from "./actions";

export const metadata: Metadata = { title: "Access reviews" };

const CONSEQUENCE_WORDS = { revoke: "revoked", flag: "flagged" } as const;

function CampaignRow({ campaign }: { campaign: ReviewCampaignDto }) {
  const { progress } = campaign;
  return (
    <tr>
      <td data-label="Group">
        <Link href={`/access/reviews/${campaign.id}`}>{campaign.groupLabel}</Link>
      </td>
      <td data-label="Status">
        {campaign.status === "open" ? <span className="badge badge--warn">Open until {formatDate(campaign.closesAt)}</span> : <span className="badge">Closed {formatDate(campaign.closedAt ?? campaign.closesAt)}</span>}
      </td>
      <td data-label="Progress">
        {progress.decided} of {progress.total} reviewed
        {progress.revoked > 0 ? `, ${progress.revoked} revoked` : ""}
      </td>
      <td data-label="Unreviewed grants">{CONSEQUENCE_WORDS[campaign.consequence]}</td>
      <td data-label="Opened">
        {formatDate(campaign.openedAt)} {campaign.openedBy ? `by ${campaign.openedBy.name}` : "(cadence)"}
      </td>
    </tr>
  );
}

export default async function AccessReviewsPage() {
  const result = await loadForPage("/access/reviews", () => listReviewCampaigns());
  if (!result.ok) {
    return (
      <div className="stack">
        <h1>Access reviews</h1>
        <ErrorState error={result.error} />
      </div>
    );
  }
  const { campaigns, isAdmin, groups, defaults, scope } = result.value;
  const open = campaigns.filter((campaign) => campaign.status === "open");
  const closed = campaigns.filter((campaign) => campaign.status === "closed");
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Access reviews</h1>
          <p className="subtle">
            {scope === "all" ? "Every group's review campaigns." : "Review campaigns of the groups you approve."} Each lists the group&apos;s grants with their use from the audit trail; reviewers keep or revoke each with a reason. When a campaign ends, the grants nobody reviewed are revoked or flagged.
          </p>
        </div>
      </div>

      {[
        { key: "open", title: "Open", rows: open, empty: "No review is open." },
        { key: "closed", title: "Closed", rows: closed, empty: "No review has closed yet." },
      ].map((section) => (
        <section key={section.key} className="card" aria-labelledby={`${section.key}-heading`}>
          <h2 id={`${section.key}-heading`} className="card-title">
            {section.title} ({section.rows.length})
          </h2>
          {section.rows.length === 0 ? (
            <p className="empty">{section.empty}</p>
          ) : (
            <div className="table-wrap">
              <table className="data admin-table admin-table--stacked">
                <thead>
                  <tr>
                    <th scope="col">Group</th>
                    <th scope="col">Status</th>
                    <th scope="col">Progress</th>
                    <th scope="col">Unreviewed grants</th>
                    <th scope="col">Opened</th>
                  </tr>
                </thead>
                <tbody>
                  {section.rows.map((campaign) => (
                    <CampaignRow key={campaign.id} campaign={campaign} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}

      {isAdmin ? (
        <>
          <section className="card" aria-labelledby="start-heading">
            <h2 id="start-heading" className="card-title">
              Start a review now
            </h2>
            <p className="subtle">
              Opens a campaign of every grant of the group in force, for {defaults.durationDays} days; reviewers are reminded every {defaults.reminderDays} days while grants are left.
            </p>
            <StartReviewForm
              action={startReviewCampaignAction}
              groups={groups.filter((group) => group.openCampaignId === null).map((group) => ({ value: group.groupKey, label: `${group.groupLabel} (${group.grantsInForce} grants)` }))}
            />
          </section>

          <section className="card" aria-labelledby="settings-heading">
            <h2 id="settings-heading" className="card-title">
              Cadence and consequence
            </h2>
            <p className="subtle">
              Defaults: a review every {defaults.cadenceDays} days (ACCESS_REVIEW_CADENCE_DAYS), unreviewed grants {CONSEQUENCE_WORDS[defaults.consequence]} (ACCESS_REVIEW_CONSEQUENCE). A change applies to campaigns opened from now on.
            </p>
            <div className="stack">
              {groups.map((group) => (
                <div key={group.groupKey}>
                  <h3>{group.groupLabel}</h3>
                  <p className="subtle">
                    Every {group.cadenceDays} days, unreviewed grants {CONSEQUENCE_WORDS[group.consequence]}.{" "}
                    {group.openCampaignId ? (
                      <Link href={`/access/reviews/${group.openCampaignId}`}>A review is open.</Link>
                    ) : group.nextDueAt ? (
                      `Next review due ${formatDate(group.nextDueAt)}.`
                    ) : (
                      "No grant to review yet."
                    )}
                  </p>
                  <ReviewSettingsForm
                    action={updateReviewSettingsAction}
                    groupKey={group.groupKey}
                    groupLabel={group.groupLabel}
                    ownCadenceDays={group.ownCadenceDays}
                    ownConsequence={group.ownConsequence}
                    defaults={defaults}
                  />
                </div>
              ))}
            </div>
          </section>
        </>
      ) : null}
    </div>
  );
}
