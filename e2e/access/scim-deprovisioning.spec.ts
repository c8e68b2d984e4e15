// Issue 13, item 8: the company's identity provider deactivates a person over
// SCIM while they are signed in; their very next request in the browser is
// refused. An admin issues the SCIM token in the console; the IdP side is
// scripts/scim-idp-client.ts speaking HTTP to /scim/v2 as Entra ID or Okta do.
//
// The person is viewer@microsoft.example, whose stored sign-in other specs
// reuse: the IdP reactivates them at the end and the sessions the
// deactivation ended are put back, exactly as they were.
import { request as playwrightRequest } from "@playwright/test";
import { ScimIdpClient } from "../../scripts/scim-idp-client";
import { auditRowsFor, findSession, sql } from "../db";
import { PERSONAS, declarePurpose, expect, sessionTokenOf, signIn, storageStateFor, test } from "../fixtures";

const viewer = PERSONAS.viewerMicrosoft;

async function sessionsOf(email: string): Promise<Array<Record<string, unknown>>> {
  return sql(
    `SELECT s.* FROM auth_session s JOIN auth_user u ON u.id = s.user_id
      WHERE u.person_id = (SELECT id FROM person WHERE email = $1) OR lower(u.email) = lower($1)`,
    [email],
  );
}

test.use({ storageState: storageStateFor("admin") });

test("the identity provider deactivates a signed-in viewer over SCIM; their next page load and API call are refused, audited", async ({ page, browser, auditTag, baseURL }) => {
  test.slow();
  // The admin issues a token for the identity provider; it is shown once.
  await page.goto("/admin/scim-tokens");
  await expect(page.getByRole("heading", { name: "SCIM tokens", level: 1 })).toBeVisible();
  await page.getByLabel("Identity provider").fill(`Entra ID provisioning ${auditTag.slice(-6)}`);
  await page.getByRole("button", { name: "Issue token" }).click();
  const tokenBox = page.getByLabel("SCIM token", { exact: true });
  await expect(tokenBox).toHaveValue(/^tps_/);
  const token = await tokenBox.inputValue();
  await page.screenshot({ path: "test-results/scim-tokens-issued.png", fullPage: true });
  const [issued] = await sql<{ id: string }>(`SELECT id::text AS id FROM scim_token WHERE token_prefix = $1`, [token.slice(0, 12)]);
  expect(issued).toBeDefined();
  const idp = new ScimIdpClient(`${baseURL}/scim/v2`, token);

  // The viewer, signed in through the demo identity provider in a browser of their own, browsing events.
  const viewerTag = `${auditTag}/viewer`;
  const viewerContext = await browser.newContext({ storageState: { cookies: [], origins: [] }, userAgent: viewerTag });
  const viewerPage = await viewerContext.newPage();
  await signIn(viewerPage, viewer.email);
  await expect(viewerPage.getByRole("heading", { name: `Welcome, ${viewer.name}` })).toBeVisible();
  await declarePurpose(viewerPage.request);
  await viewerPage.goto("/events");
  await expect(viewerPage.getByRole("table")).toBeVisible();
  const session = await sessionTokenOf(viewerContext);
  expect(session).toBeTruthy();
  const viewerCookies = await viewerContext.storageState();
  const sessionsBefore = await sessionsOf(viewer.email);

  const user = await idp.findByUserName(viewer.email);
  expect(user).toMatchObject({ userName: viewer.email, active: true });
  try {
    // The identity provider deactivates them (Okta's PATCH form).
    expect((await idp.deactivate(user!.id)).active).toBe(false);
    expect(await findSession(session!)).toBeUndefined();

    // The next page load goes back to sign-in, and the cookies they held open nothing.
    const rowsBefore = (await auditRowsFor(viewerTag)).length;
    await viewerPage.reload();
    await expect(viewerPage).toHaveURL("/signin?callbackUrl=%2Fevents");
    await expect(viewerPage.getByRole("table")).toHaveCount(0);
    const api = await playwrightRequest.newContext({ baseURL, storageState: viewerCookies, userAgent: viewerTag });
    try {
      const me = await api.get("/api/v1/me");
      expect(me.status()).toBe(401);
    } finally {
      await api.dispose();
    }
    const refused = (await auditRowsFor(viewerTag)).slice(rowsBefore);
    expect(refused.filter((row) => row.outcome === "allowed")).toEqual([]);
    expect(refused).toEqual(expect.arrayContaining([expect.objectContaining({ action: "session.view", outcome: "denied", actor_email: null })]));

    // Signing in again is refused too (the identity provider's own session is still open): the person is disabled.
    await viewerPage.getByRole("button", { name: "Sign in with Demo identity provider" }).click();
    await expect(viewerPage).toHaveURL(/\/no-access\?reason=disabled$/);
    await viewerPage.screenshot({ path: "test-results/scim-deactivated-no-access.png", fullPage: true });
    // whatever cookie the browser still holds names no session
    const after = await sessionTokenOf(viewerContext);
    expect(after ? await findSession(after) : undefined).toBeUndefined();

    // The deactivation is in the audit trail, with the token as actor and the sessions it ended.
    const [row] = await sql<{ actor_email: string | null; reason: string; after: { status: string; sessionsEnded: number }; target_type: string }>(
      `SELECT actor_email, reason, after, target_type FROM audit_event WHERE action = 'scim.user_deactivate' AND target_id = $1 ORDER BY id DESC LIMIT 1`,
      [user!.id],
    );
    expect(row).toMatchObject({ actor_email: null, target_type: "person", after: { status: "disabled" } });
    expect(row!.after.sessionsEnded).toBeGreaterThanOrEqual(1);
    expect(row!.reason).toContain(`SCIM token ${issued!.id}`);
    expect(row!.reason).toContain(`PATCH /scim/v2/Users/${user!.id}`);
  } finally {
    // The identity provider reactivates them (Entra ID's no-path form); the other sessions are put back.
    expect((await idp.reactivate(user!.id)).active).toBe(true);
    await sql(`INSERT INTO auth_session SELECT * FROM json_populate_recordset(NULL::auth_session, $1::json) ON CONFLICT DO NOTHING`, [
      JSON.stringify(sessionsBefore.filter((row) => row.session_token !== session)),
    ]);
    await viewerContext.close();
  }
  const [reactivated] = await sql(`SELECT 1 FROM audit_event WHERE action = 'scim.user_reactivate' AND target_id = $1`, [user!.id]);
  expect(reactivated).toBeDefined();
  const stored = await playwrightRequest.newContext({ baseURL, storageState: storageStateFor("viewerMicrosoft") });
  try {
    expect((await stored.get("/api/v1/me")).status()).toBe(200);
  } finally {
    await stored.dispose();
  }
});
