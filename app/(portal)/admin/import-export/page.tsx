import type { Metadata } from "next";
import { ErrorState } from "@/components/error-state";
import { ImportForm } from "@/components/admin/import-form";
import { getAccessRules } from "@/server/data/admin/get-access-rules";
import { loadForPage } from "@/server/http/page-guard";
import { importAccessListAction } from "./actions";

export const metadata: Metadata = { title: "Import and export" };

export default async function ImportExportPage() {
  const result = await loadForPage("/admin/import-export", () => getAccessRules());
  if (!result.ok) return <ErrorState error={result.error} />;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Import and export</h1>
          <p className="subtle">The access list as CSV: one row per grant in force, or one row with empty grant columns for a person who holds none.</p>
        </div>
      </div>
      <div className="admin-columns">
        <section className="card" aria-labelledby="export-heading">
          <h2 id="export-heading" className="card-title">
            Export
          </h2>
          <p>
            Everyone on the list with each grant in force. The download is recorded in the audit trail with the file&apos;s SHA-256. A cell a
            spreadsheet would run as a formula (starting with =, +, - or @) is written with a leading apostrophe; import removes it again.
          </p>
          <a className="button button--secondary" href="/api/v1/admin/access-list" download>
            Download access list (CSV)
          </a>
        </section>
        <section className="card" aria-labelledby="import-heading">
          <h2 id="import-heading" className="card-title">
            Import
          </h2>
          <p>
            Adds people, brings their name, employer and employment type in line, creates grants and extends them. It never revokes, shortens or
            disables. Every row is checked against the seed&apos;s rules and the limits ({result.value.grantMaxDays} days,{" "}
            {result.value.contractorGrantMaxDays} for contractors); if any row fails, nothing is imported.
          </p>
          <ImportForm action={importAccessListAction} />
        </section>
      </div>
      <section className="card" aria-labelledby="columns-heading">
        <h2 id="columns-heading" className="card-title">
          Columns
        </h2>
        <dl className="props">
          <dt>
            <code>email</code>
          </dt>
          <dd>The person&apos;s address (the key: rows with the same email are the same person).</dd>
          <dt>
            <code>name</code>, <code>employer</code>, <code>employment_type</code>
          </dt>
          <dd>
            <code>github</code>, <code>microsoft</code> or <code>openai</code>; <code>employee</code> or <code>contractor</code>.
          </dd>
          <dt>
            <code>access</code>
          </dt>
          <dd>
            A group (<code>group:copilot_team</code>, <code>group:platform_health</code>, <code>group:microsoft_copilot</code>,{" "}
            <code>group:openai_copilot</code>) or a role (<code>role:viewer</code>, <code>role:admin</code>, <code>role:auditor</code>); empty for
            none.
          </dd>
          <dt>
            <code>expires_at</code>
          </dt>
          <dd>
            <code>YYYY-MM-DD</code> (access ends at 00:00 UTC that day) or an ISO date-time.
          </dd>
          <dt>
            <code>justification</code>
          </dt>
          <dd>Why this person needs this access (at least 10 characters).</dd>
          <dt>
            <code>status</code>, <code>granted_at</code>, <code>granted_by</code>
          </dt>
          <dd>Exported for reading; ignored on import.</dd>
        </dl>
      </section>
    </>
  );
}
