import type { Metadata } from "next";
import { ErrorState } from "@/components/error-state";
import { ErasureForm } from "@/components/admin/erasure-form";
import { getErasureSettings } from "@/server/data/admin/erase-machine";
import { loadForPage } from "@/server/http/page-guard";
import { eraseMachineAction, previewErasureAction } from "./actions";

export const metadata: Metadata = { title: "Erasure" };

// /admin/erasure: erase one machine's telemetry (a data-subject request). The
// page shows only forms; both steps go through the data layer, which lets
// admins only and audits each (server/data/admin/erase-machine.ts).
export default async function ErasurePage() {
  const result = await loadForPage("/admin/erasure", () => getErasureSettings());
  if (!result.ok) return <ErrorState error={result.error} />;
  const { retentionDays } = result.value;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Erasure</h1>
          <p className="subtle">Delete every event of one machine, for a data-subject request. You see the count before you confirm; a reason is required.</p>
          <p className="subtle">
            {retentionDays === null
              ? "Retention: events are kept until erased (TELEMETRY_RETENTION_DAYS is not set)."
              : `Retention: whole months of events older than ${retentionDays} days are dropped by the job queue, each drop audited.`}
          </p>
        </div>
      </div>
      <section className="card" aria-labelledby="erasure-heading">
        <h2 id="erasure-heading" className="card-title">
          Machine
        </h2>
        <ErasureForm previewAction={previewErasureAction} eraseAction={eraseMachineAction} />
      </section>
    </>
  );
}
