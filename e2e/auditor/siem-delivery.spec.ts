// The auditors' SIEM delivery page (/audit/delivery), issue 12 item 5: reached
// from the main navigation, audited as audit.delivery_view, legible at 1440
// and 390 px, and refused (403, audited) to anyone else. The portal under
// test configures no sink, so the page first says so; then a sink the
// database knows but the configuration no longer names (as after an operator
// removed SIEM_HEC_URL) shows its state, lag and last error.
import { randomBytes } from "node:crypto";
import { auditRowsFor, sql } from "../db";
import { PERSONAS, expect, storageStateFor, test } from "../fixtures";

test("an auditor opens SIEM delivery from the navigation and sees each sink's state, lag and last error", async ({ browser, baseURL, auditTag }, testInfo) => {
  const context = await browser.newContext({ baseURL, storageState: storageStateFor("auditor"), userAgent: auditTag, viewport: { width: 1440, height: 900 } });
  const name = `e2e-${randomBytes(3).toString("hex")}`;
  try {
    const page = await context.newPage();
    await page.goto("/audit");
    const link = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "SIEM delivery" });
    await link.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL("**/audit/delivery");
    await expect(page.getByRole("heading", { level: 1, name: "SIEM delivery" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "No SIEM sink is configured" })).toBeVisible();
    expect(await auditRowsFor(auditTag)).toContainEqual(expect.objectContaining({ action: "audit.delivery_view", outcome: "allowed", actor_email: PERSONAS.auditor.email }));

    await sql(
      `INSERT INTO siem_sink (name, kind, destination, start_from, failures, last_error, last_error_at, last_attempt_at)
       VALUES ($1, 'hec', 'https://splunk.example.com:8088/services/collector/event', 'beginning', 3,
               'https://splunk.example.com:8088/services/collector/event: the HEC answered 503: {"text":"Server is busy","code":9}', now(), now())`,
      [name],
    );
    await sql(`INSERT INTO siem_delivery_cursor (sink, chain_id, delivered_seq) SELECT $1, chain_id, 0 FROM audit_chain_head`, [name]);
    const [{ rows }] = (await sql<{ rows: number }>(`SELECT count(*)::int AS rows FROM audit_event`)) as [{ rows: number }];

    await page.reload();
    const card = page.getByRole("region", { name: new RegExp(name) });
    await expect(card).toContainText("No longer configured");
    await expect(card).toContainText("HTTP Event Collector (Splunk HEC)");
    await expect(card).toContainText("https://splunk.example.com:8088/services/collector/event");
    await expect(card).toContainText('the HEC answered 503: {"text":"Server is busy","code":9}');
    // Every row of the trail is waiting (rows written since the count too).
    const waiting = /([\d,]+) rows waiting, the oldest written/.exec((await card.textContent()) ?? "");
    expect(Number(waiting?.[1]?.replaceAll(",", ""))).toBeGreaterThanOrEqual(rows);
    await expect(card).toContainText("Last acknowledged batch");
    await page.screenshot({ path: testInfo.outputPath("siem-delivery-1440.png"), fullPage: true });

    // Phone width: nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await expect(page.getByRole("region", { name: new RegExp(name) })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: testInfo.outputPath("siem-delivery-390.png"), fullPage: true });
  } finally {
    await sql(`DELETE FROM siem_sink WHERE name = $1`, [name]);
    await context.close();
  }
});

test("a viewer gets the 403 page, and the refusal is audited", async ({ browser, baseURL, auditTag }) => {
  const context = await browser.newContext({ baseURL, storageState: storageStateFor("viewerCopilot"), userAgent: auditTag });
  try {
    const page = await context.newPage();
    await page.goto("/audit/delivery");
    await expect(page.getByRole("heading", { name: "Not permitted" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "SIEM delivery" })).toHaveCount(0);
    expect(await auditRowsFor(auditTag)).toContainEqual(
      expect.objectContaining({ action: "audit.delivery_view", outcome: "denied", actor_email: PERSONAS.viewerCopilot.email, reason: expect.stringMatching(/^forbidden:/) }),
    );
  } finally {
    await context.close();
  }
});
