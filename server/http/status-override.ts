// A page cannot set its HTTP status from a server component. When the data
// layer (server/access/audited.ts) finds the audit trail or the database
// unavailable, it records a 503 for the request id here; the portal's HTTP
// front (./front.ts, same process) applies it when the response head is
// written, over a 200 or a 500. A page that renders its error state for a
// refused request (400 invalid input, 403 a filter outside the person's
// scope, 409…) records that status too, applied over a 200 only. Kept on
// globalThis: Next.js bundles its own copy of this module.
//
// No "server-only": the front imports it.
const key = Symbol.for("telemetry-portal.status-overrides");
type Override = { status: number; retryAfterSeconds?: number };
type Holder = typeof globalThis & { [key]?: Map<string, Override> };

function overrides(): Map<string, Override> {
  const holder = globalThis as Holder;
  holder[key] ??= new Map();
  return holder[key];
}

/** Overrides recorded outside the front (scripts, tests) are never taken: keep only the newest. */
const MAX_PENDING = 10_000;

export function overrideStatus(requestId: string, override: Override): void {
  const map = overrides();
  map.delete(requestId);
  map.set(requestId, override);
  if (map.size > MAX_PENDING) map.delete(map.keys().next().value!);
}

/** The override for this request, removed as it is read. */
export function takeStatusOverride(requestId: string): Override | undefined {
  const map = overrides();
  const override = map.get(requestId);
  map.delete(requestId);
  return override;
}
