// A list of break-glass accesses with their state and review state. Renders only.
import Link from "next/link";
import { formatDateTime } from "@/components/admin/format";
import type { BreakGlassDto } from "@/server/data/access/break-glass/rules";

const STATE_BADGES = { active: "badge badge--danger", ended: "badge", expired: "badge" } as const;
const STATE_LABELS = { active: "In force", ended: "Ended early", expired: "Expired" } as const;

export function BreakGlassReviewBadge({ access }: { access: BreakGlassDto }) {
  if (access.review) {
    return <span className={access.review.outcome === "appropriate" ? "badge badge--ok" : "badge badge--danger"}>Reviewed: {access.review.outcome}</span>;
  }
  return <span className="badge badge--warn">{access.state === "active" ? "Review after it ends" : "Awaiting post-review"}</span>;
}

export function BreakGlassTable({ items, caption, showHolder }: { items: readonly BreakGlassDto[]; caption: string; showHolder: boolean }) {
  if (items.length === 0) return <p className="subtle">None.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            {showHolder ? <th scope="col">Holder</th> : null}
            <th scope="col">Group</th>
            <th scope="col">State</th>
            <th scope="col">Post-review</th>
          </tr>
        </thead>
        <tbody>
          {items.map((access) => (
            <tr key={access.id}>
              <td>
                <Link href={`/access/break-glass/${access.id}`}>{formatDateTime(access.startedAt)}</Link>
              </td>
              {showHolder ? (
                <td>
                  {access.holder.name} <span className="subtle">({access.holder.email})</span>
                </td>
              ) : null}
              <td>{access.groupLabel}</td>
              <td>
                <span className={STATE_BADGES[access.state]}>{STATE_LABELS[access.state]}</span>
              </td>
              <td>
                <BreakGlassReviewBadge access={access} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export { STATE_LABELS as BREAK_GLASS_STATE_LABELS };
