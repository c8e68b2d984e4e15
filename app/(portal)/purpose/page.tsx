import type { Metadata } from "next";
import { ErrorState } from "@/components/error-state";
import { PurposeForm } from "@/components/purpose-form";
import { safeReturnPath } from "@/lib/http/safe-return-path";
import { getViewer } from "@/server/data/get-viewer";
import { loadForPage } from "@/server/http/page-guard";
import { setPurposeAction } from "./actions";

export const metadata: Metadata = { title: "Purpose of access" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function PurposePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  // Where the form continues to: a path on the portal, or the explorer (lib/http/safe-return-path.ts).
  const next = safeReturnPath(params.next, { fallback: "/events" });
  const result = await loadForPage("/purpose", () => getViewer({ audit: true, purposeScopes: true }));
  if (!result.ok) return <ErrorState error={result.error} />;
  return (
    <div className="page--narrow" style={{ margin: "0 auto" }}>
      <h1>Purpose of access</h1>
      <p className="subtle">
        Copilot telemetry may only be used for the purposes below (from “How the data is used”). Your choice is recorded with every access in
        this session, decides which fields you see (within your groups&apos; access), and you can change it at any time from the header.
      </p>
      <div className="card">
        <PurposeForm action={setPurposeAction} current={result.value.purpose} currentDetail={result.value.purposeDetail} next={next} shows={result.value.purposeScopes ?? {}} />
      </div>
    </div>
  );
}
