// The explorer's filter form: a GET form, so the URL holds the whole view
// (bookmark it, share it, press back). Its fields are the field registry's
// filters (lib/telemetry/fields.ts), each rendered by its filter mode; only
// filters on field classes the person may see are offered (the server refuses
// the others anyway).
import Link from "next/link";
import type { ReactNode } from "react";
import { CompactGetForm } from "./compact-get-form";
import { FacetPicker } from "./facet-picker";
import { EVENT_COLUMN_BY_ID, type EventColumnId } from "@/lib/telemetry/event-columns";
import {
  DEFAULT_EVENT_SORT,
  DEFAULT_PAGE_SIZE,
  FIELD_FILTER_KEYS,
  FIELD_FILTERS,
  QUICK_RANGE_LABELS,
  QUICK_RANGES,
  type FieldFilter,
  type RawSearchParams,
} from "@/lib/telemetry/event-query";
import { enumValues, type FilterMode } from "@/lib/telemetry/fields";
import { EVENT_KIND_LABELS, type EventKind, type FieldClass } from "@/lib/telemetry/vocabulary";

export type EventFilterFormProps = {
  action: "/events" | "/events/insights";
  /** the query string as received (possibly invalid), to prefill the fields */
  values: RawSearchParams;
  kinds: readonly EventKind[];
  visibleClasses: readonly FieldClass[];
  /** list mode: the column chooser, sort and page size travel with the form */
  columns?: { available: readonly EventColumnId[]; selected: readonly EventColumnId[]; defaults: readonly EventColumnId[] };
  /** when the query is valid: pickers of top values under the facetable fields */
  facets?: FacetContext;
};

/** What a facet picker needs: the current filters (what to count) and the page's query (what its links keep). */
type FacetContext = { filterQuery: string; pageQuery: string };

const PAGE_SIZES = [25, 50, 100, 200, 500] as const;
function first(values: RawSearchParams, key: string): string {
  const value = values[key];
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

function all(values: RawSearchParams, key: string): string[] {
  const value = values[key];
  return (Array.isArray(value) ? value : value ? [value] : []).flatMap((item) => item.split(",")).filter(Boolean);
}

function TextField({
  name,
  label,
  values,
  placeholder,
  hint,
  picker,
}: {
  name: string;
  label: string;
  values: RawSearchParams;
  placeholder?: string;
  hint?: string;
  picker?: ReactNode;
}) {
  const id = `filter-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {hint ? <span className="hint">{hint}</span> : null}
      </label>
      <input id={id} type="text" name={name} defaultValue={first(values, name)} placeholder={placeholder} autoComplete="off" spellCheck={false} />
      {picker}
    </div>
  );
}

function NumberField({ name, label, values, step, min, max }: { name: string; label: string; values: RawSearchParams; step: string; min: number; max?: number }) {
  const id = `filter-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="number" inputMode="decimal" name={name} defaultValue={first(values, name)} step={step} min={min} max={max} />
    </div>
  );
}

/** The order of the filter groups in "More filters". */
const FORM_CLASS_ORDER = ["environment", "location", "identifiers", "measurements"] as const satisfies readonly FieldClass[];

/** A hint under a text filter's label, by how it matches. */
const MATCH_HINTS: Partial<Record<FilterMode, string>> = { prefix: "a version or its start", "case-insensitive": "any case" };

/** One field filter, as the registry declares it: a text box, a select of its values, or a from/to pair. */
function FilterField({ filter, values, action, facets }: { filter: FieldFilter; values: RawSearchParams; action: string; facets?: FacetContext }) {
  const { field, param, bound } = filter;
  const label = field.filterLabel ?? field.label;
  const picker =
    facets && field.facetable ? <FacetPicker field={param} label={label} action={action} filterQuery={facets.filterQuery} pageQuery={facets.pageQuery} /> : null;
  if (field.filter.mode === "range") {
    const { step, min, max, labels } = field.filter;
    return (
      <NumberField
        name={param}
        label={bound === "max" ? labels[1] : labels[0]}
        values={values}
        step={step === "integer" ? "1" : "0.01"}
        min={min}
        max={step === "integer" ? undefined : max}
      />
    );
  }
  if (field.filter.mode === "enum") {
    const id = `filter-${param}`;
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <select id={id} name={param} defaultValue={first(values, param)}>
          <option value="">Any</option>
          {enumValues(field).map((value) => (
            <option key={value} value={value}>
              {field.valueLabels?.[value] ?? value}
            </option>
          ))}
        </select>
        {picker}
      </div>
    );
  }
  const hint = field.value === "country" ? "two letters" : MATCH_HINTS[field.filter.mode];
  return <TextField name={param} label={label} values={values} placeholder={field.example} hint={hint} picker={picker} />;
}

