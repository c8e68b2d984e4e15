import type { Metadata } from "next";
import Link from "next/link";
import { RequestAccessForm } from "@/components/access/request-access-form";
import { formatDate } from "@/components/admin/format";
import { ErrorState } from "@/components/error-state";
import { getMyAccess } from "@/server/data/access/get-my-access";
import { loadForPage } from "@/server/http/page-guard";
import { createAccessRequestAction } from "../actions";

export const metadata: Metadata = { title: "Ask for access" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function RequestAccessPage({ searchParams }: { searchParams: SearchParams }) {
  const { grant: grantParam } = await searchParams;
  const result = await loadForPage("/access/request", () => getMyAccess());
  if (!result.ok) return <ErrorState error={result.error} />;
  const me = result.value;
  const grant = typeof grantParam === "string" ? me.grants.find((candidate) => candidate.id === grantParam && candidate.state === "active") : undefined;
  const heldGroups = new Set(me.grants.filter((candidate) => candidate.state === "active" && candidate.access.kind === "telemetry").map((candidate) => ("groupKey" in candidate.access ? candidate.access.groupKey : null)));
  const groups = me.eligibleGroups.filter((group) => !heldGroups.has(group.key));
  const extensionGroup = grant && "groupKey" in grant.access ? me.eligibleGroups.find((group) => group.key === (grant.access as { groupKey: string }).groupKey) : undefined;

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            <Link href="/access">My access</Link> /
          </p>
          <h1>{grant ? "Ask for an extension" : "Ask for access"}</h1>
          <p className="subtle">
            Your request goes to the group&apos;s approvers (its named approvers and the admins). Nobody approves their own request; requests from
            Microsoft or OpenAI personnel, and for groups whose scope includes content, need two distinct approvers. Approvals happen only in this
            portal.
          </p>
        </div>
      </div>
      {typeof grantParam === "string" && !grant ? (
        <p className="notice notice--warn" role="status">
          That grant is not one of yours in force: ask for access again instead.
        </p>
      ) : null}
      <section className="card" aria-labelledby="form-heading">
        <h2 id="form-heading" className="card-title">
          {grant ? `Extend ${grant.access.label} (until ${formatDate(grant.expiresAt)})` : "Telemetry access"}
        </h2>
        {grant && extensionGroup?.approvalsReason ? <p className="subtle">{extensionGroup.approvalsReason}</p> : null}
        {!grant && groups.length === 0 ? (
          <p className="subtle">
            {me.eligibleGroups.length === 0
              ? "The access rules allow you no telemetry group."
              : "You already hold telemetry access to every group you may ask for: ask to extend a grant from My access instead."}
          </p>
        ) : (
          <RequestAccessForm
            action={createAccessRequestAction}
            grant={grant ? { id: grant.id, label: grant.access.label, expiresAt: grant.expiresAt } : undefined}
            groups={groups}
            durationPresets={me.durationPresets}
            maxGrantDays={me.maxGrantDays}
          />
        )}
      </section>
    </div>
  );
}
