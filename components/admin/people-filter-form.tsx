// The access list's filters: a plain GET form, so the URL holds the whole view.
import Link from "next/link";
import { EMPLOYER_LABELS, EMPLOYERS, EMPLOYMENT_TYPES, GROUP_KEYS, GROUP_LABELS, ROLES } from "@/lib/telemetry/vocabulary";
import { STATUS_LABELS } from "./format";

type Values = Record<string, string | string[] | undefined>;

const first = (values: Values, key: string): string => {
  const value = values[key];
  return (Array.isArray(value) ? value[0] : value) ?? "";
};

function Select({ name, label, values, options }: { name: string; label: string; values: Values; options: ReadonlyArray<readonly [string, string]> }) {
  return (
    <div className="field">
      <label htmlFor={`people-${name}`}>{label}</label>
      <select id={`people-${name}`} name={name} defaultValue={first(values, name)}>
        <option value="">Any</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function PeopleFilterForm({ values }: { values: Values }) {
  return (
    <form method="get" action="/admin/people" className="card filter-form admin-filters" aria-label="Filter the access list">
      <div className="admin-filter-grid">
        <div className="field admin-filter-search">
          <label htmlFor="people-q">Search</label>
          <input id="people-q" type="search" name="q" defaultValue={first(values, "q")} placeholder="Name or email" autoComplete="off" />
        </div>
        <Select name="employer" label="Employer" values={values} options={EMPLOYERS.map((employer) => [employer, EMPLOYER_LABELS[employer]] as const)} />
        <Select name="type" label="Employment type" values={values} options={EMPLOYMENT_TYPES.map((type) => [type, type] as const)} />
        <Select name="group" label="Group" values={values} options={GROUP_KEYS.map((group) => [group, GROUP_LABELS[group]] as const)} />
        <Select name="role" label="Role" values={values} options={ROLES.map((role) => [role, role] as const)} />
        <Select name="status" label="Status" values={values} options={(["active", "no_access", "disabled"] as const).map((status) => [status, STATUS_LABELS[status]] as const)} />
      </div>
      {first(values, "sort") ? <input type="hidden" name="sort" value={first(values, "sort")} /> : null}
      {first(values, "limit") ? <input type="hidden" name="limit" value={first(values, "limit")} /> : null}
      <div className="form-actions">
        <button type="submit" className="button">
          Apply filters
        </button>
        <Link href="/admin/people" className="button button--secondary">
          Clear
        </Link>
      </div>
    </form>
  );
}
