// Issue 10, finding 2 (open redirect): `/purpose?next=/%5Cevil.example/` sent
// the browser to http://evil.example/ once the form was submitted, because a
// browser reads `/\host` as `//host` (and drops tabs and newlines from URLs).
// Every return path the portal takes — the purpose form's `next`, the sign-in
// page's `callbackUrl`, Auth.js's own callbackUrl — must keep the browser on
// the portal, whether it comes in the link or is altered in the page's form.
import type { Page } from "@playwright/test";
import { DEMO_PASSWORD, IDP_BANNER, PERSONAS, expect, signIn, test } from "../fixtures";

const { email, name } = PERSONAS.viewerHealth;
const EVIL_HOST = "evil.example";

/**
 * Each variant as it appears in the query string (`query`), and as the form
 * field would hold it once decoded (`value`), for altering the field in the page.
 */
const VARIANTS = [
  { title: "a percent-encoded backslash (as reported)", query: "/%5Cevil.example/" },
  { title: "a backslash", query: "/\\evil.example/" },
  { title: "a protocol-relative URL", query: "//evil.example/" },
  { title: "percent-encoded slashes", query: "%2F%2Fevil.example%2F" },
  { title: "a tab between the slashes", query: "/%09/evil.example/" },
  { title: "a newline between the slashes", query: "/%0A/evil.example/" },
  { title: "a carriage return between the slashes", query: "/%0D/evil.example/" },
  { title: "a backslash encoded twice", query: "/%255Cevil.example/" },
  { title: "a dot segment that collapses to //", query: "/.//evil.example/" },
  { title: "an absolute URL elsewhere", query: "https%3A%2F%2Fevil.example%2F" },
  { title: "a javascript: URL", query: "javascript%3Aalert(document.domain)" },
].map((variant) => ({ ...variant, value: decodeURIComponent(variant.query) }));

/** Records what must never happen on the page: a request to the other host, or a script dialog. */
function watchForEscapes(page: Page): { strays: string[] } {
  const strays: string[] = [];
  page.on("request", (request) => {
    // by host: the portal's own URLs carry the variants in their query
    if (URL.canParse(request.url()) && new URL(request.url()).hostname.endsWith(EVIL_HOST)) strays.push(`request ${request.url()}`);
  });
  page.on("dialog", (dialog) => {
    strays.push(`dialog ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { strays };
}

/** Sets a form field's value in the page, as a tampered page (or an attacker's script) would. */
async function alterField(page: Page, fieldName: string, value: string): Promise<void> {
  const field = page.locator(`input[type="hidden"][name="${fieldName}"]`).first();
  await field.evaluate((input, text) => {
    (input as HTMLInputElement).value = text;
  }, value);
  await expect(field).toHaveValue(value);
}

async function declarePurposeInForm(page: Page): Promise<void> {
  await page.getByRole("radio", { name: "Investigate and detect potential abuse" }).check();
  await page.getByRole("button", { name: "Continue" }).click();
}

/** The demo identity provider's login form, then back to the portal; returns the first page that is neither the IdP nor /api/auth. */
async function logInAtIdentityProvider(page: Page, portal: string): Promise<URL> {
  await page.waitForURL((url) => url.origin !== portal);
  const idp = new URL(page.url()).origin;
  await expect(page.getByRole("complementary", { name: "Demo notice" })).toContainText(IDP_BANNER);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.origin !== idp && !url.pathname.startsWith("/api/auth/"), { waitUntil: "commit" });
  return new URL(page.url());
}

test.describe("the purpose form", () => {
  for (const variant of VARIANTS) {
    test(`continues on the portal, never to another origin: ${variant.title}`, async ({ page, baseURL }) => {
      const portal = new URL(baseURL!).origin;
      const { strays } = watchForEscapes(page);
      await signIn(page, email);

      // in the link
      await page.goto(`/purpose?next=${variant.query}`);
      await expect(page.getByRole("heading", { name: "Purpose of access" })).toBeVisible();
      await expect(page.locator('input[type="hidden"][name="next"]')).toHaveValue("/events");
      await declarePurposeInForm(page);
      await expect(page).toHaveURL(`${portal}/events`);

      // altered in the page: the server action checks on its own
      await page.goto("/purpose");
      await expect(page.getByRole("heading", { name: "Purpose of access" })).toBeVisible();
      await page.waitForLoadState("networkidle");
      await alterField(page, "next", variant.value);
      await declarePurposeInForm(page);
      await expect(page).toHaveURL(`${portal}/events`);
      expect(new URL(page.url()).origin).toBe(portal);

      expect(strays).toEqual([]);
    });
  }
});

test.describe("signing in", () => {
  for (const variant of VARIANTS) {
    test(`lands on the portal, never on another origin: ${variant.title}`, async ({ page, baseURL }) => {
      const portal = new URL(baseURL!).origin;
      const { strays } = watchForEscapes(page);

      // Auth.js's own endpoint passes the sign-in page nothing but the portal's home
      const authjs = await page.request.get(`/api/auth/signin?callbackUrl=${variant.query}`, { maxRedirects: 0 });
      expect(authjs.status()).toBeGreaterThanOrEqual(300);
      expect(authjs.status()).toBeLessThan(400);
      const toSignInPage = new URL(authjs.headers().location!, portal);
      expect(toSignInPage.origin).toBe(portal);
      expect(toSignInPage.pathname).toBe("/signin");
      // the portal's home, or nothing at all (Auth.js drops a javascript: URL before the redirect callback sees it)
      expect([`${portal}/`, null]).toContain(toSignInPage.searchParams.get("callbackUrl"));

      // the sign-in page keeps only a portal path
      await page.goto(`/signin?callbackUrl=${variant.query}`);
      const callbackField = page.locator('input[type="hidden"][name="callbackUrl"]').first();
      await expect(callbackField).toHaveValue("/");

      // altered in the page: the server action and Auth.js check on their own
      await page.waitForLoadState("networkidle");
      await alterField(page, "callbackUrl", variant.value);
      await page.getByRole("button", { name: "Sign in with Demo identity provider" }).click();
      const landed = await logInAtIdentityProvider(page, portal);
      expect(landed.origin).toBe(portal);
      expect(landed.pathname).toBe("/");
      await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();

      expect(strays).toEqual([]);
    });
  }
});

test("a return path on the portal is still followed, after signing in and after declaring a purpose", async ({ page, baseURL }) => {
  const portal = new URL(baseURL!).origin;
  await page.goto("/events?kind=error");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fevents%3Fkind%3Derror$/);
  await page.getByRole("button", { name: "Sign in with Demo identity provider" }).click();
  const landed = await logInAtIdentityProvider(page, portal);
  // a fresh session has no purpose yet: the explorer asks for one, then continues to the filtered list
  expect(landed.origin).toBe(portal);
  await expect(page).toHaveURL(`${portal}/purpose?next=${encodeURIComponent("/events?kind=error")}`);
  await declarePurposeInForm(page);
  await expect(page).toHaveURL(`${portal}/events?kind=error`);
});
