import type { Metadata } from "next";
import Link from "next/link";
import { ErrorState } from "@/components/error-state";
import { PeopleFilterForm } from "@/components/admin/people-filter-form";
import { PeopleTable } from "@/components/admin/people-table";
import { toUrlSearchParams, withQuery } from "@/lib/telemetry/search-params";
import { listPeople } from "@/server/data/admin/list-people";
import { PEOPLE_SORTS, type PeopleSort } from "@/server/data/admin/schemas";
import { loadForPage } from "@/server/http/page-guard";

export const metadata: Metadata = { title: "Access list" };

type RawSearchParams = Record<string, string | string[] | undefined>;

export default async function PeoplePage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const raw = await searchParams;
  const query = toUrlSearchParams(raw);
  const result = await loadForPage(withQuery("/admin/people", query), () => listPeople(query));
  const sortParam = query.get("sort");
  const sort: PeopleSort = PEOPLE_SORTS.includes(sortParam as PeopleSort) ? (sortParam as PeopleSort) : "name_asc";
  const base = new URLSearchParams(query);
  base.delete("cursor");

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Access list</h1>
          <p className="subtle">The named people who may see Copilot telemetry, with their groups, roles and when their grants expire.</p>
        </div>
        <Link className="button" href="/admin/people/new">
          Add person
        </Link>
      </div>
      <PeopleFilterForm values={raw} />
      {!result.ok ? (
        <>
          <ErrorState error={result.error} />
          <p>
            <Link href="/admin/people">Show the whole list</Link>
          </p>
        </>
      ) : (
        <section aria-labelledby="people-count" className="stack">
          <h2 id="people-count" className="results-count">
            {result.value.total} {result.value.total === 1 ? "person" : "people"}
          </h2>
          <PeopleTable items={result.value.items} sort={sort} baseQuery={base.toString()} />
          <nav className="pager" aria-label="Pages">
            <span className="subtle">
              {result.value.items.length} on this page{query.get("cursor") ? " (a later page)" : ""}
            </span>
            <span className="pager-links">
              {query.get("cursor") ? (
                <Link className="button button--secondary" href={withQuery("/admin/people", base)}>
                  First page
                </Link>
              ) : null}
              {result.value.nextCursor ? (
                <Link className="button" href={withQuery("/admin/people", new URLSearchParams([...base.entries(), ["cursor", result.value.nextCursor]]))}>
                  Next page →
                </Link>
              ) : null}
            </span>
          </nav>
        </section>
      )}
    </>
  );
}
