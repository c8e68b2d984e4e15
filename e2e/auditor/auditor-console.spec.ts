// Issue 4, "done when": a viewer browses, and a moment later the auditor, in
// another browser, finds the rows that browsing left (filtered by actor and
// "touched event X"), opens one, verifies the chain from the console and
// exports the rows — the export itself audited with the file's SHA-256.
// A viewer gets the 403 page from the console and 403 JSON from its API.
import fs from "node:fs";
import type { BrowserContext, Page } from "@playwright/test";
import { auditRowsFor, sql } from "../db";
import { PERSONAS, declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor, csvRecords, readEventsTable, sha256Hex } from "../explorer/support";

const viewer = PERSONAS.viewerCopilot;
const auditor = PERSONAS.auditor;

/** The ids of the audit rows the console's table shows, from each row's link to its detail page, in order. */
async function auditTableIds(page: Page): Promise<string[]> {
  const table = page.getByRole("table", { name: "Audit rows matching the filters" });
  await expect(table).toBeVisible();
  const hrefs = await table.locator('tbody a[href^="/audit/"]').evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""));
  return hrefs.map((href) => href.slice("/audit/".length));
}

test("the auditor finds the rows a viewer's browsing left, opens one, verifies the chain and exports them", async ({ browser, baseURL, auditTag }) => {
  const viewerTag = `${auditTag}/viewer`;
  const auditorTag = `${auditTag}/auditor`;
  const contexts: BrowserContext[] = [];
  try {
    // ── A viewer browses: a list, then one event ──
    const viewerContext = await browser.newContext({ baseURL, storageState: storageStateFor("viewerCopilot"), userAgent: viewerTag });
    contexts.push(viewerContext);
    const viewerPage = await viewerContext.newPage();
    await declarePurpose(viewerPage.request, "improve_product");
    await viewerPage.goto("/events?kind=error&limit=10");
    const { rows: listed } = await readEventsTable(viewerPage);
    expect(listed).toHaveLength(10);
    const eventId = listed[3]!.id;
    await viewerPage.locator(`a[href="/events/${eventId}"]`).click();
    await viewerPage.waitForURL(`**/events/${eventId}`);
    await expect(viewerPage.getByRole("heading", { level: 1 })).toContainText("Error");

    const browsed = await auditDetailsFor(viewerTag);
    const listRow = browsed.find((row) => row.action === "events.list" && row.outcome === "allowed");
    const viewRow = browsed.find((row) => row.action === "events.view" && row.outcome === "allowed");
    expect(listRow?.event_ids).toContain(eventId);
    expect(viewRow?.target_id).toBe(eventId);

    // ── The auditor, in another browser, filters to that viewer and that event ──
    const auditorContext = await browser.newContext({ baseURL, storageState: storageStateFor("auditor"), userAgent: auditorTag });
    contexts.push(auditorContext);
    const page = await auditorContext.newPage();
    await page.goto("/audit");
    await expect(page.getByRole("heading", { level: 1, name: "Audit trail" })).toBeVisible();
    const form = page.getByRole("form", { name: "Filter the audit trail" });
    await form.getByLabel("Actor email contains").fill(viewer.email);
    await form.getByLabel("Touched event (id)").fill(eventId);
    await form.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL((url) => url.searchParams.get("actor") === viewer.email && url.searchParams.get("eventId") === eventId);

    const shown = await auditTableIds(page);
    expect(shown).toEqual(expect.arrayContaining([listRow!.id, viewRow!.id]));
    // exactly the rows that match, newest first (the same question asked of the database directly)
    const expected = await sql<{ id: string }>(
      `SELECT id::text AS id FROM audit_event
        WHERE actor_email ILIKE $1 AND ($2 = ANY(event_ids) OR target_id = $2)
        ORDER BY occurred_at DESC, id DESC`,
      [`%${viewer.email}%`, eventId],
    );
    expect(shown).toEqual(expected.map((row) => row.id));
    const table = page.getByRole("table", { name: "Audit rows matching the filters" });
    for (const actor of await table.locator("tbody tr td:nth-child(2)").allTextContents()) expect(actor).toBe(viewer.email);
    const viewTableRow = table.locator("tbody tr", { has: page.locator(`a[href="/audit/${viewRow!.id}"]`) });
    await expect(viewTableRow).toContainText("Opened an event");
    await expect(viewTableRow.getByTitle("Directly improve the product")).toHaveText("Improve the product");
    await expect(viewTableRow).toContainText(`Event ${eventId}`);
    await expect(table.locator("tbody tr", { has: page.locator(`a[href="/audit/${listRow!.id}"]`) })).toContainText("Listed events");

    // ── One row's detail ──
    await page.locator(`a[href="/audit/${viewRow!.id}"]`).click();
    await page.waitForURL(`**/audit/${viewRow!.id}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Audit row ${viewRow!.id}: Opened an event`);
    const detail = (label: string) => page.locator("dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd[1]");
    await expect(detail("Actor")).toHaveText(viewer.email);
    await expect(detail("Groups then")).toHaveText("GitHub Copilot team");
    await expect(detail("Purpose")).toHaveText("Directly improve the product");
    await expect(detail("User agent")).toHaveText(viewerTag);
    await expect(detail("Action")).toContainText("Opened an event");
    await expect(detail("Action").locator("code")).toHaveText("events.view");
    await expect(detail("Target")).toHaveText(`Event ${eventId}`);
    await expect(page.getByRole("heading", { name: "Events (1)" })).toBeVisible();
    await expect(page.getByRole("link", { name: eventId })).toHaveAttribute("href", `/audit?eventId=${eventId}`);
    await expect(detail("Outcome")).toHaveText("Allowed");

    // ── Verify the chain from the console ──
    await page.goBack();
    await page.waitForURL((url) => url.pathname === "/audit" && url.searchParams.get("eventId") === eventId);
    await page.getByRole("button", { name: "Verify now" }).click();
    await expect(page.getByText(/^Intact: [\d,]+ rows in \d+ chains verified at /)).toBeVisible();
    await expect(page.getByText("Tampering detected.")).toHaveCount(0);

    // ── Export the filtered rows ──
    const exportLink = page.getByRole("link", { name: "Export CSV" });
    const exportHref = new URL((await exportLink.getAttribute("href"))!, page.url());
    expect(exportHref.pathname).toBe("/api/v1/audit/export");
    expect(exportHref.searchParams.get("actor")).toBe(viewer.email);
    expect(exportHref.searchParams.get("eventId")).toBe(eventId);
    const downloadEvent = page.waitForEvent("download");
    await exportLink.click();
    const download = await downloadEvent;
    expect(download.suggestedFilename()).toMatch(/^audit-trail-\d{8}T\d{6}Z\.csv$/);
    const bytes = fs.readFileSync(await download.path());
    const { header, records } = csvRecords(bytes.toString("utf8"));
    expect(header).toEqual(expect.arrayContaining(["id", "occurred_at", "actor_email", "actor_user_agent", "action", "outcome", "event_ids", "hash"]));
    expect(records.map((record) => record.id)).toEqual(expected.map((row) => row.id));
    const exportedView = records.find((record) => record.id === viewRow!.id);
    expect(exportedView).toMatchObject({ actor_email: viewer.email, actor_user_agent: viewerTag, action: "events.view", outcome: "allowed", target_id: eventId, purpose: "improve_product" });
    expect(records.find((record) => record.id === listRow!.id)?.event_ids?.split(";")).toEqual(listRow!.event_ids);

    // ── The auditor's own steps are in the trail too ──
    const audited = await auditDetailsFor(auditorTag);
    for (const row of audited) expect(row).toMatchObject({ outcome: "allowed", actor_email: auditor.email });
    expect(audited.filter((row) => row.action === "audit.search").map((row) => row.filters)).toEqual(
      expect.arrayContaining([expect.objectContaining({ actor: viewer.email, eventId, page: "first" })]),
    );
    expect(audited.filter((row) => row.action === "audit.view")).toEqual([expect.objectContaining({ target_id: viewRow!.id })]);
    const verifications = audited.filter((row) => row.action === "audit.verify");
    expect(verifications).toHaveLength(1);
    expect(verifications[0]).toMatchObject({ target_type: "audit_trail", after: expect.objectContaining({ ok: true, firstFailure: null }) });
    expect(verifications[0]!.row_count).toBeGreaterThan(0);
    const exports = audited.filter((row) => row.action === "audit.export");
    expect(exports).toEqual([
      expect.objectContaining({
        target_type: "export",
        row_count: records.length,
        file_sha256: sha256Hex(bytes),
        filters: expect.objectContaining({ actor: viewer.email, eventId, truncated: false }),
      }),
    ]);
  } finally {
    for (const context of contexts) await context.close();
  }
});

