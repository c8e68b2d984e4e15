import type { Metadata } from "next";
import Link from "next/link";
import { TakeBreakGlassForm } from "@/components/access/break-glass-forms";
import { BreakGlassTable } from "@/components/access/break-glass-table";
import { ErrorState } from "@/components/error-state";
import { listBreakGlass } from "@/server/data/access/break-glass/list-break-glass";
import { loadForPage } from "@/server/http/page-guard";
import { takeBreakGlassAction } from "./actions";

export const metadata: Metadata = { title: "Break-glass access" };

export default async function BreakGlassPage() {
  const result = await loadForPage("/access/break-glass", () => listBreakGlass());
  if (!result.ok) return <ErrorState error={result.error} />;
  const page = result.value;
  const unreviewed = page.all?.filter((access) => access.review === null && access.state !== "active").length ?? 0;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            <Link href="/access">My access</Link> /
          </p>
          <h1>Break-glass access</h1>
          <p className="subtle">
            In an emergency, a group&apos;s named on-call people may take its telemetry access at once, for at most {page.maxMinutes} minutes, with a
            reason. Every admin and auditor is alerted immediately, every audit row made under it is marked, and an auditor or admin other than the
            holder reviews it afterwards: until then its holder cannot use break-glass again.
          </p>
        </div>
      </div>

      <section className="card" aria-labelledby="take-heading">
        <h2 id="take-heading" className="card-title">
          Take emergency access
        </h2>
        {page.blocked ? (
          <p className="notice notice--warn" role="status">
            {page.blocked}
          </p>
        ) : page.onCallGroups.length === 0 ? (
          <p className="subtle">You are not named on call for any group. Admins name each group&apos;s on-call people; ask for access instead.</p>
        ) : (
          <TakeBreakGlassForm action={takeBreakGlassAction} groups={page.onCallGroups} maxMinutes={page.maxMinutes} />
        )}
      </section>

      <section className="card" aria-labelledby="mine-heading">
        <h2 id="mine-heading" className="card-title">
          Your break-glass uses
        </h2>
        <BreakGlassTable items={page.mine} caption="Your break-glass uses" showHolder={false} />
      </section>

      {page.all ? (
        <section className="card" aria-labelledby="all-heading">
          <h2 id="all-heading" className="card-title">
            Every break-glass use {unreviewed > 0 ? <span className="badge badge--warn">{unreviewed} awaiting post-review</span> : null}
          </h2>
          <p className="subtle">
            Unreviewed first. Open one to review it (not your own) and to see the audit rows made under it.
          </p>
          <BreakGlassTable items={page.all} caption="Every break-glass use" showHolder />
        </section>
      ) : null}
    </div>
  );
}
