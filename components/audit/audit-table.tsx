"use client";
// The audit console's table: the generic DataTable over one page of audit
// rows. Sorting (by time) lives in the URL; the server has filtered and paged.
// Words, not codes (lib/audit/labels.ts); the stored code is in each cell's
// title. The layout is fixed (globals.css, .audit-table): long actors and
// targets end in an ellipsis with the full text in the title, the From
// column wraps rather than being cut, and below 640 px each row is a card.
import Link from "next/link";
import { useMemo } from "react";
import { createColumnHelper, type SortingState } from "@tanstack/react-table";
import { DataTable, type DataTableColumn, type DataTableFeatures } from "@/components/data-table/data-table";
import { breakGlassIdsOf } from "@/lib/access/break-glass-mark";
import { actionLabel, outcomeLabel, purposeLabel, purposeShortLabel, targetText } from "@/lib/audit/labels";
import { formatUtc } from "@/lib/telemetry/format";
import type { AuditRowDto } from "@/server/data/audit/audit-rows";

const helper = createColumnHelper<DataTableFeatures, AuditRowDto>();

const OUTCOME_BADGE = { allowed: "badge badge--ok", denied: "badge badge--danger", error: "badge badge--warn" } as const;

/** A cell that ends in an ellipsis when it does not fit; the whole text is its title. */
function Clipped({ text, className }: { text: string; className?: string }) {
  return (
    <span className={`clip${className ? ` ${className}` : ""}`} title={text}>
      {text}
    </span>
  );
}

const COLUMNS: Array<DataTableColumn<AuditRowDto>> = [
  helper.accessor("occurredAt", {
    id: "time",
    header: "Time (UTC)",
    enableSorting: true,
    sortDescFirst: true,
    cell: ({ row }) => (
      <Link href={`/audit/${row.original.id}`} className="mono" title={`Open audit row ${row.original.id} (${formatUtc(row.original.occurredAt)} UTC)`}>
        {formatUtc(row.original.occurredAt, false)}
      </Link>
    ),
  }),
  helper.accessor((row) => row.actor.email ?? "", {
    id: "actor",
    header: "Actor",
    enableSorting: false,
    cell: ({ row }) => (row.original.actor.email ? <Clipped text={row.original.actor.email} /> : <span className="subtle">anonymous</span>),
  }),
  helper.accessor("action", {
    id: "action",
    header: "Action",
    enableSorting: false,
    cell: ({ row }) => {
      const breakGlass = breakGlassIdsOf(row.original.actor.groups);
      return (
        <>
          <span title={row.original.action}>{actionLabel(row.original.action)}</span>
          {breakGlass.length > 0 ? (
            <>
              {" "}
              <span className="badge badge--danger" title={`Made under break-glass access ${breakGlass.join(", ")}`}>
                Break-glass
              </span>
            </>
          ) : null}
        </>
      );
    },
  }),
  helper.accessor("outcome", {
    id: "outcome",
    header: "Outcome",
    enableSorting: false,
    cell: ({ row }) => <span className={OUTCOME_BADGE[row.original.outcome]}>{outcomeLabel(row.original.outcome)}</span>,
  }),
  helper.accessor((row) => row.purpose ?? "", {
    id: "purpose",
    header: "Purpose",
    enableSorting: false,
    cell: ({ row }) =>
      row.original.purpose ? (
        <span title={`${purposeLabel(row.original.purpose)}${row.original.purposeDetail ? ` — ${row.original.purposeDetail}` : ""}`}>{purposeShortLabel(row.original.purpose)}</span>
      ) : (
        <span className="subtle">—</span>
      ),
  }),
  helper.accessor((row) => targetText(row) ?? "", {
    id: "target",
    header: "Target",
    enableSorting: false,
    cell: ({ row }) => {
      const text = targetText(row.original);
      return text ? <Clipped text={text} /> : <span className="subtle">—</span>;
    },
  }),
  helper.accessor((row) => row.rowCount ?? "", { id: "rows", header: "Rows", enableSorting: false, cell: ({ row }) => row.original.rowCount?.toLocaleString("en-US") ?? "—" }),
  helper.accessor((row) => row.actorIp ?? "", {
    id: "ip",
    header: "From",
    enableSorting: false,
    cell: ({ row }) => (row.original.actorIp ? <span className="mono from" title={row.original.actorIp}>{row.original.actorIp}</span> : <span className="subtle">—</span>),
  }),
];

export function AuditTable({ items, descending, baseQuery }: { items: AuditRowDto[]; descending: boolean; baseQuery: string }) {
  const sorting = useMemo<SortingState>(() => [{ id: "time", desc: descending }], [descending]);
  const sortHref = (next: SortingState) => {
    const params = new URLSearchParams(baseQuery);
    params.delete("cursor");
    params.delete("sort");
    if (next[0] && !next[0].desc) params.set("sort", "time_asc");
    const query = params.toString();
    return query ? `/audit?${query}` : "/audit";
  };
  return (
    <div className="audit-table">
      <DataTable
        data={items}
        columns={COLUMNS}
        getRowId={(row) => row.id}
        sorting={sorting}
        columnVisibility={{}}
        sortHref={sortHref}
        numericColumnIds={["rows"]}
        caption="Audit rows matching the filters"
        emptyState={
          <>
            No audit rows match these filters. <Link href="/audit">Clear the filters</Link>
          </>
        }
      />
    </div>
  );
}
