"use client";
// The explorer's table: the generic DataTable with the event columns this
// person may see. Sorting and column choice live in the URL; the server has
// already filtered, sorted and paged the rows.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useMemo, type MouseEvent } from "react";
import { createColumnHelper, type ColumnVisibilityState, type SortingState } from "@tanstack/react-table";
import { DataTable, type DataTableColumn, type DataTableFeatures } from "@/components/data-table/data-table";
import { EVENT_COLUMN_BY_ID, EVENT_COLUMNS, type EventColumnId } from "@/lib/telemetry/event-columns";
import {
  DEFAULT_EVENT_SORT,
  FIELD_FILTER_BY_PARAM,
  FIELD_FILTERS,
  isDescending,
  sortKeyOf,
  SORT_KEY_COLUMN,
  type EventSort,
  type EventSortKey,
  type FieldFilter,
  type FieldFilterKey,
} from "@/lib/telemetry/event-query";
import type { EventDto } from "@/lib/telemetry/event-types";
import { formatPercent, formatUtc, formatValue, shortId } from "@/lib/telemetry/format";
import { panelHref } from "@/lib/telemetry/side-panel";
import { EVENT_KIND_LABELS } from "@/lib/telemetry/vocabulary";

const helper = createColumnHelper<DataTableFeatures, EventDto>();

const SORT_KEY_BY_COLUMN = Object.fromEntries(Object.entries(SORT_KEY_COLUMN).map(([key, column]) => [column, key])) as Partial<
  Record<EventColumnId, EventSortKey>
>;

const NUMERIC_COLUMN_IDS = EVENT_COLUMNS.filter((column) => column.numeric).map((column) => column.id);

/** The filter a column's values can set by a click: fields whose filter takes one value (not ranges). */
function cellFilterOf(columnId: EventColumnId) {
  const filter = FIELD_FILTER_BY_PARAM[columnId as FieldFilterKey] as FieldFilter | undefined;
  return filter && filter.field.filter.mode !== "range" ? filter : undefined;
}

/**
 * A cell's content, and for a filterable field a link that filters the list
 * by its value. The links are out of the tab order (tabIndex -1): keyboard
 * users filter through the form and its top-value pickers, and a table of 50
 * rows does not become hundreds of tab stops.
 */
function renderFilterableCell(columnId: EventColumnId, event: EventDto, filterHref: (param: string, value: string) => string, go: (href: string) => void) {
  const content = renderCell(columnId, event);
  const filter = cellFilterOf(columnId);
  const value = (event as Record<string, unknown>)[columnId];
  if (!filter || value === null || value === undefined || value === "") return content;
  const text = String(value);
  const name = filter.field.filterLabel ?? filter.field.label;
  const exclude = FIELD_FILTERS.find((candidate) => candidate.excludes && candidate.field.key === filter.field.key);
  // Alt-click (Option-click) excludes the value instead
  const onClick = (click: MouseEvent<HTMLAnchorElement>) => {
    if (!click.altKey || !exclude) return;
    click.preventDefault();
    go(filterHref(exclude.param, text));
  };
  return (
    <Link
      href={filterHref(filter.param, text)}
      className="cell-filter"
      tabIndex={-1}
      onClick={onClick}
      title={`Filter by ${name}: ${filter.field.valueLabels?.[text] ?? text} (Alt-click to exclude it)`}
    >
      {content}
    </Link>
  );
}

function renderCell(columnId: EventColumnId, event: EventDto) {
  const value = (event as Record<string, unknown>)[columnId];
  switch (columnId) {
    case "time":
      return (
        <Link href={`/events/${event.id}`} className="mono" title="Open this event">
          {formatUtc(event.time)}
        </Link>
      );
    case "receivedAt":
      return <span className="mono">{formatUtc(event.receivedAt)}</span>;
    case "kind":
      return <span className={`badge kind-${event.kind}`}>{EVENT_KIND_LABELS[event.kind]}</span>;
    case "machineId":
    case "sessionId":
    case "completionId":
      return typeof value === "string" ? (
        <span className="mono" title={value}>
          {shortId(value)}
        </span>
      ) : (
        "—"
      );
    case "persistenceRatio":
      return typeof value === "number" ? formatPercent(value) : "—";
    case "modelCertainty":
      return typeof value === "number" ? value.toFixed(3) : "—";
    case "accepted":
      return value === true ? <span className="badge badge--ok">accepted</span> : value === false ? <span className="badge">rejected</span> : "—";
    default:
      return formatValue(value);
  }
}

export type EventsTableProps = {
  items: EventDto[];
  /** the columns this person may see (others do not exist for them) */
  available: EventColumnId[];
  /** the columns chosen in the URL */
  selected: EventColumnId[];
  sort: EventSort;
  /** the current filters, columns and page size as a query string (no sort, no cursor) */
  baseQuery: string;
  /** the list as shown (filters, sort, page, columns), which a row's side panel keeps */
  listQuery: string;
  /** the event open in the side panel */
  openId?: string | null;
};

export function EventsTable({ items, available, selected, sort, baseQuery, listQuery, openId = null }: EventsTableProps) {
  const router = useRouter();
  const filterHref = useCallback(
    (param: string, value: string) => {
      const params = new URLSearchParams(baseQuery);
      params.delete("cursor");
      params.set(param, value);
      return `/events?${params.toString()}`;
    },
    [baseQuery],
  );
  const columns = useMemo<Array<DataTableColumn<EventDto>>>(
    () =>
      available.map((columnId) =>
        helper.accessor((event) => (event as Record<string, unknown>)[columnId] as string | number | boolean | null | undefined, {
          id: columnId,
          header: EVENT_COLUMN_BY_ID[columnId].label,
          cell: ({ row }) => renderFilterableCell(columnId, row.original, filterHref, router.push),
          enableSorting: SORT_KEY_BY_COLUMN[columnId] !== undefined,
          sortDescFirst: true,
        }),
      ),
    [available, filterHref, router.push],
  );

  const sorting = useMemo<SortingState>(() => [{ id: SORT_KEY_COLUMN[sortKeyOf(sort)], desc: isDescending(sort) }], [sort]);
  const columnVisibility = useMemo<ColumnVisibilityState>(
    () => Object.fromEntries(available.map((columnId) => [columnId, selected.includes(columnId)])),
    [available, selected],
  );

  const sortHref = (next: SortingState) => {
    const first = next[0];
    const key = first ? SORT_KEY_BY_COLUMN[first.id as EventColumnId] : undefined;
    const nextSort: EventSort = key ? (`${key}_${first?.desc ? "desc" : "asc"}` as EventSort) : DEFAULT_EVENT_SORT;
    const params = new URLSearchParams(baseQuery);
    params.delete("sort");
    params.delete("cursor");
    if (nextSort !== DEFAULT_EVENT_SORT) params.set("sort", nextSort);
    const query = params.toString();
    return query ? `/events?${query}` : "/events";
  };

  return (
    <DataTable
      data={items}
      columns={columns}
      getRowId={(event) => event.id}
      sorting={sorting}
      columnVisibility={columnVisibility}
      sortHref={sortHref}
      numericColumnIds={NUMERIC_COLUMN_IDS}
      caption="Telemetry events matching the filters. Select a row, or move with j and k and press Enter, to open it beside the list."
      rowHref={(event) => panelHref(listQuery, event.id)}
      activeRowId={openId}
      emptyState={
        <>
          No events match these filters. <Link href="/events">Clear the filters</Link>
        </>
      }
    />
  );
}
