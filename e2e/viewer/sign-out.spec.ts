// Signing out ends the session on the server (database sessions): the row is
// deleted and the sign-out audited, so a copy of the old cookie is worthless;
// and the next sign-in asks the identity provider for credentials again.
import { request as playwrightRequest } from "@playwright/test";
import { auditRowsFor, findSession } from "../db";
import { PERSONAS, SESSION_COOKIE, expect, sessionTokenOf, signIn, test } from "../fixtures";

const { email, name } = PERSONAS.viewerMicrosoft;

test("signing out deletes the session on the server, so the old cookie no longer works", async ({ page, auditTag, baseURL }) => {
  await signIn(page, email);
  await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();
  const token = (await sessionTokenOf(page.context()))!;
  expect(await findSession(token)).toBeDefined();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL("/signin?signedOut=1");
  await expect(page.getByRole("status")).toHaveText("You are signed out.");
  expect(await findSession(token)).toBeUndefined();
  expect((await page.context().cookies()).filter((cookie) => cookie.name === SESSION_COOKIE)).toEqual([]);

  const replay = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { cookie: `${SESSION_COOKIE}=${token}` } });
  try {
    const me = await replay.get("/api/v1/me");
    expect(me.status()).toBe(401);
  } finally {
    await replay.dispose();
  }

  // signing in again asks the identity provider for credentials (someone else may be at the keyboard)
  await page.getByRole("button", { name: "Sign in with Demo identity provider" }).click();
  await expect(page.getByLabel("Password")).toBeVisible();
  expect(new URL(page.url()).origin).not.toBe(new URL(baseURL!).origin);

  const rows = await auditRowsFor(auditTag);
  expect(rows.filter((row) => row.action.startsWith("auth."))).toEqual([
    expect.objectContaining({ action: "auth.sign_in", outcome: "allowed", actor_email: email }),
    expect.objectContaining({ action: "auth.sign_out", outcome: "allowed", actor_email: email }),
  ]);
});

test("signing out through Auth.js's own endpoint (POST /api/auth/signout) is audited too", async ({ page, auditTag }) => {
  await signIn(page, email);
  await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();
  const token = (await sessionTokenOf(page.context()))!;

  // What Auth.js's sign-out form posts: its CSRF token, same origin.
  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await page.request.post("/api/auth/signout", { form: { csrfToken }, maxRedirects: 0 });
  expect(response.status()).toBeLessThan(400);
  expect(await findSession(token)).toBeUndefined();

  const rows = await auditRowsFor(auditTag);
  expect(rows.filter((row) => row.action === "auth.sign_out")).toEqual([
    expect.objectContaining({ outcome: "allowed", actor_email: email, reason: "signed out through Auth.js" }),
  ]);
});
