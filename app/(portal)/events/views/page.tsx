import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { ViewActions } from "@/components/views/view-actions";
import { formatUtc } from "@/lib/telemetry/format";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import { listViews } from "@/server/data/views/list-views";
import { loadForPage } from "@/server/http/page-guard";
import styles from "./views.module.css";

export const metadata: Metadata = { title: "Saved views" };

/** The saved views a person may open: their own and those shared with their groups (audited as views.list). */
export default async function SavedViewsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { deleted } = await searchParams;
  const result = await loadForPage("/events/views", () => listViews());
  return (
    <div className="stack">
      <p>
        <Link href="/events">← Events</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>Saved views</h1>
          <p className="subtle">
            Named explorer queries: yours, and those shared with your groups. A view keeps the query, never the events; opening one shows only what
            your own access allows, and names anything it leaves out. Opening, saving, renaming and deleting are recorded in the audit trail.
          </p>
        </div>
      </div>
      {deleted ? (
        <p className="notice notice--ok" role="status">
          The view was deleted.
        </p>
      ) : null}
      {!result.ok ? (
        <ErrorState error={result.error} />
      ) : result.value.length === 0 ? (
        <div className="notice" role="note" aria-label="No saved views">
          <p>
            No saved views yet. In the <Link href="/events">explorer</Link>, set the filters, columns and sort you want, then use <strong>Save view</strong>{" "}
            in the filter area: keep it for yourself or share it with one of your groups.
          </p>
        </div>
      ) : (
        <ul className={styles.list} aria-label="Saved views">
          {result.value.map((view) => {
            const params = [...new URLSearchParams(view.query)];
            return (
              <li key={view.id} className={styles.item}>
                <div className={styles.head}>
                  <Link className={styles.name} href={`/events?view=${view.id}`}>
                    {view.name}
                  </Link>
                  <span className="subtle">
                    {view.group ? `Shared with ${GROUP_LABELS[view.group]}` : "Only you"} · {view.isOwner ? "yours" : `by ${view.ownerName}`} · saved{" "}
                    {formatUtc(view.updatedAt)} UTC
                  </span>
                </div>
                {params.length > 0 ? (
                  <ul className={styles.params} aria-label={`Query of ${view.name}`}>
                    {params.map(([key, value], index) => (
                      <li key={`${key}-${index}`} className={styles.param}>
                        {key}={value}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="subtle">Every event you may see, default columns and sort.</p>
                )}
                <div className={styles.actions}>
                  <Link className="button button--secondary" href={`/events?view=${view.id}`}>
                    Open<span className="visually-hidden"> {view.name}</span>
                  </Link>
                  {view.isOwner ? <ViewActions id={view.id} name={view.name} /> : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
