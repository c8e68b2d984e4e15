// Issue 12, item 6, in the browser: a burst of refused requests from one
// address (nobody signed in) raises a "burst of denials" alert through the
// `audit.alerts` job of the running portal; the auditor finds it on the
// Alerts page (reached from the console's sections), opens it, and follows a triggering
// row to its audit row page. The pages are audited; a viewer gets the 403 page.
import { randomInt } from "node:crypto";
import { auditRowsFor, sql } from "../db";
import { expect, storageStateFor, test } from "../fixtures";

test("a burst of denials becomes an alert the auditor finds with the rows behind it", async ({ browser, baseURL, auditTag, playwright }) => {
  // The job runs every minute: allow for the next occurrence.
  test.setTimeout(180_000);
  // A documentation address of this run's own (the portal trusts X-Forwarded-For from loopback here).
  const address = `198.51.100.${randomInt(1, 255)}`;
  const anonymous = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": address, "User-Agent": `${auditTag}/probe` } });
  try {
    for (let index = 0; index < 12; index += 1) {
      const response = await anonymous.get("/api/v1/events?limit=1");
      expect(response.status()).toBe(401);
    }
  } finally {
    await anonymous.dispose();
  }
  const refused = await auditRowsFor(`${auditTag}/probe`);
  expect(refused).toHaveLength(12);
  expect(refused.every((row) => row.outcome === "denied" && row.actor_ip === address)).toBe(true);

  // The alert, raised by the running portal's job.
  let alertId = "";
  await expect
    .poll(
      async () => {
        const [alert] = await sql<{ id: string }>("SELECT id::text FROM audit_alert WHERE rule = 'denial_burst' AND subject_key = $1", [`ip:${address}`]);
        alertId = alert?.id ?? "";
        return alertId;
      },
      { timeout: 150_000, intervals: [2_000] },
    )
    .not.toBe("");

  const context = await browser.newContext({ baseURL, storageState: storageStateFor("auditor"), userAgent: `${auditTag}/auditor`, viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto("/audit");
    await page.getByRole("navigation", { name: "Audit console sections" }).getByRole("link", { name: "Alerts" }).click();
    await page.waitForURL("**/audit/alerts");
    await expect(page.getByRole("heading", { level: 1, name: "Audit alerts" })).toBeVisible();

    const alerts = page.getByRole("list", { name: "Alerts, newest first" });
    const card = alerts.getByRole("listitem").filter({ hasText: `Alert ${alertId}:` });
    await expect(card).toContainText("Burst of denials");
    await expect(card).toContainText(`an unidentified client at ${address}`);
    await expect(card).toContainText("denied requests within 10 minutes (more than 10)");
    await expect(card.getByRole("link", { name: /^audit row #\d+$/ }).first()).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("alerts-1440.png"), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: test.info().outputPath("alerts-390.png"), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1440, height: 900 });

    // Filtered by rule, with the keyboard.
    await page.getByLabel("Rule").selectOption("denial_burst");
    await page.getByRole("button", { name: "Show" }).press("Enter");
    await page.waitForURL((url) => url.searchParams.get("rule") === "denial_burst");
    await expect(alerts.getByRole("listitem").filter({ hasText: `Alert ${alertId}:` })).toBeVisible();

    // The alert, and every row behind it, each a link to its audit row page.
    await page.getByRole("link", { name: `Alert ${alertId}: Burst of denials` }).click();
    await page.waitForURL(`**/audit/alerts/${alertId}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Alert ${alertId}: Burst of denials`);
    const rowLinks = page.getByRole("region", { name: "The audit rows that triggered it" }).getByRole("link", { name: /^Audit row \d+$/ });
    expect(await rowLinks.count()).toBeGreaterThan(10);
    const refusedIds = new Set((await sql<{ id: string }>("SELECT id::text FROM audit_event WHERE actor_user_agent = $1", [`${auditTag}/probe`])).map((row) => row.id));
    const first = (await rowLinks.first().textContent())?.replace("Audit row ", "") ?? "";
    expect(refusedIds.has(first)).toBe(true);
    await page.screenshot({ path: test.info().outputPath("alert-1440.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: test.info().outputPath("alert-390.png"), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await rowLinks.first().click();
    await page.waitForURL(`**/audit/${first}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(`Audit row ${first}`);

    // Each page was audited for the auditor.
    const seen = await auditRowsFor(`${auditTag}/auditor`);
    expect(seen).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "audit.alerts_list", outcome: "allowed", actor_email: "auditor@github.example" }),
        expect.objectContaining({ action: "audit.alert_view", outcome: "allowed", target_id: alertId }),
      ]),
    );
  } finally {
    await context.close();
  }

  // The alert is itself an audit row, written by the system.
  const [raised] = await sql<{ actor_email: string | null; reason: string }>("SELECT actor_email, reason FROM audit_event WHERE action = 'audit.alert_raised' AND target_id = $1", [alertId]);
  expect(raised).toMatchObject({ actor_email: null });
  expect(raised?.reason).toContain(address);

  // Not for viewers.
  const viewer = await browser.newContext({ baseURL, storageState: storageStateFor("viewerCopilot"), userAgent: `${auditTag}/viewer` });
  try {
    const page = await viewer.newPage();
    const response = await page.goto("/audit/alerts");
    expect(response?.status()).toBe(403);
    expect(await auditRowsFor(`${auditTag}/viewer`)).toEqual(expect.arrayContaining([expect.objectContaining({ action: "audit.alerts_list", outcome: "denied" })]));
  } finally {
    await viewer.close();
  }
});
