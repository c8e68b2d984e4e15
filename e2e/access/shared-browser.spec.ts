// The outside review's identity-confusion finding, as it was found: person A
// is signed in; in the same browser person B signs in for the first time.
// Auth.js used to link B's identity to A's user, so B acted as A everywhere —
// from B's own browser too, and after B's grants were revoked. Now the sign-in
// ends A's session (audited), B is B everywhere, and revoking B cuts B off.
import type { APIRequestContext } from "@playwright/test";
import { auditRowsFor, revokeGrantsOf, sql } from "../db";
import { PERSONAS, expect, sessionTokenOf, signIn, storageStateFor, test } from "../fixtures";

const A = PERSONAS.viewerCopilot;
const B = PERSONAS.viewerHealth;

type Binding = { oidc_issuer: string | null; oidc_subject: string | null; bound_at: Date | null };

async function meOf(request: APIRequestContext): Promise<{ status: number; email?: string; roles?: string[] }> {
  const response = await request.get("/api/v1/me");
  const body = (await response.json()) as { email?: string; roles?: string[] };
  return { status: response.status(), email: body.email, roles: body.roles };
}

test.describe("two people, one browser", () => {
  let original: Binding;
  test.beforeEach(async () => {
    const rows = await sql<Binding>("SELECT oidc_issuer, oidc_subject, bound_at FROM person WHERE email = $1", [B.email]);
    original = rows[0]!;
    // B signs in for the first time: unbound, and no user row left from earlier tests.
    await sql("UPDATE person SET oidc_issuer = NULL, oidc_subject = NULL, bound_at = NULL WHERE email = $1", [B.email]);
    await sql("DELETE FROM auth_user WHERE email = $1", [B.email]);
  });
  test.afterEach(async () => {
    await sql("UPDATE person SET oidc_issuer = $2, oidc_subject = $3, bound_at = $4 WHERE email = $1", [
      B.email,
      original.oidc_issuer,
      original.oidc_subject,
      original.bound_at,
    ]);
  });

  test("B signing in after A in the same browser is B everywhere, and B's revocation holds", async ({ browser, auditTag }) => {
    const shared = await browser.newContext({ userAgent: auditTag });
    const page = await shared.newPage();
    await signIn(page, A.email);
    await expect(page.getByRole("heading", { name: `Welcome, ${A.name}` })).toBeVisible();
    const sessionOfA = await sessionTokenOf(shared);
    expect(sessionOfA).toBeTruthy();

    // B, first sign-in, same browser, the identity provider asked to show its login form again.
    await signIn(page, B.email, { prompt: "login" });
    await expect(page.getByRole("heading", { name: `Welcome, ${B.name}` })).toBeVisible();
    expect(await meOf(page.request)).toMatchObject({ status: 200, email: B.email });

    // A's session ended with the new sign-in, and that ending is in the audit trail.
    expect(await sql("SELECT 1 FROM auth_session WHERE session_token = $1", [sessionOfA])).toEqual([]);
    const rows = await auditRowsFor(auditTag);
    expect(rows).toContainEqual(
      expect.objectContaining({ action: "auth.sign_out", actor_email: A.email, reason: "replaced by a new sign-in in the same browser" }),
    );
    expect(rows).toContainEqual(expect.objectContaining({ action: "auth.sign_in", outcome: "allowed", actor_email: B.email }));

    // Each identity sits on its own person's user row: nothing was linked to A.
    const links = await sql<{ email: string; provider_account_id: string }>(
      `SELECT u.email, a.provider_account_id FROM auth_account a JOIN auth_user u ON u.id = a.user_id
        WHERE u.email = ANY($1::text[]) ORDER BY u.email`,
      [[A.email, B.email]],
    );
    expect(links).toEqual([
      { email: A.email, provider_account_id: "demo-viewer-copilot" },
      { email: B.email, provider_account_id: "demo-viewer-health" },
    ]);

    // B's own clean browser is B too.
    const own = await browser.newContext({ userAgent: auditTag });
    const ownPage = await own.newPage();
    await signIn(ownPage, B.email);
    await expect(ownPage.getByRole("heading", { name: `Welcome, ${B.name}` })).toBeVisible();
    expect(await meOf(ownPage.request)).toMatchObject({ status: 200, email: B.email });

    // Revoking B refuses B's next request in both browsers; nothing answers as A.
    const restore = await revokeGrantsOf(B.email);
    try {
      for (const request of [page.request, ownPage.request]) {
        const me = await meOf(request);
        expect(me.status).toBe(403);
        expect(me.email).toBeUndefined();
        const events = await request.get("/api/v1/events?limit=1");
        expect(events.status()).toBe(403);
      }
      const denied = (await auditRowsFor(auditTag)).filter((row) => row.outcome === "denied");
      expect(denied.length).toBeGreaterThanOrEqual(2);
      expect(denied.every((row) => row.actor_email === B.email)).toBe(true);
    } finally {
      await restore();
      // B's user row was replaced: later specs reuse B's stored browser state, so store the new one.
      await own.storageState({ path: storageStateFor("viewerHealth") });
      await shared.close();
      await own.close();
    }
  });
});
