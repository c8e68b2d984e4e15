// Whether this instance is stopping (SIGTERM received): /readyz answers 503 so
// the load balancer sends no new work while in-flight requests finish.
// Kept on globalThis: the start script sets it, Next.js's copy reads it.
// No "server-only": the start script imports it.
const key = Symbol.for("telemetry-portal.draining");
type Holder = typeof globalThis & { [key]?: boolean };

export function setDraining(value: boolean): void {
  (globalThis as Holder)[key] = value;
}

export function isDraining(): boolean {
  return (globalThis as Holder)[key] === true;
}
