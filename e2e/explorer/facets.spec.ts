// Issue 14: the field registry's filters and facets in the browser. Text
// filters ignore case (`os=LINUX` finds linux), versions match by prefix, the
// filter form sends a compact URL, and each facetable field has a picker of
// its top values with counts (GET /api/v1/events/facets, audited as
// events.facets) whose values filter the list — within the person's scope
// only: platform health is offered no location picker, and asking the API for
// one is refused with a 403 that names the field.
import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { sql } from "../db";
import { PERSONAS, declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor } from "./support";

const SCREENSHOTS = path.resolve(import.meta.dirname, "../../test-results/screenshots");

async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

const countRows = async (where: string, params: unknown[] = []) => Number((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_event WHERE ${where}`, params))[0]?.n);

test.describe("the Copilot team viewer", () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("filters in any case and by version prefix, with a compact URL", async ({ page }) => {
    await declarePurpose(page.request, "improve_product");
    const [sample] = await sql<{ os: string; vscode_version: string }>("SELECT os, vscode_version FROM telemetry_event WHERE kind = 'completion_shown' ORDER BY id LIMIT 1");
    const expected = await countRows("kind = 'completion_shown' AND os = $1", [sample!.os]);

    await page.goto("/events");
    const filters = page.getByRole("form", { name: "Filters" });
    await filters.getByRole("checkbox", { name: "Completion shown" }).check();
    await filters.locator("summary", { hasText: "More filters" }).click();
    await filters.getByRole("textbox", { name: /^Operating system/ }).fill(sample!.os.toUpperCase());
    await filters.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("os") === sample!.os.toUpperCase());
    // only what was chosen travels: no blank fields, no defaults
    expect(new URL(page.url()).search).toBe(`?kind=completion_shown&os=${sample!.os.toUpperCase()}`);
    await expect(page.getByRole("heading", { level: 2, name: `${expected.toLocaleString("en-US")} ${expected === 1 ? "event" : "events"}` })).toBeVisible();

    const minor = sample!.vscode_version.split(".").slice(0, 2).join(".");
    const byPrefix = await countRows("kind = 'completion_shown' AND (vscode_version = $1 OR vscode_version LIKE $1 || '.%')", [minor]);
    await page.goto(`/events?kind=completion_shown&vscodeVersion=${minor}`);
    await expect(page.getByRole("heading", { level: 2, name: `${byPrefix.toLocaleString("en-US")} ${byPrefix === 1 ? "event" : "events"}` })).toBeVisible();

    // a form sent without JavaScript (every blank field) lands on the same view, compact
    await page.goto("/events?range=&kind=completion_shown&os=&city=&limit=50");
    expect(new URL(page.url()).search).toBe("?kind=completion_shown&limit=50");
  });

  test("picks a value from a field's top values, with the counts SQL gives, audited", async ({ page, auditTag }) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto("/events?kind=error");
    const filters = page.getByRole("form", { name: "Filters" });
    await filters.locator("summary", { hasText: "More filters" }).click();

    const toggle = filters.getByRole("button", { name: "Top values of Error kind" });
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    const list = filters.getByRole("list", { name: "Top values of Error kind" });
    await expect(list).toBeVisible();

    const expected = await sql<{ value: string; n: number }>(
      "SELECT error_kind AS value, count(*)::int AS n FROM telemetry_event WHERE kind = 'error' AND error_kind IS NOT NULL GROUP BY error_kind ORDER BY count(*) DESC, error_kind LIMIT 10",
    );
    const shown = await list.getByRole("link").allTextContents();
    expect(shown.map((text) => text.replace(/\s+events$/, "").trim())).toEqual(expected.map((row) => `${row.value} ${Number(row.n).toLocaleString("en-US")}`));
    await screenshot(page, "facets-error-kind");

    const [facetRow] = (await auditDetailsFor(auditTag)).filter((row) => row.action === "events.facets");
    expect(facetRow).toMatchObject({ outcome: "allowed", target_type: "facet", field_classes: ["measurements"] });
    expect(facetRow!.filters).toMatchObject({ field: "errorKind", kind: ["error"] });
    expect(facetRow!.after).toEqual({ field: "errorKind", values: expected.map((row) => ({ value: row.value, count: Number(row.n) })) });

    // the second value: a click filters the list by it
    const second = expected[1]!;
    await list.getByRole("link", { name: new RegExp(`^${second.value.replace(/\./g, "\\.")} `) }).click();
    await page.waitForURL((url) => url.searchParams.get("errorKind") === second.value);
    await expect(page.getByRole("heading", { level: 2, name: `${Number(second.n).toLocaleString("en-US")} events` })).toBeVisible();
    await expect(page.getByRole("form", { name: "Filters" }).getByRole("textbox", { name: /^Error kind/ })).toHaveValue(second.value);
  });
});

test.describe("the platform health viewer", () => {
  test.use({ storageState: storageStateFor("viewerHealth") });

  test("is offered pickers only for fields in their scope, and the API refuses a location facet naming the field", async ({ page, auditTag }) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto("/events");
    const filters = page.getByRole("form", { name: "Filters" });
    await filters.locator("summary", { hasText: "More filters" }).click();
    await expect(filters.getByRole("button", { name: "Top values of Operating system" })).toBeVisible();
    for (const withheld of ["Country", "Region", "City"]) await expect(filters.getByRole("button", { name: `Top values of ${withheld}` })).toHaveCount(0);

    const refused = await page.request.get("/api/v1/events/facets?field=city", { headers: { "user-agent": auditTag } });
    expect(refused.status()).toBe(403);
    const body = (await refused.json()) as { error: { message: string; issues: Array<{ path: string; message: string }> } };
    expect(body.error.issues).toEqual([{ path: "field", message: "location fields are not in your scope" }]);
    expect(body.error.message).toMatch(/City/);
    const rows = await auditDetailsFor(auditTag);
    expect(rows.filter((row) => row.action === "events.facets")).toEqual([expect.objectContaining({ outcome: "denied", actor_email: PERSONAS.viewerHealth.email })]);
  });
});
