"use client";
// A generic table on @tanstack/react-table v9 for server-side data. It renders
// and never fetches: the rows arrive already filtered, sorted and paged by the
// server (manualSorting), and the sort order and visible columns come from the
// URL. A sortable header is a link to the URL of the next sort order, so the
// table works without JavaScript and every view can be bookmarked or shared.
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { MouseEvent, ReactNode } from "react";
import {
  columnVisibilityFeature,
  functionalUpdate,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnDef,
  type ColumnVisibilityState,
  type RowData,
  type SortingState,
} from "@tanstack/react-table";

export const dataTableFeatures = tableFeatures({ rowSortingFeature, columnVisibilityFeature });
export type DataTableFeatures = typeof dataTableFeatures;
/** A column of any value type (what `createColumnHelper<DataTableFeatures, TData>().columns()` returns). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the value type varies per column, as in TanStack's own helper
export type DataTableColumn<TData extends RowData> = ColumnDef<DataTableFeatures, TData, any>;

export type DataTableProps<TData extends RowData> = {
  /** one page of rows, in the server's order; keep the reference stable */
  data: TData[];
  /** column definitions; keep the reference stable (module scope or useMemo) */
  columns: Array<DataTableColumn<TData>>;
  getRowId: (row: TData) => string;
  /** the server's sort order, read from the URL */
  sorting: SortingState;
  /** columns hidden by the URL (`false`); absent means visible */
  columnVisibility: ColumnVisibilityState;
  /** the URL that shows the table in `sorting` (the table navigates there) */
  sortHref: (sorting: SortingState) => string;
  /** right-aligned, tabular figures */
  numericColumnIds?: readonly string[];
  caption: string;
  emptyState?: ReactNode;
  /** rows that open: a click anywhere on the row (not on a link or control in it) goes here; the row is focusable for keyboard navigation */
  rowHref?: (row: TData) => string;
  /** the row shown as open (e.g. in a side panel) */
  activeRowId?: string | null;
};

/** A click that landed on something interactive inside the row, which handles it itself. */
function isInteractive(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest("a, button, input, select, textarea, summary, label") !== null;
}

const ARIA_SORT = { asc: "ascending", desc: "descending" } as const;

export function DataTable<TData extends RowData>({
  data,
  columns,
  getRowId,
  sorting,
  columnVisibility,
  sortHref,
  numericColumnIds = [],
  caption,
  emptyState,
  rowHref,
  activeRowId,
}: DataTableProps<TData>) {
  const router = useRouter();
  const table = useTable({
    features: dataTableFeatures,
    columns,
    data,
    getRowId,
    state: { sorting, columnVisibility },
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    // Programmatic sort changes navigate too; the server does the sorting.
    onSortingChange: (updater) => router.push(sortHref(functionalUpdate(updater, sorting))),
  });

  const rows = table.getRowModel().rows;
  const visibleColumnCount = table.getVisibleLeafColumns().length;
  const numeric = (id: string) => (numericColumnIds.includes(id) ? "num" : undefined);

  return (
    <div className="table-wrap">
      <table className="data">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const column = header.column;
                const sorted = column.getIsSorted();
                const next = column.getNextSortingOrder();
                return (
                  <th key={header.id} scope="col" className={numeric(column.id)} aria-sort={sorted ? ARIA_SORT[sorted] : undefined}>
                    {header.isPlaceholder ? null : column.getCanSort() ? (
                      <Link
                        className="sort-link"
                        href={sortHref(next ? [{ id: column.id, desc: next === "desc" }] : [])}
                        title={`Sort by this column${next ? (next === "desc" ? ", descending" : ", ascending") : ""}`}
                        scroll={false}
                      >
                        <table.FlexRender header={header} />
                        <span className="sort-indicator" aria-hidden="true">
                          {sorted === "desc" ? "▼" : sorted === "asc" ? "▲" : "↕"}
                        </span>
                      </Link>
                    ) : (
                      <table.FlexRender header={header} />
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={Math.max(1, visibleColumnCount)} className="empty">
                {emptyState ?? "Nothing to show."}
              </td>
            </tr>
          ) : (
            rows.map((row) => {
              const href = rowHref?.(row.original);
              const isActive = activeRowId !== undefined && activeRowId !== null && row.id === activeRowId;
              const open = (click: MouseEvent<HTMLTableRowElement>) => {
                if (!href || isInteractive(click.target) || click.button !== 0) return;
                if (click.metaKey || click.ctrlKey) window.open(href, "_blank", "noopener");
                else router.push(href, { scroll: false });
              };
              return (
                <tr
                  key={row.id}
                  data-row-id={href ? row.id : undefined}
                  data-row-href={href}
                  tabIndex={href ? -1 : undefined}
                  className={href ? `row-openable${isActive ? " row-active" : ""}` : undefined}
                  aria-current={isActive ? "true" : undefined}
                  onClick={href ? open : undefined}
                >
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={numeric(cell.column.id)}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}