export function EventFilterForm({ action, values, kinds, visibleClasses, columns, facets }: EventFilterFormProps) {
  const sees = (fieldClass: FieldClass) => visibleClasses.includes(fieldClass);
  const chosenKinds = all(values, "kind");
  const hasAdvanced = FIELD_FILTER_KEYS.some((key) => first(values, key) !== "");
  const sort = first(values, "sort");
  const limit = first(values, "limit");
  const chosenColumns = columns ? new Set(columns.selected) : null;

  return (
    <CompactGetForm
      action={action}
      className="card filter-form"
      aria-label="Filters"
      defaults={{ limit: String(DEFAULT_PAGE_SIZE), ...(columns ? { columns: columns.defaults.join(",") } : {}) }}
    >
      <div className="filter-grid">
        <div className="field">
          <label htmlFor="filter-range">Time range</label>
          <select id="filter-range" name="range" defaultValue={first(values, "range")}>
            <option value="">Any time (or From/To)</option>
            {QUICK_RANGES.map((range) => (
              <option key={range} value={range}>
                {QUICK_RANGE_LABELS[range]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-from">
            From <span className="hint">UTC, e.g. 2026-11-20T09:00</span>
          </label>
          <input id="filter-from" type="text" name="from" defaultValue={first(values, "from")} placeholder="YYYY-MM-DDTHH:MM" autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="filter-to">
            To <span className="hint">UTC, exclusive</span>
          </label>
          <input id="filter-to" type="text" name="to" defaultValue={first(values, "to")} placeholder="YYYY-MM-DDTHH:MM" autoComplete="off" />
        </div>
        {columns ? (
          <div className="field">
            <label htmlFor="filter-limit">Rows per page</label>
            <select id="filter-limit" name="limit" defaultValue={limit || String(DEFAULT_PAGE_SIZE)}>
              {PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>

      <fieldset className="kind-choices">
        <legend>Event kinds</legend>
        {kinds.map((kind) => (
          <label key={kind} className="check">
            <input type="checkbox" name="kind" value={kind} defaultChecked={chosenKinds.includes(kind)} />
            <span>{EVENT_KIND_LABELS[kind]}</span>
          </label>
        ))}
        <p className="hint">None ticked: every kind you may see.</p>
      </fieldset>

      <details className="more-filters" open={hasAdvanced}>
        <summary>More filters</summary>
        <div className="filter-grid">
          {FORM_CLASS_ORDER.filter(sees).flatMap((fieldClass) =>
            FIELD_FILTERS.filter((filter) => filter.field.fieldClass === fieldClass).map((filter) =>
              filter.excludes ? (
                // set by an Alt-click on a table cell; kept when the form is applied, removed through its chip
                first(values, filter.param) ? <input key={filter.param} type="hidden" name={filter.param} value={first(values, filter.param)} /> : null
              ) : (
                <FilterField key={filter.param} filter={filter} values={values} action={action} facets={facets} />
              ),
            ),
          )}
        </div>
      </details>

      {columns && chosenColumns ? (
        <details className="column-chooser">
          <summary>Columns ({columns.selected.length} of {columns.available.length})</summary>
          <fieldset>
            <legend className="visually-hidden">Columns to show</legend>
            {columns.available.map((columnId) => (
              <label key={columnId} className="check">
                <input type="checkbox" name="columns" value={columnId} defaultChecked={chosenColumns.has(columnId)} />
                <span>{EVENT_COLUMN_BY_ID[columnId].label}</span>
              </label>
            ))}
          </fieldset>
        </details>
      ) : null}

      {columns && sort && sort !== DEFAULT_EVENT_SORT ? <input type="hidden" name="sort" value={sort} /> : null}

      <div className="form-actions">
        <button type="submit" className="button">
          Apply
        </button>
        <Link href={action} className="button button--secondary">
          Reset
        </Link>
      </div>
    </CompactGetForm>
  );
}
