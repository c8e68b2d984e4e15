import type { Metadata } from "next";
import { ErrorState } from "@/components/error-state";
import { formatDateTime } from "@/components/admin/format";
import { GroupApproversForm } from "@/components/admin/group-approvers-form";
import { GroupScopeForm } from "@/components/admin/group-scope-form";
import { listGroups } from "@/server/data/admin/list-groups";
import { loadForPage } from "@/server/http/page-guard";
import { updateGroupApproversAction, updateGroupScopeAction } from "./actions";

export const metadata: Metadata = { title: "Group scopes" };

export default async function GroupsPage() {
  const result = await loadForPage("/admin/groups", () => listGroups());
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Group scopes</h1>
          <p className="subtle">
            What each group&apos;s members may see: the event kinds and, for those kinds, the field classes. Members also need the viewer role. A
            change applies from their next request.
          </p>
        </div>
      </div>
      {!result.ok ? (
        <ErrorState error={result.error} />
      ) : (
        result.value.map((group) => (
          <section key={group.key} className="card" aria-labelledby={`group-${group.key}`}>
            <h2 id={`group-${group.key}`} className="card-title">
              {group.name}
            </h2>
            <p className="subtle">
              {group.description} · {group.activeMembers} {group.activeMembers === 1 ? "member" : "members"} in force · last changed{" "}
              {formatDateTime(group.updatedAt)}
            </p>
            <GroupScopeForm action={updateGroupScopeAction} groupKey={group.key} name={group.name} eventKinds={group.eventKinds} fieldClasses={group.fieldClasses} />
            <details>
              <summary>
                Access requests: {group.approverEmails.length} named {group.approverEmails.length === 1 ? "approver" : "approvers"}, {group.approvalsRequired}{" "}
                per request ({group.sensitiveApprovalsRequired} when sensitive)
              </summary>
              <GroupApproversForm
                action={updateGroupApproversAction}
                groupKey={group.key}
                name={group.name}
                approverEmails={group.approverEmails}
                approvalsRequired={group.approvalsRequired}
                sensitiveApprovalsRequired={group.sensitiveApprovalsRequired}
              />
            </details>
          </section>
        ))
      )}
    </>
  );
}
