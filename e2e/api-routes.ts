// Every /api/v1 route, found on disk when a suite loads (a new route is
// covered without touching any spec), with the HTTP methods it exports and who
// may and may not call it. Shared by the authorization suite
// (authz/api-routes.spec.ts) and the fuzz stage (fuzz/).
import fs from "node:fs";
import path from "node:path";
import type { SignedInPersona } from "./fixtures";

export const API_ROOT = path.resolve(import.meta.dirname, "../app/api/v1");
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type Method = (typeof HTTP_METHODS)[number];

/** A path segment: literal text, or a dynamic `[name]` segment. */
export type RouteSegment = { literal: string } | { param: string };

export type ApiRoute = {
  /** the URL path, dynamic segments filled with `segmentValues` (or `[name]` when none is given) */
  path: string;
  /** the route as Next.js names it, e.g. /api/v1/events/[id]/reveal */
  template: string;
  segments: RouteSegment[];
  /** the route file, relative to app/api/v1 */
  file: string;
  methods: Method[];
};

/** The methods a route file exports, as `export (async) function GET`, `export const GET` or `export const { GET }`. */
function exportedMethods(source: string): Method[] {
  return HTTP_METHODS.filter((method) =>
    new RegExp(`export\\s+(async\\s+)?function\\s+${method}\\b|export\\s+const\\s+${method}\\b|export\\s+const\\s*\\{[^}]*\\b${method}\\b[^}]*\\}`).test(source),
  );
}

/**
 * Every route.ts under app/api/v1. `segmentValues` fills dynamic segments in
 * `path`; a dynamic segment without a value throws when `requireValues` is set.
 */
export function discoverApiRoutes(segmentValues: Record<string, string> = {}, options: { requireValues?: boolean } = {}, dir = API_ROOT): ApiRoute[] {
  const routes: ApiRoute[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) routes.push(...discoverApiRoutes(segmentValues, options, full));
    else if (/^route\.(ts|tsx|js)$/.test(entry.name)) {
      const segments: RouteSegment[] = path
        .relative(API_ROOT, dir)
        .split(path.sep)
        .filter((segment) => segment && !/^\(.*\)$/.test(segment))
        .map((segment) => {
          const dynamic = /^\[(.+)\]$/.exec(segment)?.[1];
          return dynamic ? { param: dynamic } : { literal: segment };
        });
      const file = path.relative(API_ROOT, full);
      const fill = (segment: RouteSegment) => {
        if ("literal" in segment) return segment.literal;
        const value = segmentValues[segment.param];
        if (value === undefined && options.requireValues) {
          throw new Error(`app/api/v1/${file}: add a value for the [${segment.param}] segment`);
        }
        return value ?? `[${segment.param}]`;
      };
      const join = (parts: string[]) => `/api/v1/${parts.join("/")}`.replace(/\/$/, "");
      routes.push({
        path: join(segments.map(fill)),
        template: join(segments.map((segment) => ("literal" in segment ? segment.literal : `[${segment.param}]`))),
        segments,
        file,
        methods: exportedMethods(fs.readFileSync(full, "utf8")),
      });
    }
  }
  return routes.sort((a, b) => a.template.localeCompare(b.template));
}

/**
 * How each route authenticates, by path prefix; who is signed in and may use
 * it (`allowedAs`), and who is signed in but lacks the permission it needs
 * (`deniedAs`; "no-grant": a signed-in person whose grants were all revoked,
 * for routes every person on the list may use, such as "who am I").
 * Telemetry intake takes an ingestion key, never a session: a portal session
 * must not authenticate it, and its refusals are not accesses by a person, so
 * they are not in the audit trail.
 */
export type ApiRouteRule =
  | { prefix: string; auth: "session"; allowedAs: SignedInPersona; deniedAs: Array<SignedInPersona | "no-grant"> }
  | { prefix: string; auth: "ingestion-key" }
  /** a machine with a bearer token (the audit witness): no session, no audit row */
  | { prefix: string; auth: "token" };

export const API_ROUTE_RULES: ApiRouteRule[] = [
  { prefix: "/api/v1/events", auth: "session", allowedAs: "viewerCopilot", deniedAs: ["auditor", "admin"] },
  { prefix: "/api/v1/audit", auth: "session", allowedAs: "auditor", deniedAs: ["viewerCopilot", "admin"] },
  { prefix: "/api/v1/admin", auth: "session", allowedAs: "admin", deniedAs: ["viewerCopilot", "auditor"] },
  { prefix: "/api/v1/me", auth: "session", allowedAs: "viewerHealth", deniedAs: ["no-grant"] },
  // saved views: telemetry readers only
  { prefix: "/api/v1/views", auth: "session", allowedAs: "viewerCopilot", deniedAs: ["auditor", "admin"] },
  // access review reports: a group's reviewers (its approvers, the admins) and auditors
  { prefix: "/api/v1/access", auth: "session", allowedAs: "admin", deniedAs: ["viewerCopilot"] },
  { prefix: "/api/v1/telemetry", auth: "ingestion-key" },
  { prefix: "/api/v1/witness", auth: "token" },
];

export function ruleForRoute(route: Pick<ApiRoute, "template">): ApiRouteRule | undefined {
  return API_ROUTE_RULES.find(({ prefix }) => route.template === prefix || route.template.startsWith(`${prefix}/`));
}
