// The explorer's filter form: a plain GET form, so the URL holds the whole
// view (bookmark it, share it, press back). Only filters on field classes the
// person may see are offered; the server refuses the others anyway.
import Link from "next/link";
import { EVENT_COLUMN_BY_ID, type EventColumnId } from "@/lib/telemetry/event-columns";
import { DEFAULT_EVENT_SORT, DEFAULT_PAGE_SIZE, QUICK_RANGE_LABELS, QUICK_RANGES, type RawSearchParams } from "@/lib/telemetry/event-query";
import { EVENT_KIND_LABELS, UI_KINDS, type EventKind, type FieldClass } from "@/lib/telemetry/vocabulary";

export type EventFilterFormProps = {
  action: "/events" | "/events/insights";
  /** the query string as received (possibly invalid), to prefill the fields */
  values: RawSearchParams;
  kinds: readonly EventKind[];
  visibleClasses: readonly FieldClass[];
  /** list mode: the column chooser, sort and page size travel with the form */
  columns?: { available: readonly EventColumnId[]; selected: readonly EventColumnId[] };
};

const PAGE_SIZES = [25, 50, 100, 200, 500] as const;
const ADVANCED_KEYS = [
  "vscodeVersion",
  "extensionVersion",
  "os",
  "uiKind",
  "country",
  "region",
  "city",
  "machineId",
  "sessionId",
  "errorKind",
  "redactionFilter",
  "accepted",
  "latencyMin",
  "latencyMax",
  "certaintyMin",
  "certaintyMax",
];

function first(values: RawSearchParams, key: string): string {
  const value = values[key];
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

function all(values: RawSearchParams, key: string): string[] {
  const value = values[key];
  return (Array.isArray(value) ? value : value ? [value] : []).flatMap((item) => item.split(",")).filter(Boolean);
}

function TextField({ name, label, values, placeholder, hint }: { name: string; label: string; values: RawSearchParams; placeholder?: string; hint?: string }) {
  const id = `filter-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {hint ? <span className="hint">{hint}</span> : null}
      </label>
      <input id={id} type="text" name={name} defaultValue={first(values, name)} placeholder={placeholder} autoComplete="off" spellCheck={false} />
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

export function EventFilterForm({ action, values, kinds, visibleClasses, columns }: EventFilterFormProps) {
  const sees = (fieldClass: FieldClass) => visibleClasses.includes(fieldClass);
  const chosenKinds = all(values, "kind");
  const hasAdvanced = ADVANCED_KEYS.some((key) => first(values, key) !== "");
  const sort = first(values, "sort");
  const limit = first(values, "limit");
  const chosenColumns = columns ? new Set(columns.selected) : null;

  return (
    <form method="get" action={action} className="card filter-form" aria-label="Filters">
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
          {sees("environment") ? (
            <>
              <TextField name="vscodeVersion" label="VS Code version" values={values} placeholder="1.105.2" />
              <TextField name="extensionVersion" label="Extension version" values={values} placeholder="1.380.0" />
              <TextField name="os" label="Operating system" values={values} placeholder="win32, darwin, linux" />
              <div className="field">
                <label htmlFor="filter-uiKind">UI kind</label>
                <select id="filter-uiKind" name="uiKind" defaultValue={first(values, "uiKind")}>
                  <option value="">Any</option>
                  {UI_KINDS.map((uiKind) => (
                    <option key={uiKind} value={uiKind}>
                      {uiKind}
                    </option>
                  ))}
                </select>
              </div>
            </>
          ) : null}
          {sees("location") ? (
            <>
              <TextField name="country" label="Country" values={values} placeholder="US" hint="two letters" />
              <TextField name="region" label="Region" values={values} />
              <TextField name="city" label="City" values={values} />
            </>
          ) : null}
          {sees("identifiers") ? (
            <>
              <TextField name="machineId" label="Machine ID" values={values} />
              <TextField name="sessionId" label="Session ID" values={values} />
            </>
          ) : null}
          {sees("measurements") ? (
            <>
              <TextField name="errorKind" label="Error kind" values={values} placeholder="network.timeout" />
              <TextField name="redactionFilter" label="Redaction filter" values={values} placeholder="public-code-match" />
              <div className="field">
                <label htmlFor="filter-accepted">Outcome</label>
                <select id="filter-accepted" name="accepted" defaultValue={first(values, "accepted")}>
                  <option value="">Any</option>
                  <option value="true">Accepted</option>
                  <option value="false">Rejected</option>
                </select>
              </div>
              <NumberField name="latencyMin" label="Latency from (ms)" values={values} step="1" min={0} />
              <NumberField name="latencyMax" label="Latency to (ms)" values={values} step="1" min={0} />
              <NumberField name="certaintyMin" label="Certainty from" values={values} step="0.01" min={0} max={1} />
              <NumberField name="certaintyMax" label="Certainty to" values={values} step="0.01" min={0} max={1} />
            </>
          ) : null}
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
    </form>
  );
}
