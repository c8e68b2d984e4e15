// Saved explorer views (issue 14 item 5): what a view stores, how it is
// validated, and how a stored query is fitted to the scope of whoever opens
// it. Safe on both sides.
//
// A view stores the explorer's query-string parameters (filters, columns,
// sort, time range: `range=7d` stays relative and is resolved when opened,
// `from`/`to` are absolute), never rows. Stored parameters are validated by
// the registry-derived explorer schema (eventListQuerySchema) on save AND on
// open, since the registry may have changed in between. Opening fits the query
// to the opener's scope: kinds, filters, sort and columns the opener may not
// use are left out, and each one left out is named in a notice — never a
// silent "0 events".
import { z } from "zod";
import { permittedKinds, visibleFieldClasses, type TelemetryScope } from "@/lib/access/policy";
import { availableEventColumns, EVENT_COLUMN_BY_ID, type EventColumnId } from "./event-columns";
import {
  DEFAULT_EVENT_SORT,
  eventListQuerySchema,
  FIELD_FILTER_BY_PARAM,
  FIELD_FILTER_KEYS,
  FILTER_FIELD_CLASSES,
  listQueryToSearchParams,
  SORT_KEY_FIELD,
  SORT_KEY_FIELD_CLASS,
  sortKeyOf,
  type EventListQuery,
  type FieldFilterKey,
} from "./event-query";
import { EVENT_KIND_LABELS, GROUP_KEYS, type EventKind, type FieldClass, type GroupKey } from "./vocabulary";

export const VIEW_NAME_MAX = 120;
export const VIEW_VISIBILITIES = ["personal", "group"] as const;
export type ViewVisibility = (typeof VIEW_VISIBILITIES)[number];

/** The stored query: query-string parameters, each one value or a list. */
export type ViewParams = Record<string, string | string[]>;

const paramsObjectSchema = z.record(z.string().max(64), z.union([z.string().max(2_000), z.array(z.string().max(2_000)).max(50)]));

/** A query as sent: a query string (`kind=error&range=7d`, the form's) or an object of parameters (the API's). */
const queryInputSchema = z.union([z.string().max(8_000), paramsObjectSchema], { error: "must be a query string or an object of parameters" });

export function paramsFromSearch(search: URLSearchParams): ViewParams {
  const params: ViewParams = {};
  for (const [key, value] of search) {
    const existing = params[key];
    params[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return params;
}

export function searchFromParams(params: ViewParams): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  return search;
}

export type ViewQueryIssue = { path: string; message: string };

/**
 * Validates stored or submitted parameters with the explorer's own schema and
 * returns them in canonical form (defaults and empty values left out). A
 * cursor is refused: a view is a query, not a position in one.
 */
export function parseViewQuery(input: unknown): { ok: true; query: EventListQuery; params: ViewParams } | { ok: false; issues: ViewQueryIssue[] } {
  const raw = queryInputSchema.safeParse(input);
  if (!raw.success) return { ok: false, issues: [{ path: "query", message: raw.error.issues[0]?.message ?? "is not a query" }] };
  const params = typeof raw.data === "string" ? paramsFromSearch(new URLSearchParams(raw.data.replace(/^\?/, ""))) : raw.data;
  for (const [key, value] of Object.entries(params)) {
    if (value === "" || (Array.isArray(value) && value.every((item) => item === ""))) delete params[key];
  }
  if ("cursor" in params) return { ok: false, issues: [{ path: "query.cursor", message: "a view saves the query, not a page of it: leave out cursor" }] };
  const parsed = eventListQuerySchema.safeParse(params);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((issue) => ({ path: ["query", ...issue.path].join("."), message: issue.message })) };
  }
  return { ok: true, query: parsed.data, params: paramsFromSearch(listQueryToSearchParams(parsed.data)) };
}

/** POST /api/v1/views and the Save view form. */
export const saveViewInputSchema = z
  .strictObject({
    name: z
      .string({ error: "is required" })
      .trim()
      .min(1, "is required")
      .max(VIEW_NAME_MAX, `must be at most ${VIEW_NAME_MAX} characters`),
    visibility: z.enum(VIEW_VISIBILITIES, { error: "must be personal or group" }),
    group: z.enum(GROUP_KEYS, { error: `must be one of ${GROUP_KEYS.join(", ")}` }).nullish(),
    query: z.unknown(),
  })
  .superRefine((input, ctx) => {
    if (input.visibility === "group" && !input.group) ctx.addIssue({ code: "custom", path: ["group"], message: "is required for a view shared with a group" });
    if (input.visibility === "personal" && input.group) ctx.addIssue({ code: "custom", path: ["group"], message: "must be empty for a personal view" });
  });
export type SaveViewInput = z.output<typeof saveViewInputSchema>;

