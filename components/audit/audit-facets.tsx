// The audit console's facets: for each of actor, action, outcome, purpose and
// employer, the values found under the current filters with their counts
// (each facet counted without its own pick). A value is a link that adds it
// to the filter or, when picked, takes it out again; picks within one facet
// are alternatives (OR), facets combine (AND). Plain links: no script needed.
import Link from "next/link";
import { actorToggleHref, clearHref, isActorPicked, isPicked, toggleHref } from "@/lib/audit/console-links";
import { actionLabel, actorLabel, employerLabel, outcomeLabel, purposeLabel } from "@/lib/audit/labels";
import { formatCount } from "@/lib/telemetry/format";
import type { AuditFacets as AuditFacetsDto, FacetValue } from "@/server/data/audit/audit-overview";

type Item = { key: string; count: number; label: string; detail?: string | null; href: string; picked: boolean };

function FacetList({ id, title, items, anyHref, note }: { id: string; title: string; items: Item[]; anyHref: string | null; note?: string }) {
  const max = Math.max(1, ...items.map((item) => item.count));
  return (
    <section className="facet" aria-labelledby={`facet-${id}`}>
      <div className="facet__head">
        <h3 id={`facet-${id}`}>{title}</h3>
        {anyHref ? (
          <Link href={anyHref} className="facet__clear">
            Any<span className="visually-hidden"> {title.toLowerCase()}</span>
          </Link>
        ) : null}
      </div>
      {items.length === 0 ? (
        <p className="subtle facet__empty">No rows.</p>
      ) : (
        <ul className="facet__list">
          {items.map((item) => (
            <li key={item.key}>
              <Link
                href={item.href}
                className={`facet__item${item.picked ? " facet__item--picked" : ""}`}
                aria-current={item.picked ? "true" : undefined}
                title={item.detail ? `${item.label} — ${item.detail}` : item.label}
                style={{ ["--share" as string]: `${Math.round((item.count / max) * 100)}%` }}
              >
                <span className="facet__check" aria-hidden="true">
                  {item.picked ? "✓" : ""}
                </span>
                <span className="facet__label">
                  {item.label}
                  {item.detail ? <small>{item.detail}</small> : null}
                </span>
                <span className="facet__count">{formatCount(item.count)}</span>
                <span className="visually-hidden">{item.picked ? " (picked; follow to remove)" : ""}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {note ? <p className="hint facet__note">{note}</p> : null}
    </section>
  );
}

function simpleItems(params: URLSearchParams, key: string, values: FacetValue[], label: (key: string) => string): Item[] {
  return values.map((value) => ({
    key: value.key,
    count: value.count,
    label: label(value.key),
    href: toggleHref(params, key, value.key),
    picked: isPicked(params, key, value.key),
  }));
}

export function AuditFacets({ facets, params }: { facets: AuditFacetsDto; params: URLSearchParams }) {
  const anyOf = (...keys: string[]) => (keys.some((key) => params.has(key)) ? clearHref(params, ...keys) : null);
  const actors: Item[] = facets.actor.values.map((actor) => ({
    key: actor.key,
    count: actor.count,
    label: actor.name ?? actorLabel(actor),
    detail: actor.name ? actor.email : actor.key.startsWith("email:") ? "not on the access list" : null,
    href: actorToggleHref(params, actor.key),
    picked: isActorPicked(params, actor.key),
  }));
  return (
    <section className="card facets" aria-labelledby="facets-heading">
      <h2 id="facets-heading" className="visually-hidden">
        Narrow down
      </h2>
      <div className="facets__grid">
        <FacetList
          id="actor"
          title="Actor"
          items={actors}
          anyHref={anyOf("person", "actor")}
          note={facets.actor.limited ? "The busiest people; type an email in the filters for others." : undefined}
        />
        <FacetList id="action" title="Action" items={simpleItems(params, "action", facets.action.values, actionLabel)} anyHref={anyOf("action")} />
        <FacetList id="outcome" title="Outcome" items={simpleItems(params, "outcome", facets.outcome.values, outcomeLabel)} anyHref={anyOf("outcome")} />
        <FacetList id="purpose" title="Purpose" items={simpleItems(params, "purpose", facets.purpose.values, purposeLabel)} anyHref={anyOf("purpose")} />
        <FacetList id="employer" title="Employer" items={simpleItems(params, "employer", facets.employer.values, employerLabel)} anyHref={anyOf("employer")} />
      </div>
    </section>
  );
}
