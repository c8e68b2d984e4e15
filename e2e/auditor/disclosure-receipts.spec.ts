// Issue 12, item 4: "who has seen data of machine X?". A viewer lists a
// machine's events and opens one; the auditor, in another browser, asks the
// disclosures page for that machine and finds exactly the rows the database
// holds for it (sealed under a checkpoint or listed as not yet covered),
// downloads the receipt, sees the empty state for an unseen machine and the
// named error for a bad id; the request is audited. A viewer gets the 403 page
// and 403 JSON. The test waits for the audit.checkpoint job (every minute) to
// seal the viewer's rows, so the download carries inclusion proofs, and checks
// it with `audit:verify --receipt` and the portal's public key alone. Screenshots at 1440 and 390 px (test-results/…), nothing
// scrolling sideways.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, Page, TestInfo } from "@playwright/test";
import { sql } from "../db";
import { declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor } from "../explorer/support";
import { formatVerifierKey, parseSigningKey } from "../../server/audit/checkpoints/signed-note";

const auditor = "auditor@github.example";

async function shot(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  const file = testInfo.outputPath(`${name}-${width}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(`${name}-${width}`, { path: file, contentType: "image/png" });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} at ${width} px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
}

/** The audit row ids the page's tables link to, in order. */
async function listedIds(page: Page): Promise<string[]> {
  const hrefs = await page.locator('main table a[href^="/audit/"]').evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""));
  return hrefs.map((href) => href.slice("/audit/".length));
}

test("the auditor lists every access to a machine's data, downloads the receipt, and the request is audited", async ({ browser, baseURL, auditTag }, testInfo) => {
  test.setTimeout(180_000);
  const viewerTag = `${auditTag}/viewer`;
  const auditorTag = `${auditTag}/auditor`;
  const contexts: BrowserContext[] = [];
  try {
    // ── A viewer lists one machine's events and opens one ──
    const [event] = await sql<{ id: string; machine_id: string }>(
      "SELECT id::text AS id, machine_id FROM telemetry_event WHERE kind = 'error' ORDER BY time DESC LIMIT 1",
    );
    const machine = event!.machine_id;
    const viewerContext = await browser.newContext({ baseURL, storageState: storageStateFor("viewerCopilot"), userAgent: viewerTag });
    contexts.push(viewerContext);
    const viewerPage = await viewerContext.newPage();
    await declarePurpose(viewerPage.request, "investigate_abuse");
    await viewerPage.goto(`/events?machineId=${machine}&limit=10`);
    await viewerPage.goto(`/events/${event!.id}`);
    await expect(viewerPage.getByRole("heading", { level: 1 })).toContainText("Error");
    const browsed = await auditDetailsFor(viewerTag);
    const mine = browsed.filter((row) => row.machine_ids?.includes(machine)).map((row) => row.id);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    // the event page also writes its timeline's row (events.timeline) after the view
    const viewed = browsed.find((row) => row.action === "events.view" && row.machine_ids?.includes(machine))?.id;
    expect(viewed).toBeDefined();
    // The audit.checkpoint job runs every minute: wait until a checkpoint covers the viewer's rows.
    await expect
      .poll(
        async () => {
          const [sealed] = await sql<{ n: number }>(
            `SELECT count(*)::int AS n FROM audit_merkle_leaf l
              WHERE l.audit_event_id = ANY($1::bigint[]) AND l.leaf_index < (SELECT coalesce(max(tree_size), 0) FROM audit_checkpoint)`,
            [mine],
          );
          return sealed?.n;
        },
        { timeout: 150_000, intervals: [2_000] },
      )
      .toBe(mine.length);

    // ── The auditor asks the page about that machine ──
    for (const width of [1440, 390]) {
      const context = await browser.newContext({ baseURL, storageState: storageStateFor("auditor"), userAgent: `${auditorTag}/${width}`, viewport: { width, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto("/audit");
      await page.screenshot({ path: testInfo.outputPath(`audit-trail-${width}.png`) });
      await page.getByRole("link", { name: "Disclosure receipts: who has seen data of a machine?" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "Disclosure receipts" })).toBeVisible();
      await shot(page, "disclosures-form", testInfo);

      const form = page.getByRole("form", { name: "Find the accesses to a machine's data" });
      await form.getByLabel("Machine id (pseudonymous)").fill(machine);
      await form.getByRole("button", { name: "Show receipt" }).click();
      await page.waitForURL((url) => url.searchParams.get("machineId") === machine);
      await expect(page.locator("#receipt-completeness")).toBeVisible();

      // Exactly the rows the database holds for this machine, oldest first (a scan, not the index).
      const expected = await sql<{ id: string }>("SELECT e.id::text AS id FROM audit_event e WHERE $1 = ANY(e.machine_ids) ORDER BY e.id", [machine]);
      const shown = await listedIds(page);
      expect([...shown].sort((a, b) => Number(a) - Number(b))).toEqual(expected.map((row) => row.id));
      expect(shown).toEqual(expect.arrayContaining(mine));
      const viewRow = page.locator("main table tbody tr", { has: page.locator(`a[href="/audit/${viewed}"]`) });
      await expect(viewRow).toContainText("viewer.copilot@github.example");
      await expect(viewRow).toContainText("GitHub Copilot team");
      await expect(viewRow).toContainText("Investigate and detect potential abuse");
      await expect(viewRow).toContainText("Opened an event");
      await shot(page, "disclosures-receipt", testInfo);

      // The request itself is audited: action, machine as target, rows listed.
      const [asked] = await sql<{ action: string; outcome: string; target_type: string; target_id: string; row_count: number; actor_email: string }>(
        "SELECT action, outcome::text AS outcome, target_type, target_id, row_count, actor_email FROM audit_event WHERE actor_user_agent = $1 ORDER BY id DESC LIMIT 1",
        [`${auditorTag}/${width}`],
      );
      expect(asked).toEqual({ action: "audit.disclosure_receipt", outcome: "allowed", target_type: "machine", target_id: machine, row_count: expected.length, actor_email: auditor });

      if (width === 1440) {
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download receipt (JSON)" }).click()]);
        expect(download.suggestedFilename()).toMatch(/^disclosure-receipt-\d{8}T\d{6}Z\.json$/);
        const receipt = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as {
          format: string;
          machineId: string;
          rows: Array<{ auditEventId: string; inclusionProof: string[] }>;
          notYetCovered: Array<{ auditEventId: string }>;
        };
        expect(receipt).toMatchObject({ format: "telemetry-portal-disclosure-receipt/1", machineId: machine });
        expect(receipt.rows.map((row) => row.auditEventId)).toEqual(expect.arrayContaining(mine));
        // Offline, with the portal's public key alone (the key file in its DATA_DIR stands in for what the operator hands out).
        const key = formatVerifierKey(parseSigningKey(fs.readFileSync(path.join(process.env.DATA_DIR ?? ".data", "audit-signing-key"), "utf8"), "unused"));
        const file = testInfo.outputPath("receipt.json");
        fs.copyFileSync((await download.path())!, file);
        const verify = spawnSync(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts", "--receipt", file, "--public-key", key], {
          cwd: path.resolve(import.meta.dirname, "../.."),
          encoding: "utf8",
        });
        expect(verify.stdout).toContain(`Disclosure receipt verified: ${receipt.rows.length} audit rows that disclosed data of machine ${machine}`);
        expect(verify.status).toBe(0);
      }

      // A machine nobody has seen: the empty state.
      await page.goto(`/audit/disclosures?machineId=${"f".repeat(64)}`);
      await expect(page.getByText("No access has disclosed data of this machine.")).toBeVisible();
      await shot(page, "disclosures-empty", testInfo);

      // A bad id: the error names the parameter.
      await page.goto(`/audit/disclosures?machineId=${"a".repeat(257)}`);
      await expect(page.getByRole("alert").filter({ hasText: "machineId: must be at most 256 characters" })).toBeVisible();
      await shot(page, "disclosures-bad-id", testInfo);
    }
  } finally {
    for (const context of contexts) await context.close();
  }
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("the page is refused (403) and so is the API, each audited as denied", async ({ page, auditTag }) => {
    const response = await page.goto(`/audit/disclosures?machineId=${"a".repeat(64)}`);
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Disclosure receipts" })).toHaveCount(0);
    const api = await page.request.get(`/api/v1/audit/disclosures?machineId=${"a".repeat(64)}`);
    expect(api.status()).toBe(403);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    const rows = await sql<{ action: string; outcome: string }>("SELECT action, outcome::text AS outcome FROM audit_event WHERE actor_user_agent = $1 AND action LIKE 'audit.%' ORDER BY id",
      [auditTag],);
    expect(rows).toEqual([
      { action: "audit.disclosure_receipt", outcome: "denied" },
      { action: "audit.disclosure_receipt", outcome: "denied" },
    ]);
  });
});