export const renameViewInputSchema = z.strictObject({
  id: z.uuid({ error: "must be a view id" }),
  name: z.string({ error: "is required" }).trim().min(1, "is required").max(VIEW_NAME_MAX, `must be at most ${VIEW_NAME_MAX} characters`),
});

export const viewIdInputSchema = z.strictObject({ id: z.uuid({ error: "must be a view id" }) });

// ─── Fitting a query to the opener's scope ───────────────────────────────────

/** One part of a view that was left out for this opener, and why, in words. */
export type ViewNotice = { param: string; message: string };

const kindList = (kinds: readonly EventKind[]) => kinds.map((kind) => EVENT_KIND_LABELS[kind]).join(", ");
const andList = (items: readonly string[]) => (items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`);

function filterLabel(param: FieldFilterKey): string {
  const { field, excludes, bound } = FIELD_FILTER_BY_PARAM[param];
  const label = field.filterLabel ?? field.label;
  if (excludes) return `${label} (excluding a value)`;
  if (bound && field.filter.mode === "range") return field.filter.labels[bound === "min" ? 0 : 1];
  return label;
}

/**
 * The query this scope may run, and what was left out of it. The rules are
 * planEventQuery's (server/telemetry/event-sql.ts): a filter or sort on a
 * field class is allowed when some searched kind grants it and, where the
 * view names its kinds, every one of them does.
 */
export function fitViewToScope(scope: TelemetryScope, query: EventListQuery): { query: EventListQuery; notices: ViewNotice[] } {
  const notices: ViewNotice[] = [];
  const permitted = permittedKinds(scope);
  const grants = (kind: EventKind, fieldClass: FieldClass) => scope[kind]?.includes(fieldClass) ?? false;

  // Kinds: those outside the scope are left out; if none is left, the kinds stay (nothing is searched, and the notice says so),
  // since dropping them all would widen the view to every kind.
  const named = query.filters.kinds;
  const outside = named.filter((kind) => !permitted.includes(kind));
  const kept = named.filter((kind) => permitted.includes(kind));
  let kinds = named;
  if (outside.length > 0) {
    if (kept.length > 0) {
      kinds = kept;
      notices.push({ param: "kind", message: `This view includes ${kindList(outside)} events, which your access does not include; they were not searched.` });
    } else {
      notices.push({
        param: "kind",
        message: `This view shows only ${kindList(outside)} events, which your access does not include; no events were searched.`,
      });
    }
  }
  const searched = named.length > 0 ? kept : permitted;
  const allowed = (fieldClass: FieldClass) => permitted.some((kind) => grants(kind, fieldClass)) && (named.length === 0 || searched.every((kind) => grants(kind, fieldClass)));
  const where = (fieldClass: FieldClass) => {
    if (!permitted.some((kind) => grants(kind, fieldClass))) return "";
    return ` on ${kindList(searched.filter((kind) => !grants(kind, fieldClass)))} events`;
  };

  const filters: Record<string, unknown> = { ...query.filters, kinds };
  for (const key of FIELD_FILTER_KEYS) {
    if (query.filters[key] === undefined) continue;
    const fieldClass = FILTER_FIELD_CLASSES[key];
    if (allowed(fieldClass)) continue;
    delete filters[key];
    notices.push({ param: key, message: `This view filters by ${filterLabel(key)}, which your access does not include${where(fieldClass)}; that filter was not applied.` });
  }

  let sort = query.sort;
  const sortClass = SORT_KEY_FIELD_CLASS[sortKeyOf(sort)];
  if (sortClass && !allowed(sortClass)) {
    notices.push({
      param: "sort",
      message: `This view sorts by ${SORT_KEY_FIELD[sortKeyOf(sort)].label}, which your access does not include${where(sortClass)}; it is sorted by time instead.`,
    });
    sort = DEFAULT_EVENT_SORT;
  }

  let columns = query.columns;
  if (columns) {
    const available = new Set<EventColumnId>(availableEventColumns(visibleFieldClasses(scope)));
    const hidden = columns.filter((column) => !available.has(column));
    if (hidden.length > 0) {
      columns = columns.filter((column) => available.has(column));
      if (columns.length === 0) columns = null;
      notices.push({
        param: "columns",
        message: `This view shows the ${andList(hidden.map((column) => EVENT_COLUMN_BY_ID[column].label))} ${hidden.length === 1 ? "column" : "columns"}, which your access does not include; ${hidden.length === 1 ? "it is" : "they are"} not shown.`,
      });
    }
  }

  return { query: { ...query, filters: filters as EventListQuery["filters"], sort, columns, cursor: null }, notices };
}

/** Whether a person in these groups may see a view (the owner always may). */
export function canSeeView(view: { ownerId: string; visibility: ViewVisibility; groupKey: GroupKey | null }, viewer: { personId: string; groups: readonly GroupKey[] }): boolean {
  if (view.ownerId === viewer.personId) return true;
  return view.visibility === "group" && view.groupKey !== null && viewer.groups.includes(view.groupKey);
}
