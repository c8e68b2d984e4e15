import type { Metadata } from "next";
import Link from "next/link";
import { OnCallForm } from "@/components/admin/on-call-form";
import { ErrorState } from "@/components/error-state";
import { listOnCall } from "@/server/data/access/break-glass/list-on-call";
import { loadForPage } from "@/server/http/page-guard";
import { updateOnCallAction } from "./actions";

export const metadata: Metadata = { title: "Break-glass on-call" };

export default async function BreakGlassOnCallPage() {
  const result = await loadForPage("/admin/break-glass", () => listOnCall());
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Break-glass on-call</h1>
          <p className="subtle">
            The people who may take emergency access to each group, at once and for a short time, with a reason. Every use alerts all admins and
            auditors and needs a post-review. <Link href="/access/break-glass">See every break-glass use</Link>.
          </p>
        </div>
      </div>
      {!result.ok ? (
        <ErrorState error={result.error} />
      ) : (
        result.value.map((group) => (
          <section key={group.key} className="card" aria-labelledby={`on-call-${group.key}-heading`}>
            <h2 id={`on-call-${group.key}-heading`} className="card-title">
              {group.label}
            </h2>
            <p className="subtle">{group.people.length === 0 ? "Nobody on call." : `${group.people.length} on call: ${group.people.map((person) => person.name).join(", ")}.`}</p>
            <OnCallForm action={updateOnCallAction} groupKey={group.key} name={group.label} emails={group.people.map((person) => person.email)} />
          </section>
        ))
      )}
    </>
  );
}
