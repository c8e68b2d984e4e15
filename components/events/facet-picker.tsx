"use client";
// The top values of one field, with counts, under its filter: opened on
// demand (each opening is one audited GET /api/v1/events/facets with the
// current filters), each value a link that sets the filter to it and keeps
// the rest of the view. Counting is left to the server; a refusal (a field or
// kind outside the person's access) is shown as the server words it.
import Link from "next/link";
import { useId, useState } from "react";
import type { EventFacets } from "@/lib/telemetry/event-types";
import { formatCount } from "@/lib/telemetry/format";
import { withQuery } from "@/lib/telemetry/search-params";

export type FacetPickerProps = {
  /** the field's key, also its filter parameter */
  field: string;
  label: string;
  /** the page the values link to (/events or /events/insights) */
  action: string;
  /** the current filters as a query string (what the counts are for) */
  filterQuery: string;
  /** the page's current query (without cursor): a value's link sets `field` in it */
  pageQuery: string;
};

type State = { status: "closed" } | { status: "loading" } | { status: "loaded"; facets: EventFacets } | { status: "failed"; message: string };

export function FacetPicker({ field, label, action, filterQuery, pageQuery }: FacetPickerProps) {
  const [state, setState] = useState<State>({ status: "closed" });
  const listId = useId();
  const open = state.status !== "closed";

  const toggle = async () => {
    if (open) return setState({ status: "closed" });
    setState({ status: "loading" });
    const params = new URLSearchParams(filterQuery);
    params.set("field", field);
    try {
      const response = await fetch(withQuery("/api/v1/events/facets", params), { headers: { accept: "application/json" } });
      const body = (await response.json()) as EventFacets & { error?: { message?: string } };
      if (!response.ok) return setState({ status: "failed", message: body.error?.message ?? `The values could not be counted (${response.status}).` });
      setState({ status: "loaded", facets: body });
    } catch {
      setState({ status: "failed", message: "The values could not be counted: the portal did not answer." });
    }
  };

  const hrefFor = (value: string) => {
    const params = new URLSearchParams(pageQuery);
    params.delete("cursor");
    params.set(field, value);
    return withQuery(action, params);
  };

  return (
    <div className="facet">
      <button type="button" className="facet-toggle" aria-expanded={open} aria-controls={listId} onClick={toggle}>
        {open ? "Hide top values" : "Top values"}
        <span className="visually-hidden"> of {label}</span>
      </button>
      <div id={listId} className="facet-values" aria-live="polite" hidden={!open}>
        {state.status === "loading" ? <p className="hint">Counting…</p> : null}
        {state.status === "failed" ? (
          <p className="hint facet-error" role="note">
            {state.message}
          </p>
        ) : null}
        {state.status === "loaded" ? (
          state.facets.values.length === 0 ? (
            <p className="hint">No values for the current filters.</p>
          ) : (
            <ul aria-label={`Top values of ${label}`}>
              {state.facets.values.map(({ value, count, label: valueLabel }) => (
                <li key={value}>
                  <Link href={hrefFor(value)} className="facet-value">
                    <span className="facet-name">{valueLabel ?? value}</span> <span className="facet-count">{formatCount(count)}</span>
                    <span className="visually-hidden"> events</span>
                  </Link>
                </li>
              ))}
              {state.facets.more ? <li className="hint">and more</li> : null}
            </ul>
          )
        ) : null}
      </div>
    </div>
  );
}
