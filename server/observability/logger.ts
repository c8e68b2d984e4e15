// Structured JSON logs (pino). Every line written while a request is being
// served carries its request id — the one in the response's X-Request-Id and
// in the request's audit rows — because the HTTP front runs each request
// inside an AsyncLocalStorage scope that the logger's mixin reads. Outside
// development, console.* is routed through the same logger, so Next.js's own
// messages and the data layer's console.error lines are JSON with the id too.
// Logs never carry telemetry content or personal data beyond what an audit row
// holds (method, route, status, timings; no query strings, no bodies).
//
// Kept on globalThis: Next.js bundles its own copy of this module.
// No "server-only": the start script imports it.
import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import pino, { type Logger, type LevelWithSilent } from "pino";

export type RequestScope = { requestId: string };

type Shared = { logger: Logger; scope: AsyncLocalStorage<RequestScope> };
const key = Symbol.for("telemetry-portal.logger");
type Holder = typeof globalThis & { [key]?: Shared };

function shared(): Shared {
  const holder = globalThis as Holder;
  if (!holder[key]) {
    const scope = new AsyncLocalStorage<RequestScope>();
    const logger = pino({
      level: process.env.LOG_LEVEL ?? "info",
      base: { service: "telemetry-portal", pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const current = scope.getStore();
        return current ? { requestId: current.requestId } : {};
      },
      // Never log a cookie or an authorization header, whatever a caller passes.
      redact: { paths: ["req.headers.cookie", "req.headers.authorization", "headers.cookie", "headers.authorization"], censor: "[redacted]" },
    });
    holder[key] = { logger, scope };
  }
  return holder[key];
}

export function getLogger(): Logger {
  return shared().logger;
}

export function setLogLevel(level: LevelWithSilent): void {
  shared().logger.level = level;
}

/** Runs `work` with every log line inside it tagged with this request id. */
export function withRequestScope<T>(requestId: string, work: () => T): T {
  return shared().scope.run({ requestId }, work);
}

export function currentRequestId(): string | undefined {
  return shared().scope.getStore()?.requestId;
}

/** console.log/info/warn/error → JSON lines (an Error argument becomes `err`). */
export function routeConsoleToLogger(): void {
  const logger = getLogger();
  const route =
    (level: "info" | "warn" | "error" | "debug") =>
    (...args: unknown[]) => {
      const error = args.find((arg): arg is Error => arg instanceof Error);
      const message = format(...args.filter((arg) => arg !== error));
      if (error) logger[level]({ err: error }, message || error.message);
      else logger[level](message);
    };
  console.log = route("info");
  console.info = route("info");
  console.warn = route("warn");
  console.error = route("error");
  console.debug = route("debug");
}
