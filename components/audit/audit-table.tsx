"use client";
// The audit console's table: the generic DataTable over one page of audit
// rows. Sorting (by time) lives in the URL; the server has filtered and paged.
import Link from "next/link";
import { useMemo } from "react";
import { createColumnHelper, type SortingState } from "@tanstack/react-table";
import { DataTable, type DataTableColumn, type DataTableFeatures } from "@/components/data-table/data-table";
import { AUDIT_ACTION_LABELS, type AuditAction } from "@/lib/audit/actions";
import { formatUtc } from "@/lib/telemetry/format";
import { PURPOSE_LABELS } from "@/lib/telemetry/vocabulary";
import type { AuditRowDto } from "@/server/data/audit/audit-rows";

const helper = createColumnHelper<DataTableFeatures, AuditRowDto>();

const OUTCOME_BADGE = { allowed: "badge badge--ok", denied: "badge badge--danger", error: "badge badge--warn" } as const;

function target(row: AuditRowDto): string {
  if (row.eventIds.length > 1) return `${row.eventIds.length} events`;
  if (row.eventIds.length === 1) return `event ${row.eventIds[0]?.slice(0, 8)}…`;
  if (row.targetType) return row.targetId ? `${row.targetType} ${row.targetId.slice(0, 24)}` : row.targetType;
  return "—";
}

const COLUMNS: Array<DataTableColumn<AuditRowDto>> = [
  helper.accessor("occurredAt", {
    id: "time",
    header: "Time (UTC)",
    enableSorting: true,
    sortDescFirst: true,
    cell: ({ row }) => (
      <Link href={`/audit/${row.original.id}`} className="mono" title="Open this audit row">
        {formatUtc(row.original.occurredAt)}
      </Link>
    ),
  }),
  helper.accessor((row) => row.actor.email ?? "", {
    id: "actor",
    header: "Actor",
    enableSorting: false,
    cell: ({ row }) => row.original.actor.email ?? <span className="subtle">anonymous</span>,
  }),
  helper.accessor("action", {
    id: "action",
    header: "Action",
    enableSorting: false,
    cell: ({ row }) => AUDIT_ACTION_LABELS[row.original.action as AuditAction] ?? row.original.action,
  }),
  helper.accessor("outcome", {
    id: "outcome",
    header: "Outcome",
    enableSorting: false,
    cell: ({ row }) => <span className={OUTCOME_BADGE[row.original.outcome]}>{row.original.outcome}</span>,
  }),
  helper.accessor((row) => row.purpose ?? "", {
    id: "purpose",
    header: "Purpose",
    enableSorting: false,
    cell: ({ row }) => (row.original.purpose ? PURPOSE_LABELS[row.original.purpose] : "—"),
  }),
  helper.accessor(target, { id: "target", header: "Target", enableSorting: false }),
  helper.accessor((row) => row.rowCount ?? "", { id: "rows", header: "Rows", enableSorting: false, cell: ({ row }) => row.original.rowCount ?? "—" }),
  helper.accessor((row) => row.actorIp ?? "", { id: "ip", header: "From", enableSorting: false, cell: ({ row }) => row.original.actorIp ?? "—" }),
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
  );
}