test.describe("a viewer", () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("gets the 403 page from the audit console and 403 JSON from its API, each refusal audited", async ({ page, auditTag }) => {
    for (const path of ["/audit", "/audit/1"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { name: "Not permitted" })).toBeVisible();
      await expect(page.getByText("Your roles do not allow this page.")).toBeVisible();
      await expect(page.getByRole("table")).toHaveCount(0);
      await expect(page.getByRole("button", { name: "Verify now" })).toHaveCount(0);
    }

    for (const path of ["/api/v1/audit", "/api/v1/audit/export", "/api/v1/audit/verify"]) {
      const response = await page.request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(403);
      expect(response.headers()["content-type"], path).toContain("application/json");
      const body = await response.json();
      expect(body, path).toEqual({ error: expect.objectContaining({ code: "forbidden", message: "Your role does not allow this." }) });
      expect(body.error, path).not.toHaveProperty("items");
    }

    const rows = await auditRowsFor(auditTag);
    const refusals = rows.filter((row) => row.action.startsWith("audit."));
    expect(refusals.map((row) => row.action)).toEqual(["audit.search", "audit.view", "audit.search", "audit.export", "audit.verify"]);
    for (const row of refusals) expect(row).toMatchObject({ outcome: "denied", actor_email: viewer.email, reason: "forbidden: Your role does not allow this." });
  });
});

