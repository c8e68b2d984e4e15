// Every /api/v1 route, found on disk when the suite loads (a new route is
// covered without touching this file), and every HTTP method it exports:
//   - no session                              → 401 JSON, never HTML or a redirect
//   - no session, forged x-middleware-subrequest (the proxy-bypass header) → still 401
//   - a signed-in person without the permission → 403 JSON
// and each refusal leaves an audit row with outcome "denied". Telemetry
// intake (an ingestion key, not a session) answers 401 to a portal session too.
import { request as playwrightRequest, type APIRequestContext, type APIResponse } from "@playwright/test";
import { discoverApiRoutes, ruleForRoute as ruleFor, type Method } from "../api-routes";
import { auditRowsFor, revokeGrantsOf } from "../db";
import { PERSONAS, UNKNOWN_EVENT_ID, expect, storageStateFor, test } from "../fixtures";

const FORGED_SUBREQUEST = "middleware:middleware:middleware:middleware:middleware";

/** Values for dynamic segments: valid, so a refusal cannot be a 400 for a malformed parameter. */
const SEGMENT_VALUES: Record<string, string> = { id: UNKNOWN_EVENT_ID };

const ROUTES = discoverApiRoutes(SEGMENT_VALUES, { requireValues: true });

async function call(api: APIRequestContext, method: Method, url: string, headers: Record<string, string>): Promise<APIResponse> {
  return api.fetch(url, {
    method,
    headers: { accept: "application/json", ...headers },
    maxRedirects: 0,
    ...(method === "GET" || method === "HEAD" || method === "OPTIONS" ? {} : { data: {} }),
  });
}

/** A refusal as the API must give it: the status, as private JSON, no redirect, no data. */
async function expectJsonRefusal(response: APIResponse, status: 401 | 403, method: Method): Promise<void> {
  expect(response.status(), `${method} ${response.url()}`).toBe(status);
  expect(response.headers()["content-type"]).toContain("application/json");
  expect(response.headers()["cache-control"]).toMatch(/private/);
  expect(response.headers()["cache-control"]).toMatch(/no-store/);
  expect(response.headers().location).toBeUndefined();
  if (method === "HEAD") return;
  const body = await response.json();
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(status === 401 ? "unauthenticated" : "forbidden");
}

test("the API has routes to check, and every route has a rule for who is refused", () => {
  expect(ROUTES.map((route) => route.path)).toEqual(expect.arrayContaining(["/api/v1/me", "/api/v1/events"]));
  for (const route of ROUTES) {
    expect(route.methods.length, `${route.file} exports no HTTP method`).toBeGreaterThan(0);
    expect(ruleFor(route), `${route.path}: add a rule for it to API_ROUTE_RULES (e2e/api-routes.ts)`).toBeDefined();
  }
});

test.describe("without a session", () => {
  for (const route of ROUTES) {
    for (const method of route.methods) {
      const audited = ruleFor(route)?.auth === "session";
      test(`${method} ${route.path} → 401 JSON, forged proxy header or not${audited ? ", audited" : ""}`, async ({ auditTag, baseURL }) => {
        const api = await playwrightRequest.newContext({ baseURL });
        try {
          const plain = `${auditTag}/plain`;
          const forged = `${auditTag}/forged`;
          await expectJsonRefusal(await call(api, method, route.path, { "user-agent": plain }), 401, method);
          await expectJsonRefusal(await call(api, method, route.path, { "user-agent": forged, "x-middleware-subrequest": FORGED_SUBREQUEST }), 401, method);
          if (!audited) return;
          for (const tag of [plain, forged]) {
            const rows = await auditRowsFor(tag);
            expect(rows.length, `audit rows for ${method} ${route.path}`).toBeGreaterThan(0);
            for (const row of rows) expect(row).toMatchObject({ outcome: "denied", actor_email: null, reason: expect.stringMatching(/^unauthenticated:/) });
          }
        } finally {
          await api.dispose();
        }
      });
    }
  }
});

test.describe("signed in without the permission", () => {
  const restores: Array<() => Promise<void>> = [];
  // "no-grant": Omar OpenAI's stored session, with all his grants revoked meanwhile
  test.beforeAll(async () => {
    restores.push(await revokeGrantsOf(PERSONAS.viewerOpenai.email, "authz suite: a signed-in person with no grant"));
  });
  test.afterAll(async () => {
    for (const restore of restores.splice(0)) await restore();
  });

  for (const route of ROUTES) {
    const rule = ruleFor(route);
    if (rule?.auth === "ingestion-key" || rule?.auth === "token") {
      for (const method of route.methods) {
        test(`${method} ${route.path} with a portal session and no ${rule.auth === "token" ? "bearer token" : "ingestion key"} → 401 JSON`, async ({ auditTag, baseURL }) => {
          const api = await playwrightRequest.newContext({ baseURL, storageState: storageStateFor("viewerCopilot") });
          try {
            await expectJsonRefusal(await call(api, method, route.path, { "user-agent": auditTag }), 401, method);
          } finally {
            await api.dispose();
          }
        });
      }
    }
    for (const persona of rule?.auth === "session" ? rule.deniedAs : []) {
      const who = persona === "no-grant" ? "viewerOpenai" : persona;
      const email = PERSONAS[who].email;
      for (const method of route.methods) {
        test(`${method} ${route.path} as ${persona === "no-grant" ? `${email} (no grant in force)` : email} → 403 JSON, audited`, async ({ auditTag, baseURL }) => {
          const api = await playwrightRequest.newContext({ baseURL, storageState: storageStateFor(who) });
          try {
            // a declared purpose, so that the refusal can only be about the permission
            await api.put("/api/v1/me/purpose", { data: { purpose: "evaluate_product" }, headers: { "user-agent": `${auditTag}/setup` } });
            await expectJsonRefusal(await call(api, method, route.path, { "user-agent": auditTag }), 403, method);
            const rows = await auditRowsFor(auditTag);
            expect(rows.length, `audit rows for ${method} ${route.path}`).toBeGreaterThan(0);
            for (const row of rows) expect(row).toMatchObject({ outcome: "denied", actor_email: email, reason: expect.stringMatching(/^forbidden:/) });
          } finally {
            await api.dispose();
          }
        });
      }
    }
  }
});
