import type { Metadata } from "next";
import Link from "next/link";
import { unsafeListAccessContacts } from "@/server/data/unsafe-list-access-contacts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "No access" };

const REASONS: Record<string, string> = {
  "not-listed": "Your account is not on the Telemetry Portal's access list.",
  disabled: "Your entry on the access list has been disabled.",
  "no-active-grant": "None of your grants is in force: they have expired or been revoked.",
  "identity-mismatch": "You signed in with an identity other than the one bound to your access-list entry.",
  "unverified-email": "Your identity provider did not confirm a verified email address.",
};

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function NoAccessPage({ searchParams }: { searchParams: SearchParams }) {
  const { reason } = await searchParams;
  const explanation = (typeof reason === "string" && REASONS[reason]) || "You do not have access to the Telemetry Portal.";
  const contacts = await unsafeListAccessContacts();
  return (
    <main id="main" className="page page--narrow" style={{ paddingTop: "8vh" }}>
      <div className="card stack">
        <h1>You have no access</h1>
        <p>{explanation}</p>
        <p>
          Copilot telemetry may only be seen by named GitHub personnel on the Copilot or platform health teams, select Microsoft personnel
          working with the Copilot team, and select OpenAI employees who work on Copilot. Access is granted by the portal&apos;s
          administrators, with a written justification and an expiry date.
        </p>
        <h2>Whom to ask</h2>
        {contacts.length > 0 ? (
          <ul>
            {contacts.map((contact) => (
              <li key={contact.email}>
                {contact.name} — <a href={`mailto:${contact.email}`}>{contact.email}</a>
              </li>
            ))}
          </ul>
        ) : (
          <p>No administrator is on the list yet: an operator must run <code>npm run access:bootstrap-admin</code>.</p>
        )}
        {reason === "no-active-grant" ? (
          <p>
            <Link className="button" href="/access">
              Ask for access
            </Link>{" "}
            <span className="subtle">You can ask for telemetry access, or an extension, in the portal; approvers decide there.</span>
          </p>
        ) : null}
        <p className="subtle">Refused attempts are recorded in the audit trail.</p>
        <p>
          <Link href="/signin?prompt=login">Sign in with another account</Link>
        </p>
      </div>
    </main>
  );
}
