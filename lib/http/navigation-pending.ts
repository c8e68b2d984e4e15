// Which in-app navigations show the portal's pending state
// (components/portal-main.tsx), and what it says. Safe on both sides.

/** The event a client component dispatches on window before router.push, with the label as detail. */
export const NAVIGATION_EVENT = "portal:navigation-start";

/** A page's identity for the pending state: its path and query (the hash does not load anything). */
export function urlKey(pathname: string, search: string): string {
  return search ? `${pathname}?${search}` : pathname;
}

/**
 * The URL a link or GET form leads to, when following it loads another page of the portal in
 * place: same origin, another path or query (not only another #hash), not an API route or a
 * download. null otherwise.
 */
export function pendingNavigationTarget(href: string, current: string): URL | null {
  let target: URL;
  let here: URL;
  try {
    target = new URL(href, current);
    here = new URL(current);
  } catch {
    return null;
  }
  if (target.origin !== here.origin || target.pathname.startsWith("/api/")) return null;
  const key = (url: URL) => urlKey(url.pathname, new URLSearchParams(url.search).toString());
  return key(target) === key(here) ? null : target;
}

/** "Loading events…", said while the page at `pathname` loads. */
export function navigationLabel(pathname: string): string {
  if (pathname === "/events") return "Loading events…";
  if (pathname === "/events/insights") return "Loading the charts…";
  if (pathname === "/events/views") return "Loading saved views…";
  if (/^\/events\/[^/]+$/.test(pathname)) return "Loading the event…";
  if (pathname === "/audit" || pathname.startsWith("/audit/")) return "Loading the audit trail…";
  return "Loading the page…";
}
