// The admin and the auditor hold a role but no group: they see their own
// console's card and no telemetry. The explorer answers them with the 403
// page, the API with 403 JSON, and both refusals are in the audit trail.
import { auditRowsFor } from "../db";
import { PERSONAS, expect, storageStateFor, test } from "../fixtures";

const ROLE_CARDS = {
  admin: { card: "Access list", link: "Open the access list", href: "/admin/people", otherCard: "Audit trail" },
  auditor: { card: "Audit trail", link: "Open the audit trail", href: "/audit", otherCard: "Access list" },
} as const;

for (const persona of ["admin", "auditor"] as const) {
  const { email, name } = PERSONAS[persona];
  const { card, link, href, otherCard } = ROLE_CARDS[persona];

  test.describe(email, () => {
    test.use({ storageState: storageStateFor(persona) });

    test(`sees the ${card} card and no telemetry on the home page`, async ({ page }) => {
      await page.goto("/");
      await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();
      const region = page.getByRole("region", { name: card });
      await expect(region.getByRole("link", { name: link })).toHaveAttribute("href", href);
      await expect(page.getByRole("region", { name: otherCard })).toHaveCount(0);
      await expect(page.getByRole("region", { name: "Browse telemetry" })).toHaveCount(0);

      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("link", { name: card })).toBeVisible();
      await expect(nav.getByRole("link", { name: "Events" })).toHaveCount(0);
      // no purpose to declare: there is no telemetry to see
      await expect(page.getByRole("link", { name: /^Purpose:/ })).toHaveCount(0);
    });

    test("gets the 403 page from the events explorer, and the refusal is audited", async ({ page, auditTag }) => {
      for (const path of ["/events", "/events/insights"]) {
        await page.goto(path);
        await expect(page.getByRole("heading", { name: "Not permitted" })).toBeVisible();
        await expect(page.getByRole("table")).toHaveCount(0);
      }
      const rows = await auditRowsFor(auditTag);
      const refusals = rows.filter((row) => row.action === "events.list" || row.action === "events.chart");
      expect(refusals.map((row) => row.action).sort()).toEqual(["events.chart", "events.list"]);
      for (const row of refusals) expect(row).toMatchObject({ outcome: "denied", actor_email: email, reason: expect.stringMatching(/^forbidden:/) });
      expect(rows.filter((row) => row.outcome === "allowed" && row.action.startsWith("events."))).toEqual([]);
    });

    test("gets 403 JSON from the events API, and the refusal is audited", async ({ page, auditTag }) => {
      const response = await page.request.get("/api/v1/events?limit=5", { maxRedirects: 0 });
      expect(response.status()).toBe(403);
      expect(response.headers()["content-type"]).toContain("application/json");
      const body = await response.json();
      expect(body).toEqual({ error: expect.objectContaining({ code: "forbidden" }) });
      expect(body).not.toHaveProperty("items");

      const rows = await auditRowsFor(auditTag);
      expect(rows).toEqual([expect.objectContaining({ action: "events.list", outcome: "denied", actor_email: email })]);
    });
  });
}
