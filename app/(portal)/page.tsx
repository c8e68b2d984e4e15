import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { permittedKinds, visibleFieldClasses } from "@/lib/access/policy";
import { formatDateTime } from "@/lib/format/date-time";
import { EMPLOYER_LABELS, EVENT_KIND_LABELS, FIELD_CLASS_LABELS, GROUP_LABELS, PURPOSE_LABELS } from "@/lib/telemetry/vocabulary";
import { getViewer } from "@/server/data/get-viewer";
import { loadForPage } from "@/server/http/page-guard";

export const metadata: Metadata = { title: "Your access" };


export default async function HomePage() {
  const result = await loadForPage("/", () => getViewer({ audit: true }), { withoutGrant: "/access" });
  if (!result.ok) return <ErrorState error={result.error} />;
  const viewer = result.value;
  const kinds = permittedKinds(viewer.scope);
  const classes = visibleFieldClasses(viewer.scope);

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Welcome, {viewer.name}</h1>
          <p className="subtle">
            {EMPLOYER_LABELS[viewer.employer]} {viewer.employmentType} · roles: {viewer.roles.join(", ") || "none"} · grants in force until at
            least {formatDateTime(viewer.grantExpiresAt)}
          </p>
        </div>
      </div>
      {/* auto-fill: a single card keeps a readable width instead of spanning the page */}
      <div className="grid-2" style={{ gridTemplateColumns: "repeat(auto-fill, minmax(min(100%, 22rem), 1fr))" }}>
        {kinds.length > 0 ? (
          <section className="card" aria-labelledby="browse-heading">
            <h2 id="browse-heading" style={{ marginTop: 0 }}>
              Browse telemetry
            </h2>
            <p>
              Groups: {viewer.groups.map((group) => GROUP_LABELS[group]).join(", ")}. Purpose:{" "}
              {viewer.purpose ? PURPOSE_LABELS[viewer.purpose] : <strong>not declared yet</strong>}.
            </p>
            <p className="subtle">Event kinds: {kinds.map((kind) => EVENT_KIND_LABELS[kind]).join(", ")}.</p>
            <ul className="subtle">
              {classes.map((fieldClass) => (
                <li key={fieldClass}>{FIELD_CLASS_LABELS[fieldClass]}</li>
              ))}
            </ul>
            <Link className="button" href={viewer.purpose ? "/events" : "/purpose?next=%2Fevents"}>
              {viewer.purpose ? "Open the events explorer" : "Declare a purpose to start"}
            </Link>
          </section>
        ) : null}
        {viewer.roles.includes("admin") ? (
          <section className="card" aria-labelledby="admin-heading">
            <h2 id="admin-heading" style={{ marginTop: 0 }}>
              Access list
            </h2>
            <p>Add named people, grant groups and roles with a justification and an expiry, revoke access.</p>
            <Link className="button" href="/admin/people">
              Open the access list
            </Link>
          </section>
        ) : null}
        {viewer.roles.includes("auditor") ? (
          <section className="card" aria-labelledby="audit-heading">
            <h2 id="audit-heading" style={{ marginTop: 0 }}>
              Audit trail
            </h2>
            <p>Every access, who made it, why, and whether the trail is intact.</p>
            <Link className="button" href="/audit">
              Open the audit trail
            </Link>
          </section>
        ) : null}
        {kinds.length === 0 && !viewer.roles.includes("admin") && !viewer.roles.includes("auditor") ? (
          <p className="notice">Your grants do not give access to any part of the portal yet.</p>
        ) : null}
      </div>
    </div>
  );
}
