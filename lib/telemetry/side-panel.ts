// The explorer's side panel in the URL: `open=<event id>` beside the list's
// own parameters (filters, sort, page, columns), so the panel can be linked,
// Back closes it and closing keeps the filters. `open=first` / `open=last`
// name the first or last row of the page, which is how "next" from the last
// row (or "previous" from the first) carries on into the neighbouring page.
// Safe on both sides.
import { formatCount } from "@/lib/format/number";
import type { RawSearchParams } from "./event-query";
import { withQuery } from "./search-params";

export const OPEN_PARAM = "open";
export type OpenTarget = { kind: "id"; id: string } | { kind: "first" } | { kind: "last" };

/** The list's own parameters (the panel's taken out), and the panel's target when one is asked for. */
export function splitPanelParams(raw: RawSearchParams): { list: RawSearchParams; open: OpenTarget | { kind: "invalid" } | null } {
  const { [OPEN_PARAM]: open, ...list } = raw;
  if (open === undefined) return { list, open: null };
  if (Array.isArray(open) || open.trim() === "" || open.length > 100) return { list, open: { kind: "invalid" } };
  const value = open.trim();
  if (value === "first" || value === "last") return { list, open: { kind: value } };
  return { list, open: { kind: "id", id: value } };
}

/** The list at `listQuery` with the panel open on `target`. */
export function panelHref(listQuery: string, target: string): string {
  const params = new URLSearchParams(listQuery);
  params.delete(OPEN_PARAM);
  params.set(OPEN_PARAM, target);
  return withQuery("/events", params);
}

export type PanelNeighbours = {
  /** 1-based position of the open event on this page, when it is on it */
  index: number | null;
  previous: string | null;
  next: string | null;
};

/**
 * Previous and next for the panel: the neighbouring rows of this page, and at
 * its edges the neighbouring page opened on its last or first row (when there
 * is one). An event not on this page (a shared link) has neither.
 */
export function panelNeighbours(
  ids: readonly string[],
  openId: string,
  listQuery: string,
  pages: { previousPageQuery: string | null; nextPageQuery: string | null },
): PanelNeighbours {
  const at = ids.indexOf(openId);
  if (at < 0) return { index: null, previous: null, next: null };
  const before = ids[at - 1];
  const after = ids[at + 1];
  return {
    index: at + 1,
    previous: before ? panelHref(listQuery, before) : pages.previousPageQuery !== null ? panelHref(pages.previousPageQuery, "last") : null,
    next: after ? panelHref(listQuery, after) : pages.nextPageQuery !== null ? panelHref(pages.nextPageQuery, "first") : null,
  };
}

/** "Rows 51–100", or null when the page does not know where it is (an old cursor) or is empty. */
export function pagePosition(offset: number | null, rowCount: number): string | null {
  if (offset === null || rowCount === 0) return null;
  return `Rows ${formatCount(offset + 1)}–${formatCount(offset + rowCount)}`;
}
