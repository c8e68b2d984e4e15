// Revocation takes effect on the next request, not at session expiry: the
// data layer checks the grants in force on every request, so a live session
// whose grants were revoked (or whose person was disabled) gets nothing more.
import { auditRowsFor, revokeGrantsOf, sql } from "../db";
import { PERSONAS, declarePurpose, expect, signIn, test } from "../fixtures";

const { email, name } = PERSONAS.viewerCopilot;

test("a grant revoked while its holder is signed in is refused on the next page load and the next API call", async ({ page, auditTag }) => {
  await signIn(page, email);
  await declarePurpose(page.request);
  await page.goto("/events");
  await expect(page.getByRole("heading", { name: "Events", exact: true })).toBeVisible();
  await expect(page.getByRole("table")).toBeVisible();
  expect((await page.request.get("/api/v1/me")).status()).toBe(200);

  const rowsBefore = (await auditRowsFor(auditTag)).length;
  const restore = await revokeGrantsOf(email);
  try {
    await page.reload();
    await expect(page).toHaveURL("/no-access?reason=no-active-grant");
    await expect(page.getByRole("heading", { name: "You have no access" })).toBeVisible();
    await expect(page.getByRole("table")).toHaveCount(0);

    const me = await page.request.get("/api/v1/me", { maxRedirects: 0 });
    expect(me.status()).toBe(403);
    expect(me.headers()["content-type"]).toContain("application/json");
    const body = await me.json();
    expect(body).toEqual({ error: expect.objectContaining({ code: "forbidden", reason: "no-active-grant" }) });
    expect(JSON.stringify(body)).not.toContain(name);

    const events = await page.request.get("/api/v1/events?limit=5", { maxRedirects: 0 });
    expect(events.status()).toBe(403);
    expect(await events.json()).not.toHaveProperty("items");

    const rows = await auditRowsFor(auditTag);
    expect(rows.slice(0, rowsBefore).some((row) => row.outcome === "allowed" && row.action === "events.list")).toBe(true);
    const afterRevocation = rows.slice(rowsBefore);
    expect(afterRevocation.filter((row) => row.outcome === "allowed")).toEqual([]);
    expect(afterRevocation).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "events.list", outcome: "denied", actor_email: email, reason: expect.stringMatching(/^forbidden:/) }),
        expect.objectContaining({ action: "session.view", outcome: "denied", actor_email: email }),
      ]),
    );
  } finally {
    await restore();
  }

  // restoring the grant restores access to the same session: nothing was cached either way
  await page.goto("/events");
  await expect(page.getByRole("table")).toBeVisible();
});

test("a person disabled while signed in is refused on the next request", async ({ page }) => {
  await signIn(page, email);
  await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();
  await sql("UPDATE person SET status = 'disabled', disabled_at = now(), disabled_reason = 'end-to-end test' WHERE email = $1", [email]);
  try {
    await page.reload();
    await expect(page).toHaveURL("/no-access?reason=disabled");
    await expect(page.getByText("Your entry on the access list has been disabled.")).toBeVisible();
    const me = await page.request.get("/api/v1/me");
    expect(me.status()).toBe(403);
    expect(await me.json()).toEqual({ error: expect.objectContaining({ reason: "disabled" }) });
  } finally {
    await sql("UPDATE person SET status = 'active', disabled_at = NULL, disabled_reason = NULL WHERE email = $1", [email]);
  }
});
