"use client";
// The access list table: the generic DataTable (TanStack Table, manual
// sorting) with the people of one page, already filtered, sorted and paged by
// the server. A sortable header is a link to the URL of that order.
import Link from "next/link";
import { useMemo } from "react";
import { createColumnHelper, type SortingState } from "@tanstack/react-table";
import { DataTable, type DataTableColumn, type DataTableFeatures } from "@/components/data-table/data-table";
import { GROUP_LABELS } from "@/lib/telemetry/vocabulary";
import type { PeopleSort } from "@/server/data/admin/schemas";
import type { PersonSummaryDto } from "@/server/data/admin/types";
import { CAPABILITY_BADGES, capabilityShortLabel, employmentLabel, formatDate } from "./format";

const helper = createColumnHelper<DataTableFeatures, PersonSummaryDto>();

/** Column id → the server's sort key. */
const SORT_KEYS = { name: "name", email: "email", nextExpiry: "expiry", createdAt: "created" } as const;
type SortableColumn = keyof typeof SORT_KEYS;

// Accessor columns are the sortable ones (the server sorts by them); display columns are not.
const COLUMNS: Array<DataTableColumn<PersonSummaryDto>> = [
  helper.accessor("name", {
    id: "name",
    header: "Name",
    cell: ({ row }) => <Link href={`/admin/people/${row.original.id}`}>{row.original.name}</Link>,
  }),
  helper.accessor("email", { id: "email", header: "Email", cell: ({ row }) => <span className="mono">{row.original.email}</span> }),
  helper.display({
    id: "employment",
    header: "Employer",
    cell: ({ row }) => employmentLabel(row.original.employer, row.original.employmentType),
  }),
  helper.display({
    id: "groups",
    header: "Groups",
    cell: ({ row }) => (row.original.groups.length > 0 ? row.original.groups.map((group) => GROUP_LABELS[group]).join(", ") : "—"),
  }),
  helper.display({ id: "roles", header: "Roles", cell: ({ row }) => (row.original.roles.length > 0 ? row.original.roles.join(", ") : "—") }),
  helper.display({
    id: "status",
    header: "Status",
    cell: ({ row }) => (
      <span className={CAPABILITY_BADGES[row.original.capability.tone]} title={row.original.capability.summary}>
        {capabilityShortLabel(row.original.capability)}
      </span>
    ),
  }),
  helper.accessor("nextExpiry", {
    id: "nextExpiry",
    header: "Next expiry",
    cell: ({ row }) => (row.original.nextExpiry ? <span className="mono">{formatDate(row.original.nextExpiry)}</span> : "—"),
  }),
  helper.accessor("createdAt", { id: "createdAt", header: "Added", cell: ({ row }) => <span className="mono">{formatDate(row.original.createdAt)}</span>, sortDescFirst: true }),
];

export function PeopleTable({ items, sort, baseQuery }: { items: PersonSummaryDto[]; sort: PeopleSort; baseQuery: string }) {
  const sorting = useMemo<SortingState>(() => {
    const [key, direction] = sort.split("_") as [string, "asc" | "desc"];
    const column = (Object.keys(SORT_KEYS) as SortableColumn[]).find((id) => SORT_KEYS[id] === key) ?? "name";
    return [{ id: column, desc: direction === "desc" }];
  }, [sort]);

  const sortHref = (next: SortingState) => {
    const first = next[0];
    const key = first && first.id in SORT_KEYS ? SORT_KEYS[first.id as SortableColumn] : "name";
    const nextSort = `${key}_${first?.desc ? "desc" : "asc"}`;
    const params = new URLSearchParams(baseQuery);
    params.delete("sort");
    params.delete("cursor");
    if (nextSort !== "name_asc") params.set("sort", nextSort);
    const query = params.toString();
    return query ? `/admin/people?${query}` : "/admin/people";
  };

  return (
    <DataTable
      data={items}
      columns={COLUMNS}
      getRowId={(person) => person.id}
      sorting={sorting}
      columnVisibility={{}}
      sortHref={sortHref}
      caption="People on the access list matching the filters"
      emptyState={
        <>
          Nobody matches these filters. <Link href="/admin/people">Clear the filters</Link>
        </>
      }
    />
  );
}
