// Above the explorer's results when a saved view is open: which view, whose,
// and each part of it the opener's access left out, by name.
import Link from "next/link";
import type { ViewNotice } from "@/lib/telemetry/saved-view";
import { GROUP_LABELS, type GroupKey } from "@/lib/telemetry/vocabulary";

export function SavedViewNotice({
  view,
  notices,
}: {
  view: { name: string; ownerName: string; isOwner: boolean; group: GroupKey | null };
  notices: readonly ViewNotice[];
}) {
  return (
    <div className={notices.length > 0 ? "notice notice--warn saved-view-notice" : "notice saved-view-notice"} role="note" aria-label="Saved view">
      <p>
        Saved view <strong>{view.name}</strong>
        {view.isOwner ? "" : ` by ${view.ownerName}`}
        {view.group ? `, shared with ${GROUP_LABELS[view.group]}` : ""}. <Link href="/events/views">All saved views</Link>
      </p>
      {notices.length > 0 ? (
        <ul>
          {notices.map((notice) => (
            <li key={notice.param}>{notice.message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
