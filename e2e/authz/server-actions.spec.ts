// Every server action, found in the build's server-reference manifest (a new
// action is covered without touching this file), called the way Next.js calls
// one (a POST with its Next-Action id and React's encoded arguments):
//   - without a session, and again with a forged x-middleware-subrequest header
//   - as a signed-in person whose roles do not allow it
// Each call must disclose nothing, change nothing (no "allowed" audit row),
// and a refusal by the data layer leaves a "denied" row. Then the purpose
// form, the one action every viewer uses, is submitted after signing out.
import { request as playwrightRequest, type APIRequestContext, type APIResponse } from "@playwright/test";
import { auditRowsFor, revokeGrantsOf } from "../db";
import { PERSONAS, expect, signIn, storageStateFor, test } from "../fixtures";
import { deniedAs, discoverServerActions, encodeActionArguments, type ServerAction } from "../server-actions";

const FORGED_SUBREQUEST = "middleware:middleware:middleware:middleware:middleware";
const PRIVATE_MARKERS = Object.values(PERSONAS).flatMap((persona) => [persona.email, persona.name]);

const ACTIONS = discoverServerActions();

/**
 * Calls an action as the browser would: React encodes the arguments as
 * multipart form data; "$K1" is a FormData argument whose fields are "_1_…".
 * Passing the (empty) form twice fits both action shapes the portal uses,
 * (formData) and (previousState, formData).
 */
async function callAction(api: APIRequestContext, action: ServerAction, headers: Record<string, string>): Promise<APIResponse> {
  return api.post(action.page, {
    headers: { "next-action": action.id, accept: "text/x-component", ...headers },
    multipart: Object.fromEntries(encodeActionArguments(["$K1", "$K1"])),
    maxRedirects: 0,
  });
}

/** Nothing disclosed, nothing crashed, and a redirect (if any) only to sign-in or the identity provider. */
async function expectNothingServed(response: APIResponse, action: ServerAction): Promise<void> {
  expect(response.status(), `${action.name}: ${await response.text()}`.slice(0, 500)).toBeLessThan(500);
  const body = await response.text();
  for (const marker of PRIVATE_MARKERS) expect(body, `${action.name} disclosed "${marker}"`).not.toContain(marker);
  const redirect = response.headers()["x-action-redirect"] ?? response.headers().location;
  if (redirect) expect(redirect).toMatch(/^\/signin|^\/no-access|^http:\/\/localhost:\d+\/auth\?/);
}

test("every server action has a rule for who may not call it", () => {
  expect(ACTIONS.map((action) => action.name)).toEqual(expect.arrayContaining(["setPurposeAction", "signOutAction", "signInAction"]));
  for (const action of ACTIONS) expect(deniedAs(action), `${action.name} (${action.file}, ${action.page}): add a rule to ACTION_RULES (e2e/server-actions.ts)`).toBeDefined();
});

test.describe("without a session", () => {
  for (const action of ACTIONS) {
    test(`${action.name} (${action.file}) serves nothing, forged proxy header or not`, async ({ auditTag, baseURL }) => {
      const api = await playwrightRequest.newContext({ baseURL });
      try {
        for (const [tag, extra] of [
          [`${auditTag}/plain`, {}],
          [`${auditTag}/forged`, { "x-middleware-subrequest": FORGED_SUBREQUEST }],
        ] as const) {
          const response = await callAction(api, action, { "user-agent": tag, ...extra });
          await expectNothingServed(response, action);
          const rows = await auditRowsFor(tag);
          for (const row of rows) expect(row).toMatchObject({ outcome: "denied", actor_email: null, reason: expect.stringMatching(/^unauthenticated:/) });
          if (deniedAs(action) !== "public") {
            // it reached the data layer, which refused and said so in the trail
            expect(rows.length, `${action.name} left no audit row`).toBeGreaterThan(0);
          }
        }
      } finally {
        await api.dispose();
      }
    });
  }
});

test.describe("signed in without the permission", () => {
  const restores: Array<() => Promise<void>> = [];
  test.beforeAll(async () => {
    restores.push(await revokeGrantsOf(PERSONAS.viewerOpenai.email, "authz suite: a signed-in person with no grant"));
  });
  test.afterAll(async () => {
    for (const restore of restores.splice(0)) await restore();
  });

  for (const action of ACTIONS) {
    const personas = deniedAs(action);
    if (!Array.isArray(personas)) continue;
    for (const persona of personas) {
      const who = persona === "no-grant" ? "viewerOpenai" : persona;
      const email = PERSONAS[who].email;
      test(`${action.name} (${action.file}) as ${persona === "no-grant" ? `${email} (no grant in force)` : email} is refused and audited`, async ({ auditTag, baseURL }) => {
        const api = await playwrightRequest.newContext({ baseURL, storageState: storageStateFor(who) });
        try {
          const response = await callAction(api, action, { "user-agent": auditTag });
          expect(response.status()).toBeLessThan(500);
          const rows = await auditRowsFor(auditTag);
          expect(rows.length, `${action.name} left no audit row`).toBeGreaterThan(0);
          for (const row of rows) expect(row).toMatchObject({ outcome: "denied", actor_email: email, reason: expect.stringMatching(/^forbidden:/) });
        } finally {
          await api.dispose();
        }
      });
    }
  }
});

test("the purpose form submitted after signing out (in another tab) changes nothing and asks to sign in again", async ({ page, auditTag }) => {
  const { email } = PERSONAS.viewerHealth;
  await signIn(page, email, { callbackUrl: "/purpose" });
  await expect(page.getByRole("heading", { name: "Purpose of access" })).toBeVisible();

  const other = await page.context().newPage();
  await other.goto("/");
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(other).toHaveURL("/signin?signedOut=1");
  await expect(other.getByRole("status")).toHaveText("You are signed out.");
  await other.close();

  await page.getByRole("radio", { name: "Directly improve the product" }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fpurpose/);

  const rows = await auditRowsFor(auditTag);
  expect(rows.filter((row) => row.action === "session.purpose_set")).toEqual([
    expect.objectContaining({ outcome: "denied", actor_email: null, reason: expect.stringMatching(/^unauthenticated:/) }),
  ]);
  expect(rows.filter((row) => row.action === "auth.sign_out")).toEqual([expect.objectContaining({ outcome: "allowed", actor_email: email })]);
});
