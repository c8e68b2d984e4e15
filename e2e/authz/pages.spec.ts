// Every page of the production build (from its app-paths manifest, so a new
// page is covered without touching this file), requested without a session,
// plainly and with a forged x-middleware-subrequest header: it sends the
// visitor to sign in and discloses nothing. Only the sign-in and no-access
// pages are public.
import fs from "node:fs";
import path from "node:path";
import { request as playwrightRequest, type APIResponse } from "@playwright/test";
import { auditRowsFor } from "../db";
import { PERSONAS, UNKNOWN_EVENT_ID, expect, test } from "../fixtures";

const BUILD = path.resolve(import.meta.dirname, "../../.next");
const PUBLIC_PAGES = new Set(["/signin", "/no-access", "/_not-found", "/_global-error"]);
const FORGED_SUBREQUEST = "middleware:middleware:middleware:middleware:middleware";
const PRIVATE_MARKERS = Object.values(PERSONAS).flatMap((persona) => [persona.email, persona.name]);

function privatePages(): string[] {
  const file = path.join(BUILD, "app-path-routes-manifest.json");
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the browser tests run against a production build (next build)`);
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  return Object.entries(manifest)
    .filter(([entry]) => entry.endsWith("/page"))
    .map(([, route]) => route.replace(/\[[^\]]+\]/g, UNKNOWN_EVENT_ID))
    .filter((route) => !PUBLIC_PAGES.has(route))
    .sort();
}

const PAGES = privatePages();

/** Where the page sends the visitor: an HTTP redirect, or (after streaming began) React's redirect marker. */
async function redirectTarget(response: APIResponse): Promise<string | null> {
  const location = response.headers().location;
  if (response.status() >= 300 && response.status() < 400 && location) return new URL(location, response.url()).pathname + new URL(location, response.url()).search;
  const streamed = /NEXT_REDIRECT;(?:replace|push);([^;"]+);/.exec(await response.text());
  return streamed?.[1] ?? null;
}

test("the build has private pages to check", () => {
  expect(PAGES).toEqual(expect.arrayContaining(["/", "/events", "/purpose"]));
});

for (const page of PAGES) {
  test(`GET ${page} without a session goes to sign-in and discloses nothing, forged proxy header or not`, async ({ auditTag, baseURL }) => {
    const api = await playwrightRequest.newContext({ baseURL });
    try {
      for (const [tag, extra] of [
        [`${auditTag}/plain`, {}],
        [`${auditTag}/forged`, { "x-middleware-subrequest": FORGED_SUBREQUEST }],
      ] as const) {
        // follow the portal's own redirects (e.g. /admin → /admin/people) until one leaves for sign-in
        let path: string | null = page;
        for (let hop = 0; path && !path.startsWith("/signin") && hop < 3; hop++) {
          const response: APIResponse = await api.get(path, { headers: { "user-agent": tag, ...extra }, maxRedirects: 0 });
          const body = await response.text();
          for (const marker of PRIVATE_MARKERS) expect(body, `${path} disclosed "${marker}"`).not.toContain(marker);
          path = await redirectTarget(response);
        }
        expect(path, `${page} (${tag.endsWith("forged") ? "forged header" : "plain"})`).toMatch(/^\/signin\?callbackUrl=/);
        for (const row of await auditRowsFor(tag)) expect(row).toMatchObject({ outcome: "denied", actor_email: null });
      }
    } finally {
      await api.dispose();
    }
  });
}
