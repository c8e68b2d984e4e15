// The active filters as removable chips: each a link to the same view without
// that filter (and from the first page). Built from the parsed query and the
// field registry's labels, so a new filter gets its chip for free.
import Link from "next/link";
import { FIELD_FILTER_BY_PARAM, QUICK_RANGE_LABELS, type EventFilters, type FieldFilterKey } from "@/lib/telemetry/event-query";
import { withQuery } from "@/lib/telemetry/search-params";
import { EVENT_KIND_LABELS } from "@/lib/telemetry/vocabulary";

type Chip = { key: string; label: string; remove: (params: URLSearchParams) => void };

function chipsOf(filters: EventFilters): Chip[] {
  const chips: Chip[] = [];
  const dropping = (...keys: string[]) => (params: URLSearchParams) => keys.forEach((key) => params.delete(key));
  if (filters.range) chips.push({ key: "range", label: QUICK_RANGE_LABELS[filters.range], remove: dropping("range") });
  if (filters.from) chips.push({ key: "from", label: `From ${filters.from.toISOString().replace(/:00\.000Z$|\.000Z$/, "Z")}`, remove: dropping("from") });
  if (filters.to) chips.push({ key: "to", label: `To ${filters.to.toISOString().replace(/:00\.000Z$|\.000Z$/, "Z")}`, remove: dropping("to") });
  for (const kind of filters.kinds) {
    chips.push({
      key: `kind-${kind}`,
      label: `Kind: ${EVENT_KIND_LABELS[kind]}`,
      remove: (params) => {
        const rest = params.getAll("kind").flatMap((value) => value.split(",")).filter((value) => value && value !== kind);
        params.delete("kind");
        if (rest.length > 0) params.set("kind", rest.join(","));
      },
    });
  }
  for (const [param, value] of Object.entries(filters) as Array<[string, unknown]>) {
    const filter = FIELD_FILTER_BY_PARAM[param as FieldFilterKey];
    if (!filter || value === undefined) continue;
    const { field, bound, excludes } = filter;
    const name = field.filterLabel ?? field.label;
    const shown = field.valueLabels?.[String(value)] ?? String(value);
    const label = bound === "min" ? `${name} ≥ ${shown}` : bound === "max" ? `${name} ≤ ${shown}` : excludes ? `${name} not ${shown}` : `${name}: ${shown}`;
    chips.push({ key: param, label, remove: dropping(param) });
  }
  return chips;
}

export function FilterChips({ path, filters, query }: { path: string; filters: EventFilters; query: string }) {
  const chips = chipsOf(filters);
  if (chips.length === 0) return null;
  const hrefWithout = (chip: Chip) => {
    const params = new URLSearchParams(query);
    params.delete("cursor");
    chip.remove(params);
    return withQuery(path, params);
  };
  return (
    <nav className="filter-chips" aria-label="Active filters">
      <ul>
        {chips.map((chip) => (
          <li key={chip.key}>
            <Link className="chip chip--filter" href={hrefWithout(chip)} aria-label={`Remove filter ${chip.label}`}>
              {chip.label} <span aria-hidden="true">✕</span>
            </Link>
          </li>
        ))}
        {chips.length > 1 ? (
          <li>
            <Link className="chip chip--clear" href={path}>
              Clear all
            </Link>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
