import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { CreatePersonForm } from "@/components/admin/create-person-form";
import { EMPLOYER_LABELS, EMPLOYERS, GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { getAccessRules } from "@/server/data/admin/get-access-rules";
import { loadForPage } from "@/server/http/page-guard";
import { createPersonAction } from "../actions";

export const metadata: Metadata = { title: "Add a person" };

export default async function NewPersonPage() {
  const result = await loadForPage("/admin/people/new", () => getAccessRules());
  if (!result.ok) return <ErrorState error={result.error} />;
  const rules = result.value;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            <Link href="/admin/people">Access list</Link> /
          </p>
          <h1>Add a person</h1>
          <p className="subtle">
            Add the person with the email their company sign-in reports; then grant them a group and a role, each with a justification and an
            expiry.
          </p>
        </div>
      </div>
      <div className="admin-columns">
        <section className="card" aria-labelledby="new-person-heading">
          <h2 id="new-person-heading" className="card-title">
            Person
          </h2>
          <CreatePersonForm action={createPersonAction} />
        </section>
        <aside className="card admin-rules" aria-labelledby="rules-heading">
          <h2 id="rules-heading" className="card-title">
            Who may be on the list
          </h2>
          <ul>
            {EMPLOYERS.map((employer) => (
              <li key={employer}>
                <strong>{EMPLOYER_LABELS[employer]}</strong>: {rules.groupsByEmployer[employer].map((group) => GROUP_LABELS[group]).join(" or ")}
              </li>
            ))}
          </ul>
          <ul className="subtle">
            {rules.rules.map((rule) => (
              <li key={rule}>{rule}</li>
            ))}
            <li>
              Grants last at most {rules.grantMaxDays} days ({rules.contractorGrantMaxDays} for contractors).
            </li>
          </ul>
        </aside>
      </div>
    </>
  );
}
