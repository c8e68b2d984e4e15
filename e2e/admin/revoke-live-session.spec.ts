// Revoking through the admin console takes effect at once: the holder's
// sessions are ended in the same transaction, so a viewer browsing in another
// browser is refused on their very next page load and API call, with the
// cookies they still hold. The revocation is in the audit trail with its
// before and after.
//
// The viewer is viewer@microsoft.example, whose stored sign-in other specs
// reuse: the grant and the sessions the revocation ended are put back at the
// end, exactly as they were.
import { request as playwrightRequest } from "@playwright/test";
import { auditRowsFor, findSession, sql } from "../db";
import { PERSONAS, declarePurpose, expect, sessionTokenOf, signIn, storageStateFor, test } from "../fixtures";
import { auditRowId, definition, grantItem, openAuditRow } from "./console";

const viewer = PERSONAS.viewerMicrosoft;
const admin = PERSONAS.admin;
const GROUP = "Group: Microsoft – Copilot";
const REASON = "The Microsoft evaluation ended; access is no longer needed.";

/** Every portal session of the person with this e-mail, in full, to put back after the revocation ends them. */
async function sessionsOf(email: string): Promise<Array<Record<string, unknown>>> {
  return sql(
    `SELECT s.* FROM auth_session s JOIN auth_user u ON u.id = s.user_id
      WHERE u.person_id = (SELECT id FROM person WHERE email = $1) OR lower(u.email) = lower($1)`,
    [email],
  );
}

async function restoreSessions(rows: Array<Record<string, unknown>>): Promise<void> {
  await sql(`INSERT INTO auth_session SELECT * FROM json_populate_recordset(NULL::auth_session, $1::json) ON CONFLICT DO NOTHING`, [JSON.stringify(rows)]);
}

test.use({ storageState: storageStateFor("admin") });

