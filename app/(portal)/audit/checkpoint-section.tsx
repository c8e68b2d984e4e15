// The auditor console's checkpoint panel: loads the status through the data layer (audited) and renders it.
import { CheckpointPanel } from "@/components/audit/checkpoint-panel";
import { ErrorState } from "@/components/error-state";
import { getAuditCheckpoints } from "@/server/data/audit/get-audit-checkpoints";
import { loadForPage } from "@/server/http/page-guard";

export async function AuditCheckpointSection() {
  const result = await loadForPage("/audit", () => getAuditCheckpoints());
  return result.ok ? <CheckpointPanel status={result.value} /> : <ErrorState error={result.error} />;
}
