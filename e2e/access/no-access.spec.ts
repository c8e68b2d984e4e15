// People the identity provider knows but the access list does not let in:
// the outsider (on no list) lands on the no-access page, which says why and
// whom to ask; the refused sign-in is an audit row; no session is started.
// The expired account (on the list, its grants ran out yesterday) signs in to
// the request area only: it sees its history and may ask again, nothing else.
import { auditRowsFor } from "../db";
import { PERSONAS, SESSION_COOKIE, expect, signIn, test } from "../fixtures";

const CASES = [{ persona: "outsider", reason: "not-listed", explanation: "Your account is not on the Telemetry Portal's access list." }] as const;

for (const { persona, reason, explanation } of CASES) {
  const { email } = PERSONAS[persona];

  test(`${email} lands on the no-access page, with the reason and whom to ask, and the refusal is audited`, async ({ page, auditTag }) => {
    await signIn(page, email);

    await expect(page).toHaveURL(`/no-access?reason=${reason}`);
    await expect(page.getByRole("heading", { name: "You have no access" })).toBeVisible();
    await expect(page.getByText(explanation)).toBeVisible();
    const ask = page.getByRole("heading", { name: "Whom to ask" });
    await expect(ask).toBeVisible();
    await expect(page.getByRole("link", { name: PERSONAS.admin.email })).toHaveAttribute("href", `mailto:${PERSONAS.admin.email}`);
    await expect(page.getByText(PERSONAS.admin.name)).toBeVisible();

    // nothing else: no session, no portal chrome, no data
    expect((await page.context().cookies()).filter((cookie) => cookie.name.endsWith(SESSION_COOKIE))).toEqual([]);
    await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
    const me = await page.request.get("/api/v1/me");
    expect(me.status()).toBe(401);
    await page.goto("/events");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fevents$/);

    const rows = await auditRowsFor(auditTag);
    const refused = rows.filter((row) => row.action === "auth.sign_in_refused");
    expect(refused).toEqual([expect.objectContaining({ outcome: "denied", reason, actor_email: email })]);
    expect(rows.filter((row) => row.outcome === "allowed")).toEqual([]);
  });
}

test("a listed person whose grants expired signs in to the request area only: history and asking, no telemetry, no other page", async ({ page, auditTag }) => {
  const { email } = PERSONAS.expired;
  await signIn(page, email);

  await expect(page).toHaveURL("/access");
  await expect(page.getByRole("heading", { name: "My access", level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "What you can do now" })).toContainText(/No grant in force: sees nothing · expired on \d{4}-\d{2}-\d{2}/);
  await expect(page.getByRole("region", { name: "Earlier grants" })).toContainText("Summer rotation on the Copilot team");
  await expect(page.getByRole("link", { name: "Ask for access" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Events" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "My access" })).toBeVisible();

  // every other page and API refuses the session
  const me = await page.request.get("/api/v1/me");
  expect(me.status()).toBe(403);
  expect(await me.json()).toEqual({ error: expect.objectContaining({ code: "forbidden", reason: "no-active-grant" }) });
  await page.goto("/events");
  await expect(page).toHaveURL("/no-access?reason=no-active-grant");
  await expect(page.getByText("None of your grants is in force: they have expired or been revoked.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Ask for access" })).toHaveAttribute("href", "/access");

  const rows = await auditRowsFor(auditTag);
  expect(rows.filter((row) => row.action.startsWith("auth."))).toEqual([
    expect.objectContaining({ action: "auth.sign_in", outcome: "allowed", actor_email: email, reason: expect.stringContaining("no grant in force: the request area only") }),
  ]);
  expect(rows.filter((row) => row.outcome === "allowed").map((row) => row.action)).toEqual(["auth.sign_in", "access.my_access_view"]);
});

test("someone refused can sign in with another account: the identity provider asks again instead of reusing its session", async ({ page }) => {
  await signIn(page, PERSONAS.outsider.email);
  await expect(page).toHaveURL("/no-access?reason=not-listed");
  await page.getByRole("link", { name: "Sign in with another account" }).click();
  await page.getByRole("button", { name: "Sign in with Demo identity provider" }).click();

  await expect(page.getByLabel("Email")).toBeVisible();
  await page.getByLabel("Email").fill(PERSONAS.viewerCopilot.email);
  await page.getByLabel("Password").fill("demo");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Welcome, ${PERSONAS.viewerCopilot.name}` })).toBeVisible();
});
