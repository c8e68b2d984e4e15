// One request as a list item or a page section: who asked for what, for how
// long, why, its approvals so far and its decision.
import Link from "next/link";
import { formatDate, formatDateTime } from "@/components/admin/format";
import type { AccessRequestDto } from "@/server/data/access/types";
import { REQUEST_STATUS_BADGES, REQUEST_STATUS_LABELS } from "./format";

export function RequestSummary({ request, linked = true, showRequester = true }: { request: AccessRequestDto; linked?: boolean; showRequester?: boolean }) {
  const title = `${request.kind === "extension" ? "Extension" : "Access"}: ${request.groupLabel}, ${request.durationDays} days`;
  return (
    <>
      <div className="request-head">
        <strong>{linked ? <Link href={`/access/requests/${request.id}`}>{title}</Link> : title}</strong>
        <span className={REQUEST_STATUS_BADGES[request.status]}>{REQUEST_STATUS_LABELS[request.status]}</span>
      </div>
      <dl className="props">
        {showRequester ? (
          <>
            <dt>Requested by</dt>
            <dd>
              {request.requester.name} ({request.requester.email})
            </dd>
          </>
        ) : null}
        <dt>Asked</dt>
        <dd>{formatDateTime(request.createdAt)}</dd>
        <dt>Approvals</dt>
        <dd>
          {request.approvals.length} of {request.approvalsRequired}
          {request.approvals.length > 0 ? `: ${request.approvals.map((approval) => approval.approver.name).join(", ")}` : ""}
          {request.approvalsReason ? <span className="hint">{request.approvalsReason}</span> : null}
        </dd>
        {request.status === "pending" ? (
          <>
            <dt>Lapses</dt>
            <dd>{formatDate(request.lapsesAt)} if nobody decides it</dd>
          </>
        ) : (
          <>
            <dt>Decided</dt>
            <dd>
              {request.decidedAt ? formatDateTime(request.decidedAt) : "—"}
              {request.decidedBy ? ` by ${request.decidedBy.name}` : request.status === "expired" ? " (nobody answered)" : ""}
            </dd>
          </>
        )}
        {request.decisionReason && request.status === "denied" ? (
          <>
            <dt>Reason</dt>
            <dd className="prewrap">{request.decisionReason}</dd>
          </>
        ) : null}
        {request.grant && request.status === "approved" ? (
          <>
            <dt>Grant</dt>
            <dd>
              {request.grant.state === "active" ? "In force" : request.grant.state === "expired" ? "Expired" : "Revoked"}, until {formatDate(request.grant.expiresAt)}
            </dd>
          </>
        ) : null}
      </dl>
    </>
  );
}
