// Issue 14: the field registry's filters and facets in the browser. Text
// filters ignore case (`os=LINUX` finds linux), versions match by prefix, the
// filter form sends a compact URL, and each facetable field has a picker of
// its top values with counts (GET /api/v1/events/facets, audited as
// events.facets) whose values filter the list — within the person's scope
// only: platform health is offered no location picker, and asking the API for
// one is refused with a 403 that names the field.
import { sql } from "../db";
import { PERSONAS, declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor, screenshot } from "./support";

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

  test("picks a value from a field's top values, with the counts SQL gives, audited", async ({ page, auditTag }, testInfo) => {
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
    await screenshot(page, "facets-error-kind", testInfo);

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

test.describe("chips, click-to-filter and empty results", () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("shows the active filters as removable chips and filters by a clicked value", async ({ page }, testInfo) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto("/events?range=30d&kind=completion_shown");
    const table = page.getByRole("table", { name: "Telemetry events matching the filters" });
    const osLink = table.locator('a[title^="Filter by Operating system: "]').first();
    const os = (await osLink.textContent())!.trim();
    await expect(osLink).toHaveAttribute("tabindex", "-1"); // out of the tab order: the form and pickers serve the keyboard
    await osLink.click();
    await page.waitForURL((url) => url.searchParams.get("os") === os);
    expect(new URL(page.url()).searchParams.get("range")).toBe("30d");

    const chips = page.getByRole("navigation", { name: "Active filters" });
    await expect(chips.getByRole("link")).toHaveText([/Last 30 days/, /Kind: Completion shown/, new RegExp(`Operating system: ${os}`), "Clear all"]);
    await screenshot(page, "filter-chips", testInfo);
    await chips.getByRole("link", { name: `Remove filter Operating system: ${os}` }).click();
    await page.waitForURL((url) => !url.searchParams.has("os"));
    expect(new URL(page.url()).search).toBe("?range=30d&kind=completion_shown");
    await chips.getByRole("link", { name: "Remove filter Kind: Completion shown" }).click();
    await page.waitForURL((url) => !url.searchParams.has("kind"));
    await expect(chips.getByRole("link")).toHaveText([/Last 30 days/]);

    // Alt-click excludes the value instead
    const excludeLink = table.locator('a[title^="Filter by Operating system: "]').first();
    const excluded = (await excludeLink.textContent())!.trim();
    await excludeLink.click({ modifiers: ["Alt"] });
    await page.waitForURL((url) => url.searchParams.get("notOs") === excluded);
    await expect(chips.getByRole("link", { name: `Remove filter Operating system not ${excluded}` })).toBeVisible();
    await expect(table.locator('a[title^="Filter by Operating system: "]').first()).toBeVisible();
    await expect(table.locator('a[title^="Filter by Operating system: "]').filter({ hasText: new RegExp(`^${excluded}$`) })).toHaveCount(0);
  });

  test("says why nothing matched: a time range without events, a value that differs only in case", async ({ page }, testInfo) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto("/events?from=2020-01-01&to=2020-01-02");
    await expect(page.getByRole("heading", { level: 2, name: "0 events" })).toBeVisible();
    await expect(page.getByText(/None of the events you may see fall in this time range: they span \d{4}-\d{2}-\d{2} \d{2}:\d{2} to/)).toBeVisible();
    await screenshot(page, "empty-time-range", testInfo);

    const [sample] = await sql<{ machine_id: string }>("SELECT machine_id FROM telemetry_event WHERE machine_id ~ '[a-f]' ORDER BY id LIMIT 1");
    await page.goto(`/events?machineId=${sample!.machine_id.toUpperCase()}`);
    await expect(page.getByRole("heading", { level: 2, name: "0 events" })).toBeVisible();
    await expect(page.getByText(`differs only in case from “${sample!.machine_id}”`)).toBeVisible();
  });
});

test.describe("a Microsoft viewer", () => {
  test.use({ storageState: storageStateFor("viewerMicrosoft") });

  test("is told that the kind asked for is outside their access", async ({ page }) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto("/events?kind=error");
    await expect(page.getByRole("heading", { level: 2, name: "0 events" })).toBeVisible();
    await expect(page.getByText("Error events are outside your access, so they were not searched.")).toBeVisible();
  });
});

test.describe("the platform health viewer", () => {
  test.use({ storageState: storageStateFor("viewerHealth") });

  test("is offered pickers only for fields in their scope; a location filter or facet is refused, naming the field", async ({ page, auditTag }) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto("/events");
    const filters = page.getByRole("form", { name: "Filters" });
    await filters.locator("summary", { hasText: "More filters" }).click();
    await expect(filters.getByRole("button", { name: "Top values of Operating system" })).toBeVisible();
    for (const withheld of ["Country", "Region", "City"]) await expect(filters.getByRole("button", { name: `Top values of ${withheld}` })).toHaveCount(0);

    // a filter on a field outside their access is named in the page, not silently dropped into "0 events"
    const page403 = await page.goto("/events?city=Paris");
    expect(page403?.status()).toBe(403);
    await expect(page.getByRole("alert").filter({ hasText: "Not permitted" })).toContainText("You may not filter by city: your access does not include location fields.");
    await expect(page.getByRole("heading", { level: 2, name: /\bevents?$/ })).toHaveCount(0);

    const refused = await page.request.get("/api/v1/events/facets?field=city", { headers: { "user-agent": auditTag } });
    expect(refused.status()).toBe(403);
    const body = (await refused.json()) as { error: { message: string; issues: Array<{ path: string; message: string }> } };
    expect(body.error.issues).toEqual([{ path: "field", message: "location fields are not in your scope" }]);
    expect(body.error.message).toMatch(/City/);
    const rows = await auditDetailsFor(auditTag);
    expect(rows.filter((row) => row.action === "events.facets")).toEqual([expect.objectContaining({ outcome: "denied", actor_email: PERSONAS.viewerHealth.email })]);
  });
});
