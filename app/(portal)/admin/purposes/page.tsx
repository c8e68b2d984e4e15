import type { Metadata } from "next";
import { ErrorState } from "@/components/error-state";
import { formatDateTime } from "@/components/admin/format";
import { PurposeScopeForm } from "@/components/admin/purpose-scope-form";
import { PURPOSE_LABELS } from "@/lib/telemetry/vocabulary";
import { listPurposeScopes } from "@/server/data/admin/purpose-scopes";
import { loadForPage } from "@/server/http/page-guard";
import { updatePurposeScopeAction } from "./actions";

export const metadata: Metadata = { title: "Purposes" };

export default async function PurposesPage() {
  const result = await loadForPage("/admin/purposes", () => listPurposeScopes());
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Purposes</h1>
          <p className="subtle">
            The field classes each declared purpose needs. A session sees its groups&apos; scope narrowed to its purpose&apos;s field classes. A change
            applies from each session&apos;s next request.
          </p>
        </div>
      </div>
      {!result.ok ? (
        <ErrorState error={result.error} />
      ) : result.value.length === 0 ? (
        <p className="subtle">No purposes are configured: run the database migrations.</p>
      ) : (
        result.value.map((scope) => (
          <section key={scope.purpose} className="card" aria-labelledby={`purpose-${scope.purpose}-title`}>
            <h2 id={`purpose-${scope.purpose}-title`} className="card-title">
              {PURPOSE_LABELS[scope.purpose]}
            </h2>
            <p className="subtle">
              Sees {scope.fieldClasses.length === 0 ? "no field classes" : scope.fieldClasses.join(", ")} · last changed {formatDateTime(scope.updatedAt)}
            </p>
            <p className="subtle">Why: {scope.justification}</p>
            <PurposeScopeForm action={updatePurposeScopeAction} purpose={scope.purpose} fieldClasses={scope.fieldClasses} />
          </section>
        ))
      )}
    </>
  );
}
