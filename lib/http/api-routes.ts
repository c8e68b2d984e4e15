// The JSON API's routes (and the Application Insights intake's) and the
// methods each answers, for the HTTP front (server/http/front.ts): a request
// under /api (but /api/auth, Auth.js's) or /v2 that no route takes — an
// unknown path, or a method the route does not export — is refused there as
// JSON (404 / 405) and audited, instead of reaching Next.js's HTML not-found
// page or its empty 405. `[name]` is a dynamic segment (any one segment).
// /scim/v2 is the SCIM endpoint for identity providers (server/scim/).
// api-routes.test.ts checks this list against app/api/v1, app/v2 and app/scim/v2 on disk.
// Safe on both sides (the front imports it outside Next.js).

export const API_ROUTE_METHODS: Readonly<Record<string, readonly string[]>> = {
  "/api/v1/access/reviews/[id]/report": ["GET"],
  "/api/v1/admin/access-list": ["GET"],
  "/api/v1/admin/people": ["GET"],
  "/api/v1/admin/people/[id]": ["GET"],
  "/api/v1/audit": ["GET"],
  "/api/v1/audit/[id]": ["GET"],
  "/api/v1/audit/[id]/proof": ["GET"],
  "/api/v1/audit/checkpoints": ["GET"],
  "/api/v1/audit/checkpoints/consistency": ["GET"],
  "/api/v1/audit/disclosures": ["GET"],
  "/api/v1/audit/export": ["GET"],
  "/api/v1/audit/verify": ["GET"],
  "/api/v1/events": ["GET"],
  "/api/v1/events/[id]": ["GET"],
  "/api/v1/events/[id]/reveal": ["POST"],
  "/api/v1/events/export": ["GET"],
  "/api/v1/events/facets": ["GET"],
  "/api/v1/events/histogram": ["GET"],
  "/api/v1/events/insights": ["GET"],
  "/api/v1/me": ["GET"],
  "/api/v1/me/purpose": ["PUT"],
  "/api/v1/telemetry": ["POST"],
  "/api/v1/views": ["GET", "POST"],
  "/api/v1/views/[id]": ["GET", "DELETE"],
  "/api/v1/witness/add-checkpoint": ["POST"],
  "/v2/track": ["POST"],
  "/scim/v2/Groups": ["GET", "POST"],
  "/scim/v2/Groups/[id]": ["GET", "PUT", "PATCH", "DELETE"],
  "/scim/v2/ResourceTypes": ["GET"],
  "/scim/v2/Schemas": ["GET"],
  "/scim/v2/ServiceProviderConfig": ["GET"],
  "/scim/v2/Users": ["GET", "POST"],
  "/scim/v2/Users/[id]": ["GET", "PUT", "PATCH", "DELETE"],
};

/** Next.js answers these for every route: HEAD as GET without the body, OPTIONS with the Allow header. */
function allowedMethods(exported: readonly string[]): string[] {
  return [...new Set([...exported, ...(exported.includes("GET") ? ["HEAD"] : []), "OPTIONS"])].sort();
}

export type ApiRouteMatch = { route: string; allowed: string[] };

/**
 * The route a path under /api/v1 or /v2 names, with the methods it allows; null when
 * none does. Static segments win over dynamic ones, as in Next.js.
 */
export function matchApiRoute(path: string): ApiRouteMatch | null {
  const segments = path.split("/");
  let best: { route: string; score: number } | null = null;
  for (const route of Object.keys(API_ROUTE_METHODS)) {
    const pattern = route.split("/");
    if (pattern.length !== segments.length) continue;
    let score = 0;
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? "";
      if (/^\[.+\]$/.test(part)) return segment !== "";
      score += 1;
      return part === segment;
    });
    if (matches && (!best || score > best.score)) best = { route, score };
  }
  return best ? { route: best.route, allowed: allowedMethods(API_ROUTE_METHODS[best.route] ?? []) } : null;
}
