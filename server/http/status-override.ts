// A page cannot set its HTTP status from a server component. When the data
// layer finds the audit trail or the database unavailable while rendering a
// page, the page records a 503 for its request id here; the portal's HTTP
// front (./front.ts, same process) applies it when the response head is
// written. Kept on globalThis: Next.js bundles its own copy of this module.
//
// No "server-only": the front imports it.
const key = Symbol.for("telemetry-portal.status-overrides");
type Override = { status: number; retryAfterSeconds: number };
type Holder = typeof globalThis & { [key]?: Map<string, Override> };

function overrides(): Map<string, Override> {
  const holder = globalThis as Holder;
  holder[key] ??= new Map();
  return holder[key];
}

export function overrideStatus(requestId: string, override: Override): void {
  overrides().set(requestId, override);
}

/** The override for this request, removed as it is read. */
export function takeStatusOverride(requestId: string): Override | undefined {
  const map = overrides();
  const override = map.get(requestId);
  map.delete(requestId);
  return override;
}
