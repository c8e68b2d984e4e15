"use client";
// The portal's <main>, with the pending state of an in-app navigation: from
// the click on a link (or the submit of a GET form) until the next page is on
// screen, the page stays laid out as it was but is marked busy (aria-busy, a
// progress bar and, after a moment, a "Loading events…" badge), and a polite
// live region says what is loading. The page is not dimmed: its text would
// fall below the contrast it needs (axe, color-contrast). This stands in for a route-level
// loading.tsx, which the explorer must not have: streaming would send the
// response head (200) before the data layer has decided, and refusals,
// not-found and 503 would lose their status (docs/ARCHITECTURE.md, "Honest
// status"). A first load shows the browser's own progress instead.
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { navigationLabel, NAVIGATION_EVENT, pendingNavigationTarget, urlKey } from "@/lib/http/navigation-pending";

/** Says that a navigation the browser cannot see (router.push) has started. */
export function announceNavigation(label: string): void {
  window.dispatchEvent(new CustomEvent<string>(NAVIGATION_EVENT, { detail: label }));
}

/** A navigation left pending this long (the server answered with the same URL) stops showing as one. */
const GIVE_UP_MS = 20_000;

export function PortalMain({ children }: { children: ReactNode }) {
  const here = urlKey(usePathname(), useSearchParams().toString());
  const [pending, setPending] = useState<{ from: string; label: string } | null>(null);
  // The pending state ends when the URL changes (the next page is rendered); forgotten then, so
  // that coming back to this URL (Back) does not show it again.
  const [shown, setShown] = useState(here);
  if (shown !== here) {
    setShown(here);
    setPending(null);
  }
  const active = pending && pending.from === here ? pending : null;

  useEffect(() => {
    const current = () => urlKey(window.location.pathname, new URLSearchParams(window.location.search).toString());
    const start = (label: string) => setPending({ from: current(), label });
    const onClick = (event: MouseEvent) => {
      const anchor = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!(anchor instanceof HTMLAnchorElement) || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      if ((anchor.target && anchor.target !== "_self") || anchor.hasAttribute("download")) return;
      const target = pendingNavigationTarget(anchor.href, window.location.href);
      if (target) start(navigationLabel(target.pathname));
    };
    // A GET form the browser submits itself (a form that handles its own submit announces it).
    const onSubmit = (event: SubmitEvent) => {
      const form = event.target;
      if (event.defaultPrevented || !(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "get") return;
      const action = new URL(form.action, window.location.href);
      action.search = new URLSearchParams([...new FormData(form).entries()].flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : []))).toString();
      const target = pendingNavigationTarget(action.href, window.location.href);
      if (target) start(navigationLabel(target.pathname));
    };
    const onAnnounce = (event: Event) => start((event as CustomEvent<string>).detail);
    document.addEventListener("click", onClick);
    document.addEventListener("submit", onSubmit);
    window.addEventListener(NAVIGATION_EVENT, onAnnounce);
    return () => {
      document.removeEventListener("click", onClick);
      document.removeEventListener("submit", onSubmit);
      window.removeEventListener(NAVIGATION_EVENT, onAnnounce);
    };
  }, []);

  useEffect(() => {
    if (!pending) return;
    const timer = window.setTimeout(() => setPending(null), GIVE_UP_MS);
    return () => window.clearTimeout(timer);
  }, [pending]);

  return (
    <main id="main" className={`page${active ? " page--pending" : ""}`} aria-busy={active ? true : undefined}>
      {active ? (
        <div className="navigation-pending" aria-hidden="true">
          <div className="navigation-progress" />
          <p className="navigation-badge">{active.label}</p>
        </div>
      ) : null}
      {/* not role="status": pages have their own status messages, and this one is empty most of the time */}
      <p className="visually-hidden" aria-live="polite">
        {active ? active.label : ""}
      </p>
      {children}
    </main>
  );
}
