import type { Metadata } from "next";
import Link from "next/link";
import { ApproveForm, CancelRequestForm } from "@/components/access/decision-forms";
import { RequestSummary } from "@/components/access/request-summary";
import { formatDateTime } from "@/components/admin/format";
import { ReasonForm } from "@/components/admin/reason-form";
import { ErrorState } from "@/components/error-state";
import { getAccessRequest } from "@/server/data/access/get-access-request";
import type { AccessRequestDto } from "@/server/data/access/types";
import { loadForPage } from "@/server/http/page-guard";
import { cancelAccessRequestAction } from "../../actions";
import { approveAccessRequestAction, denyAccessRequestAction } from "./actions";

export const metadata: Metadata = { title: "Access request" };

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** A notice after a change, shown only while the request is in the state it announces. */
function DoneNotice({ done, request }: { done: string | null; request: AccessRequestDto }) {
  const texts: Record<string, [boolean, string]> = {
    requested: [request.status === "pending", "Request sent to the group's approvers. You will see their decision here."],
    "approval-recorded": [request.status === "pending", "Approval recorded: the request waits for another, distinct approver."],
    approved: [request.status === "approved", "Approved: the grant is in force."],
    denied: [request.status === "denied", "Denied. The requester sees your reason."],
    cancelled: [request.status === "cancelled", "Request cancelled."],
  };
  const entry = done ? texts[done] : undefined;
  if (!entry || !entry[0]) return null;
  return (
    <p className="notice notice--ok" role="status">
      {entry[1]}
    </p>
  );
}

export default async function AccessRequestPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const query = await searchParams;
  const result = await loadForPage(`/access/requests/${encodeURIComponent(id)}`, () => getAccessRequest({ requestId: id }));
  if (!result.ok) {
    return (
      <>
        <ErrorState error={result.error} />
        <p>
          <Link href="/access/requests">Back to the requests</Link>
        </p>
      </>
    );
  }
  const { request, actions, needsFreshSignIn, freshnessMinutes } = result.value;
  const done = typeof query.done === "string" ? query.done : null;
  const last = request.approvals.length + 1 >= request.approvalsRequired;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            <Link href="/access/requests">Access requests</Link> /
          </p>
          <h1>
            {request.kind === "extension" ? "Extension" : "Access"} request: {request.groupLabel}
          </h1>
        </div>
      </div>
      <DoneNotice done={done} request={request} />

      <section className="card" aria-labelledby="request-heading">
        <h2 id="request-heading" className="card-title">
          The request
        </h2>
        <RequestSummary request={request} linked={false} />
        <dl className="props">
          <dt>Justification</dt>
          <dd className="prewrap">{request.justification}</dd>
          <dt>Ticket</dt>
          <dd>{request.ticketRef ?? "—"}</dd>
        </dl>
      </section>

      {request.approvals.length > 0 ? (
        <section className="card" aria-labelledby="approvals-heading">
          <h2 id="approvals-heading" className="card-title">
            Approvals
          </h2>
          <ul>
            {request.approvals.map((approval) => (
              <li key={approval.approver.id}>
                {approval.approver.name} ({approval.approver.email}), {formatDateTime(approval.approvedAt)}
                {approval.comment ? `: ${approval.comment}` : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {actions.note ? <p className="notice notice--warn">{actions.note}</p> : null}

      {actions.canApprove || actions.canDeny ? (
        <section className="card" aria-labelledby="decide-heading">
          <h2 id="decide-heading" className="card-title">
            Decide
          </h2>
          {needsFreshSignIn ? (
            <p className="notice notice--warn">
              Deciding needs a sign-in from the last {freshnessMinutes} minutes: you will be asked to sign in again first.
            </p>
          ) : null}
          <div className="admin-columns">
            {actions.canApprove ? (
              <div>
                <p className="subtle">
                  {last
                    ? `Your approval completes it: ${request.requester.name} gets telemetry access to ${request.groupLabel} for ${request.durationDays} days at once.`
                    : `It needs ${request.approvalsRequired} distinct approvers; yours will be approval ${request.approvals.length + 1}.`}
                </p>
                <ApproveForm action={approveAccessRequestAction} requestId={request.id} last={last} />
              </div>
            ) : null}
            {actions.canDeny ? (
              <ReasonForm
                action={denyAccessRequestAction}
                idName="requestId"
                idValue={request.id}
                label="Deny this request"
                reasonLabel="Reason for denying"
                hint="The requester sees it."
                submitLabel="Deny request"
                pendingLabel="Denying…"
              />
            ) : null}
          </div>
        </section>
      ) : null}

      {actions.canCancel ? (
        <section className="card" aria-labelledby="cancel-heading">
          <h2 id="cancel-heading" className="card-title">
            Withdraw
          </h2>
          <CancelRequestForm action={cancelAccessRequestAction} requestId={request.id} />
        </section>
      ) : null}
    </div>
  );
}
