// Issue 15, item 2: erasure of one machine (a data-subject request). A viewer
// lists a freshly planted machine's events (an audited disclosure); the admin
// opens Admin → Erasure, counts the machine's events, is refused without a
// reason, confirms with one, and the events are gone from the explorer; the
// auditor finds the tombstone (the machine id's SHA-256, the count, who, why —
// not the machine id in clear) and the machine's disclosure receipt still lists
// the viewer's earlier access. Screenshots at 1440 and 390 px.
import { createHash } from "node:crypto";
import type { BrowserContext, Page, TestInfo } from "@playwright/test";
import { sql } from "../db";
import { declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor, plantCompletionShown } from "../explorer/support";

async function shot(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  const file = testInfo.outputPath(`${name}-${width}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(`${name}-${width}`, { path: file, contentType: "image/png" });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} at ${width} px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
}

test("an admin erases a machine: its events leave the explorer, the tombstone is audited, the receipt keeps the earlier access", async ({ browser, baseURL, auditTag }, testInfo) => {
  test.setTimeout(180_000);
  const contexts: BrowserContext[] = [];
  try {
    // ── A viewer sees the machine's events (a disclosure naming the machine) ──
    const viewerTag = `${auditTag}/viewer`;
    const viewerContext = await browser.newContext({ baseURL, storageState: storageStateFor("viewerCopilot"), userAgent: viewerTag });
    contexts.push(viewerContext);
    const viewer = await viewerContext.newPage();
    const planted = await plantCompletionShown(viewer.request);
    const machine = planted.machineId;
    const hash = createHash("sha256").update(machine, "utf8").digest("hex");
    await declarePurpose(viewer.request, "investigate_abuse");
    await viewer.goto(`/events?machineId=${machine}`);
    await expect(viewer.locator(`a[href^="/events/${planted.id}"]`).first()).toBeVisible();
    const disclosed = (await auditDetailsFor(viewerTag)).filter((row) => row.machine_ids?.includes(machine));
    expect(disclosed.length).toBeGreaterThanOrEqual(1);

    // ── The admin counts, is asked for a reason, and erases ──
    for (const width of [390, 1440]) {
      const adminContext = await browser.newContext({ baseURL, storageState: storageStateFor("admin"), userAgent: `${auditTag}/admin/${width}`, viewport: { width, height: 900 } });
      contexts.push(adminContext);
      const admin = await adminContext.newPage();
      await admin.goto("/admin/erasure");
      await expect(admin.getByRole("heading", { level: 1, name: "Erasure" })).toBeVisible();
      await shot(admin, "erasure-empty", testInfo);
      const find = admin.getByRole("form", { name: "Find a machine's events" });
      await find.getByLabel("Machine ID").fill(machine);
      await find.getByRole("button", { name: "Count events" }).click();
      const confirm = admin.getByRole("form", { name: "Erase the machine's events" });
      await expect(confirm.getByRole("heading", { name: "Erase 1 event" })).toBeVisible();
      await shot(admin, "erasure-confirm", testInfo);
      if (width === 390) continue; // the narrow pass only looks

      await confirm.getByRole("button", { name: "Erase 1 event" }).click();
      await expect(confirm.getByRole("alert")).toBeVisible();
      await expect(confirm.getByLabel("Reason")).toHaveAttribute("aria-invalid", "true");
      expect(await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE machine_id = $1", [machine])).toEqual([{ n: 1 }]);

      await confirm.getByLabel("Reason").fill(`DSR-4711 from the owner of ${machine}`);
      await confirm.getByRole("button", { name: "Erase 1 event" }).click();
      await expect(admin.getByRole("status").filter({ hasText: "Erased 1 event." })).toBeVisible();
      await expect(admin.getByText(`sha256:${hash}`)).toBeVisible();
      await shot(admin, "erasure-done", testInfo);
    }
    expect(await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE machine_id = $1", [machine])).toEqual([{ n: 0 }]);

    // ── The explorer no longer has them ──
    await viewer.goto(`/events?machineId=${machine}`);
    await expect(viewer.locator(`a[href^="/events/${planted.id}"]`)).toHaveCount(0);

    // ── The tombstone: who, why, how many, the hash — not the machine id in clear ──
    const [tombstone] = await sql<{ action: string; actor_email: string; reason: string; target_type: string; target_id: string; row_count: number; machine_ids: string[]; clear: boolean }>(
      `SELECT action, actor_email, reason, target_type, target_id, row_count, machine_ids, strpos(t::text, $2) > 0 AS clear
         FROM audit_event t WHERE actor_user_agent = $1 AND action = 'telemetry.machine_erased' AND outcome = 'allowed'`,
      [`${auditTag}/admin/1440`, machine],
    );
    expect(tombstone).toEqual({
      action: "telemetry.machine_erased",
      actor_email: "admin@github.example",
      reason: "DSR-4711 from the owner of [machine id]",
      target_type: "machine_id_sha256",
      target_id: hash,
      row_count: 1,
      machine_ids: [],
      clear: false,
    });

    // ── The auditor: the tombstone in the trail, and the receipt still lists the earlier access ──
    const auditorContext = await browser.newContext({ baseURL, storageState: storageStateFor("auditor"), userAgent: `${auditTag}/auditor` });
    contexts.push(auditorContext);
    const auditor = await auditorContext.newPage();
    await auditor.goto(`/audit?action=telemetry.machine_erased`);
    await expect(auditor.getByRole("cell", { name: "Erased a machine's telemetry (tombstone)" }).first()).toBeVisible();
    await auditor.goto(`/audit/disclosures?machineId=${machine}`);
    await expect(auditor.locator("#receipt-completeness")).toBeVisible();
    for (const row of disclosed) await expect(auditor.locator(`main table a[href="/audit/${row.id}"]`)).toHaveCount(1);
  } finally {
    for (const context of contexts) await context.close();
  }
});
