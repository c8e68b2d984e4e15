// Quick time ranges as links: one click sets `range` (dropping from/to and
// any cursor) and keeps every other filter of the current URL.
import Link from "next/link";
import { QUICK_RANGE_LABELS, QUICK_RANGES, type QuickRange, type RawSearchParams } from "@/lib/telemetry/event-query";
import { toUrlSearchParams, withQuery } from "@/lib/telemetry/search-params";

export function QuickRangeLinks({ path, raw }: { path: string; raw: RawSearchParams }) {
  const current = typeof raw.range === "string" ? raw.range : raw.from || raw.to ? "custom" : "";
  const hrefFor = (range: QuickRange | null) => {
    const params = toUrlSearchParams(raw);
    for (const key of ["range", "from", "to", "cursor"]) params.delete(key);
    if (range) params.set("range", range);
    return withQuery(path, params);
  };
  return (
    <nav className="quick-ranges" aria-label="Quick time ranges">
      {QUICK_RANGES.map((range) => (
        <Link key={range} href={hrefFor(range)} className="chip" aria-current={current === range ? "true" : undefined}>
          {QUICK_RANGE_LABELS[range]}
        </Link>
      ))}
      <Link href={hrefFor(null)} className="chip" aria-current={current === "" ? "true" : undefined}>
        Any time
      </Link>
    </nav>
  );
}
