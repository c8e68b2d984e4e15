// The shapes the explorer's data layer returns (DTOs), shared with the pages,
// the client components and API clients. Built by server/telemetry/event-dto.ts:
// a field whose class the person's scope does not grant for the event's kind
// is absent from the object, not blanked. `content` is never in a list item.
import type { EventColumnId } from "./event-columns";
import type { FacetFieldKey } from "./event-query";
import type { EventDto, JsonValue } from "./fields";
import type { EventKind, FieldClass } from "./vocabulary";

export type { EventDto, JsonValue };

/** One event opened on its own: the classes shown, and whether there is content to reveal. */
export type EventDetailDto = EventDto & {
  /** the field classes the person's scope grants for this event's kind (may include `content`) */
  fieldClasses: FieldClass[];
  /** present only when `content` is granted for this kind: whether the event carries any */
  hasContent?: boolean;
};

export type EventTotal = { value: number; exact: boolean };

export type EventListResult = {
  items: EventDto[];
  /** opaque; pass as `cursor` for the next page; null on the last page */
  nextCursor: string | null;
  /** opaque; pass as `cursor` for the previous page (exactly the rows before this one); null on the first page */
  prevCursor: string | null;
  /** how many rows of the list come before this page (0 on the first); null when the cursor did not carry it */
  offset: number | null;
  total: EventTotal;
  /** the columns this person may choose, those chosen (the defaults when the URL names none), and the defaults for the kinds in view */
  columns: { available: EventColumnId[]; selected: EventColumnId[]; defaults: EventColumnId[] };
  /** only when nothing matched: why, in words the person can act on (kinds or fields outside their access, a case-only mismatch, a time range without their events) */
  emptyHints?: string[];
};

export type RevealedContent = {
  id: string;
  /** the decrypted content document, or null when the event carries none */
  content: {
    prefix?: string;
    suffix?: string;
    editorState?: { line: number; character: number; relativePath?: string; lineCount?: number };
    suggestions?: string[];
    persistedText?: string;
    unclassified?: Record<string, string | number | boolean | null>;
  } | null;
};

export type InsightsBucket = "hour" | "day";

export type ChartUnavailable = { reason: string };

export type EventInsights = {
  bucket: InsightsBucket;
  /** the time window charted (ISO), null when open-ended */
  from: string | null;
  to: string | null;
  /** the kinds charted: the person's permitted kinds ∩ the kinds filtered */
  kinds: EventKind[];
  totalEvents: number;
  volume: { buckets: Array<{ bucket: string; counts: Partial<Record<EventKind, number>> }>; totals: Partial<Record<EventKind, number>> };
  /** requested → shown → accepted; a step is null when its kind is outside the charted kinds */
  funnel: Array<{ kind: EventKind; count: number | null }>;
  acceptance: Array<{ bucket: string; shown: number; accepted: number; rate: number | null }> | ChartUnavailable;
  latency: Array<{ bucket: string; count: number; p50: number; p95: number }> | ChartUnavailable;
  errors: Array<{ errorKind: string; count: number }> | ChartUnavailable;
  redaction: { candidates: number; filters: Array<{ filter: string; count: number; rate: number | null }> } | ChartUnavailable;
  persistence: Array<{ checkSec: number; count: number; meanRatio: number; medianRatio: number; fullyPersistedShare: number }> | ChartUnavailable;
  /** percentiles estimated from the rollups' buckets (lib/telemetry/rollup-buckets.ts): the most they can be off, null when exact */
  approximate: { latencyRelativeError: number | null; persistenceMedianError: number | null };
};

export function isChartUnavailable(value: unknown): value is ChartUnavailable {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "reason" in value;
}

/** The top values of one field, with counts (GET /api/v1/events/facets). */
export type EventFacets = {
  field: FacetFieldKey;
  /** the field's label in the filter form */
  label: string;
  /** most frequent first; `value` as the field's filter parameter takes it, `label` when the value has one (accepted: Accepted/Rejected) */
  values: Array<{ value: string; count: number; label?: string }>;
  /** more values exist than were asked for */
  more: boolean;
  /** the kinds counted: the person's permitted kinds (∩ those filtered) on which the field is granted */
  kinds: EventKind[];
};
