"use client";
// A generic table on @tanstack/react-table v9 for server-side data. It renders
// and never fetches: the rows arrive already filtered, sorted and paged by the
// server (manualSorting), and the sort order and visible columns come from the
// URL. A sortable header is a link to the URL of the next sort order, so the
// table works without JavaScript and every view can be bookmarked or shared.
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { ReactNode } from "react";
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
};

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
            rows.map((row) => (
              <tr key={row.id}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={numeric(cell.column.id)}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