test("an admin revokes a signed-in viewer's grant on the person page; the viewer's next page load and API calls are refused", async ({
  page,
  browser,
  auditTag,
  baseURL,
}) => {
  // Two browsers, two sign-ins and a dozen page loads: allow for a loaded 2-core machine.
  test.slow();
  // The viewer, in a browser of their own: signed in, purpose declared, browsing events.
  const viewerTag = `${auditTag}/viewer`;
  // (a context from the browser fixture takes the file's options: start it signed out explicitly)
  const viewerContext = await browser.newContext({ storageState: { cookies: [], origins: [] }, userAgent: viewerTag });
  const viewerPage = await viewerContext.newPage();
  await signIn(viewerPage, viewer.email);
  await expect(viewerPage.getByRole("heading", { name: `Welcome, ${viewer.name}` })).toBeVisible();
  await declarePurpose(viewerPage.request);
  await viewerPage.goto("/events");
  await expect(viewerPage.getByRole("heading", { name: "Events", exact: true })).toBeVisible();
  await expect(viewerPage.getByRole("table")).toBeVisible();
  expect((await viewerPage.request.get("/api/v1/me")).status()).toBe(200);
  const token = await sessionTokenOf(viewerContext);
  expect(token).toBeTruthy();
  // the cookies the viewer holds, to call the API with after the revocation
  const viewerCookies = await viewerContext.storageState();

  const [grant] = await sql<{ id: string }>(
    `SELECT g.id::text AS id FROM "grant" g JOIN person p ON p.id = g.person_id
      WHERE p.email = $1 AND g.group_key = 'microsoft_copilot' AND g.revoked_at IS NULL AND g.expires_at > now()`,
    [viewer.email],
  );
  expect(grant, `${viewer.email} holds the Microsoft – Copilot group`).toBeDefined();
  const sessionsBefore = await sessionsOf(viewer.email);
  expect(sessionsBefore.map((row) => row.session_token)).toContain(token);

  try {
    // The admin finds the viewer on the access list and revokes the group with a reason.
    await page.goto(`/admin/people?q=${encodeURIComponent(viewer.email)}`);
    await page.getByRole("link", { name: viewer.name }).click();
    await expect(page.getByRole("heading", { name: viewer.name, level: 1 })).toBeVisible();
    const details = page.getByRole("region", { name: "Details" });
    await expect(definition(details, "Open sessions")).not.toHaveText("0");

    const item = grantItem(page, "Grants in force", GROUP);
    await item.getByText("Revoke…").click();
    const form = item.getByRole("form", { name: `Revoke ${GROUP}` });
    await expect(form.getByText(`Ends ${viewer.name}'s sessions at once.`)).toBeVisible();
    await form.getByLabel("Reason for revoking").fill(REASON);
    await form.getByRole("button", { name: "Revoke grant" }).click();

    const ended = sessionsBefore.length;
    await expect(page).toHaveURL(new RegExp(`/admin/people/[0-9a-f-]{36}\\?done=revoked&sessions=${ended}$`));
    await expect(page.getByRole("status").filter({ hasText: "Grant revoked." })).toHaveText(
      `Grant revoked. ${ended} open session${ended === 1 ? "" : "s"} ended at once.`,
    );
    await expect(grantItem(page, "Grants in force", GROUP)).toHaveCount(0);
    const revoked = grantItem(page, "Earlier grants", GROUP);
    await expect(revoked).toContainText("Revoked");
    await expect(definition(revoked, "Revoked")).toContainText(`by ${admin.name} (${admin.email}): ${REASON}`);
    await expect(definition(details, "Open sessions")).toHaveText("0");
    expect(await findSession(token!)).toBeUndefined();

    // The viewer's next page load is refused: the session is gone, so it is back to sign-in.
    const rowsBefore = (await auditRowsFor(viewerTag)).length;
    await viewerPage.reload();
    await expect(viewerPage).toHaveURL("/signin?callbackUrl=%2Fevents");
    await expect(viewerPage.getByRole("button", { name: "Sign in with Demo identity provider" })).toBeVisible();
    await expect(viewerPage.getByRole("table")).toHaveCount(0);

    // ...and so are the API calls made with the cookies the viewer held before.
    const api = await playwrightRequest.newContext({ baseURL, storageState: viewerCookies, userAgent: viewerTag });
    try {
      expect((await api.storageState()).cookies.map((cookie) => cookie.value)).toContain(token);
      for (const path of ["/api/v1/me", "/api/v1/events?limit=5"]) {
        const response = await api.get(path, { maxRedirects: 0 });
        expect(response.status(), path).toBe(401);
        expect(response.headers()["content-type"]).toContain("application/json");
        const body = await response.json();
        expect(body).toEqual({ error: expect.objectContaining({ code: "unauthenticated" }) });
        expect(JSON.stringify(body)).not.toContain(viewer.name);
      }
    } finally {
      await api.dispose();
    }
    const afterRevocation = (await auditRowsFor(viewerTag)).slice(rowsBefore);
    expect(afterRevocation.filter((row) => row.outcome === "allowed")).toEqual([]);
    expect(afterRevocation).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "events.list", outcome: "denied", actor_email: null, reason: expect.stringMatching(/^unauthenticated:/) }),
        expect.objectContaining({ action: "session.view", outcome: "denied", actor_email: null }),
      ]),
    );

    // An auditor finds the revocation in the audit console, with the grant before and after.
    const auditorContext = await browser.newContext({ storageState: storageStateFor("auditor"), userAgent: `${auditTag}/auditor` });
    try {
      const id = await auditRowId(auditTag, "admin.grant_revoke");
      const row = await openAuditRow(await auditorContext.newPage(), { id, actor: admin.email, action: "admin.grant_revoke", actionLabel: "Revoked a grant" });
      expect(row.reason).toBe(REASON);
      expect(row.before).toMatchObject({ id: grant!.id, personEmail: viewer.email, access: "group:microsoft_copilot", revokedAt: null, revokeReason: null });
      expect(row.after).toMatchObject({
        id: grant!.id,
        personEmail: viewer.email,
        access: "group:microsoft_copilot",
        revokedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        revokeReason: REASON,
        sessionsEnded: ended,
      });
    } finally {
      await auditorContext.close();
    }
  } finally {
    // Put the grant and the other sessions back as they were (not the one this test opened).
    await sql(`UPDATE "grant" SET revoked_at = NULL, revoked_by_id = NULL, revoke_reason = NULL WHERE id = $1::uuid`, [grant!.id]);
    await restoreSessions(sessionsBefore.filter((row) => row.session_token !== token));
    await viewerContext.close();
  }

  // the viewer's stored sign-in, which other specs reuse, works again
  const stored = await playwrightRequest.newContext({ baseURL, storageState: storageStateFor("viewerMicrosoft") });
  try {
    const me = await stored.get("/api/v1/me");
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ email: viewer.email, groups: [expect.anything()] });
  } finally {
    await stored.dispose();
  }
});