test.describe("the auditor", () => {
  test.use({ storageState: storageStateFor("auditor") });

  test("gets a readable error, never a 500, for malformed filters on the console and its API", async ({ page }) => {
    const cases = [
      { query: "from=2026-02-30", path: "from", message: "is not a date or date-time" },
      { query: "limit=-1", path: "limit", message: "must be at least 1" },
      { query: "cursor=garbage", path: "cursor", message: "is not valid; start again from the first page" },
      { query: "eventId=42", path: "eventId", message: "must be an event id (a UUID)" },
      { query: "action=events.peek", path: "action.0", message: "is not a known audit action" },
      { query: "who=me", path: "(input)", message: '"who"' },
    ];
    for (const bad of cases) {
      const response = await page.request.get(`/api/v1/audit?${bad.query}`);
      expect(response.status(), bad.query).toBe(400);
      const body = await response.json();
      expect(body.error, bad.query).toMatchObject({ code: "invalid_input", issues: [{ path: bad.path, message: expect.stringContaining(bad.message) }] });

      const pageResponse = await page.goto(`/audit?${bad.query}`);
      expect(pageResponse?.status(), bad.query).toBeLessThan(500);
      await expect(page.getByRole("alert").filter({ hasText: "That request could not be understood" }), bad.query).toContainText(bad.message);
      await expect(page.getByRole("table"), bad.query).toHaveCount(0);
    }
  });
});
