"use client";
// The explorer's keyboard: `j`/`k` move between the rows, `Enter` opens the
// focused row in the side panel, `/` focuses the filters, `Escape` closes the
// panel (focus goes back to the row it showed). Keys do nothing while the
// person types in a field or holds a modifier. Moves are announced in a
// polite live region.
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

/** sessionStorage: the row to focus again once the panel that showed it has closed. */
const RETURN_TO_ROW = "explorer:return-to-row";

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.closest("input, textarea, select, [contenteditable]") !== null;
}

function openableRows(): HTMLTableRowElement[] {
  return [...document.querySelectorAll<HTMLTableRowElement>("tr[data-row-href]")];
}

function focusRow(row: HTMLTableRowElement) {
  row.focus();
  row.scrollIntoView({ block: "nearest" });
}

export type ExplorerKeysProps = {
  /** the list without the panel, when the panel is open (Escape goes there); null when it is closed */
  closeHref: string | null;
  /** the event the panel shows */
  openId: string | null;
};

export function ExplorerKeys({ closeHref, openId }: ExplorerKeysProps) {
  const router = useRouter();
  const [announcement, setAnnouncement] = useState("");

  // Back from the panel: focus the row it showed.
  useEffect(() => {
    if (closeHref !== null) return;
    const id = window.sessionStorage.getItem(RETURN_TO_ROW);
    if (!id) return;
    window.sessionStorage.removeItem(RETURN_TO_ROW);
    const row = openableRows().find((candidate) => candidate.dataset.rowId === id);
    if (row) focusRow(row);
  }, [closeHref]);

  useEffect(() => {
    const remember = (target: EventTarget | null) => {
      const close = target instanceof Element ? target.closest<HTMLElement>("[data-panel-close]") : null;
      if (close?.dataset.panelClose) window.sessionStorage.setItem(RETURN_TO_ROW, close.dataset.panelClose);
    };
    const onClick = (event: MouseEvent) => remember(event.target);
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      const rows = openableRows();
      const current = document.activeElement instanceof HTMLTableRowElement ? rows.indexOf(document.activeElement) : -1;
      switch (event.key) {
        case "j":
        case "k": {
          if (rows.length === 0) return;
          event.preventDefault();
          const active = rows.findIndex((row) => row.dataset.rowId === openId);
          const from = current >= 0 ? current : active;
          const next = from < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, from + (event.key === "j" ? 1 : -1)));
          const row = rows[next];
          if (!row) return;
          focusRow(row);
          setAnnouncement(`Row ${next + 1} of ${rows.length} on this page`);
          return;
        }
        case "Enter": {
          const row = current >= 0 ? rows[current] : undefined;
          if (!row?.dataset.rowHref) return;
          event.preventDefault();
          router.push(row.dataset.rowHref, { scroll: false });
          return;
        }
        case "/": {
          const form = document.querySelector<HTMLFormElement>('form[aria-label="Filters"]');
          const field = form?.querySelector<HTMLElement>('input:not([type="hidden"]):not([type="checkbox"]), select, textarea');
          if (!field) return;
          event.preventDefault();
          field.focus();
          return;
        }
        case "Escape": {
          if (closeHref === null) return;
          event.preventDefault();
          if (openId) window.sessionStorage.setItem(RETURN_TO_ROW, openId);
          router.push(closeHref, { scroll: false });
          return;
        }
      }
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("click", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("click", onClick);
    };
  }, [router, closeHref, openId]);

  return (
    <p className="visually-hidden" aria-live="polite">
      {announcement}
    </p>
  );
}

/** Moves focus to the panel's heading when the panel opens or shows another event. */
export function PanelFocus({ headingId, eventId }: { headingId: string; eventId: string }) {
  useEffect(() => {
    document.getElementById(headingId)?.focus({ preventScroll: false });
  }, [headingId, eventId]);
  return null;
}
