// Private data is never cached: responses that carry it say
// `Cache-Control: private, no-store`, and the production build renders every
// page per request (nothing behind sign-in is prerendered, so no stored HTML
// of one person's data can be served to another).
import fs from "node:fs";
import path from "node:path";
import { PERSONAS, declarePurpose, expect, storageStateFor, test } from "../fixtures";

const BUILD = path.resolve(import.meta.dirname, "../../.next");
/** Next's own error shells: static by design, they hold no data. */
const STATIC_ALLOWED = new Set(["/_not-found", "/_global-error"]);

function readBuildManifest<T>(name: string): T {
  const file = path.join(BUILD, name);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the browser tests run against a production build (next build)`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

function expectPrivate(headers: Record<string, string>, what: string): void {
  const cacheControl = headers["cache-control"] ?? "";
  expect(cacheControl, `${what}: Cache-Control`).toMatch(/(^|,\s*)private(,|$)/);
  expect(cacheControl, `${what}: Cache-Control`).toMatch(/(^|,\s*)no-store(,|$)/);
  expect(headers["x-nextjs-cache"], `${what} came from Next's cache`).toBeUndefined();
  expect(headers["x-nextjs-prerender"], `${what} was prerendered`).toBeUndefined();
}

test("the build renders every page and route per request: none is prerendered", () => {
  const appPaths = readBuildManifest<Record<string, string>>("app-path-routes-manifest.json");
  const prerender = readBuildManifest<{ routes: Record<string, unknown> }>("prerender-manifest.json");
  const routes = Object.values(appPaths);
  expect(routes).toEqual(expect.arrayContaining(["/", "/events", "/purpose", "/api/v1/me"]));
  const prerendered = Object.keys(prerender.routes).filter((route) => !STATIC_ALLOWED.has(route));
  expect(prerendered, "prerendered (static) routes").toEqual([]);
  for (const route of routes) {
    if (STATIC_ALLOWED.has(route)) continue;
    expect(fs.existsSync(path.join(BUILD, "server", "app", `${route === "/" ? "index" : route}.html`)), `${route} has stored HTML`).toBe(false);
  }
});

test.describe(PERSONAS.viewerCopilot.email, () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("private pages and API answers carry Cache-Control: private, no-store", async ({ page }) => {
    await declarePurpose(page.request);

    const me = await page.request.get("/api/v1/me");
    expect(me.status()).toBe(200);
    expect((await me.json()).email).toBe(PERSONAS.viewerCopilot.email);
    expectPrivate(me.headers(), "GET /api/v1/me");

    const list = await page.request.get("/api/v1/events?limit=5");
    expect(list.status()).toBe(200);
    expect((await list.json()).items.length).toBeGreaterThan(0);
    expectPrivate(list.headers(), "GET /api/v1/events");

    for (const path of ["/", "/purpose", "/events", "/events/insights"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      expectPrivate(response!.headers(), path);
    }
    await expect(page.getByRole("banner")).toContainText(PERSONAS.viewerCopilot.email);
  });
});
