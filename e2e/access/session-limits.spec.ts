// Session limits, enforced by the data layer on every request: an idle
// timeout (SESSION_IDLE_MINUTES, rolled forward by activity) and an absolute
// lifetime (SESSION_MAX_HOURS, counted from sign-in). Waiting is not an
// option in a test, so the session row is aged in the database instead.
import type { Page } from "@playwright/test";
import { findSession, sql } from "../db";
import { PERSONAS, SESSION_COOKIE, expect, sessionTokenOf, signIn, test } from "../fixtures";

const IDLE_MINUTES = Number(process.env.SESSION_IDLE_MINUTES ?? 30);
const MAX_HOURS = Number(process.env.SESSION_MAX_HOURS ?? 12);
const { email, name } = PERSONAS.viewerMicrosoft;

async function signedIn(page: Page): Promise<string> {
  await signIn(page, email);
  await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();
  const token = await sessionTokenOf(page.context());
  expect(token).toBeTruthy();
  return token!;
}

async function expectSignedOut(page: Page, token: string): Promise<void> {
  const me = await page.request.get("/api/v1/me", { maxRedirects: 0 });
  expect(me.status()).toBe(401);
  expect(me.headers()["content-type"]).toContain("application/json");
  expect(await me.json()).toEqual({ error: expect.objectContaining({ code: "unauthenticated", message: "Your session has ended. Sign in again." }) });
  expect(await findSession(token)).toBeUndefined();
  await page.goto("/");
  await expect(page).toHaveURL("/signin?callbackUrl=%2F");
}

test("a session older than the absolute lifetime is ended on the next request", async ({ page }) => {
  const token = await signedIn(page);
  await sql(`UPDATE auth_session SET created_at = now() - make_interval(hours => $2) WHERE session_token = $1`, [token, MAX_HOURS + 1]);
  await expectSignedOut(page, token);
});

test("a session idle for longer than the idle timeout is ended on the next request", async ({ page }) => {
  const token = await signedIn(page);
  await sql(`UPDATE auth_session SET expires = now() - interval '1 minute' WHERE session_token = $1`, [token]);
  await expectSignedOut(page, token);
});

test("activity rolls the idle expiry forward, never past the absolute lifetime", async ({ page }) => {
  const token = await signedIn(page);
  await sql(`UPDATE auth_session SET expires = now() + interval '2 minutes' WHERE session_token = $1`, [token]);
  expect((await page.request.get("/api/v1/me")).status()).toBe(200);
  const rolled = await findSession(token);
  expect(Math.abs(rolled!.expires.getTime() - (Date.now() + IDLE_MINUTES * 60_000))).toBeLessThan(60_000);

  // ten minutes before the absolute end, activity extends the session by ten minutes only
  await sql(
    `UPDATE auth_session SET created_at = now() - make_interval(hours => $2) + interval '10 minutes', expires = now() + interval '2 minutes' WHERE session_token = $1`,
    [token, MAX_HOURS],
  );
  expect((await page.request.get("/api/v1/me")).status()).toBe(200);
  const capped = await findSession(token);
  expect(Math.abs(capped!.expires.getTime() - (capped!.created_at.getTime() + MAX_HOURS * 3_600_000))).toBeLessThan(1_000);
});

test("the session cookie outlives the idle timeout, so an active person is not signed out by the browser", async ({ page }) => {
  const token = await signedIn(page);
  const cookie = (await page.context().cookies()).find((candidate) => candidate.name === SESSION_COOKIE);
  expect(cookie).toMatchObject({ value: token, httpOnly: true, sameSite: "Lax" });
  // The portal never re-sends the cookie on activity; the database row carries the
  // idle expiry. A cookie that expired with the first idle window would end every
  // session after SESSION_IDLE_MINUTES, however active its holder.
  const expiresInHours = (cookie!.expires * 1000 - Date.now()) / 3_600_000;
  expect(expiresInHours).toBeGreaterThan(MAX_HOURS - 0.1);
  expect(expiresInHours).toBeLessThanOrEqual(MAX_HOURS + 0.01);
  const row = await findSession(token);
  expect(Math.abs(row!.expires.getTime() - (Date.now() + IDLE_MINUTES * 60_000))).toBeLessThan(60_000);
});
