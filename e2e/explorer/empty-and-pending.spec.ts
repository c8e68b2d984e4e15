// Issue 14, the explorer's missing states: a histogram whose filters match
// nothing says so (no invented 24-hour axis when the range is open below),
// Export CSV is disabled with its reason when there is nothing to export (and
// the export route itself answers an empty export with 200 and a header-only
// file), and an in-app navigation marks the page busy and says what loads
// until the next page is on screen (components/portal-main.tsx).
import type { Route } from "@playwright/test";
import { declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { screenshot } from "./support";

const NO_MACHINE = "f".repeat(64);

test.describe("the Copilot team viewer", () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("sees an honest empty histogram and no export of nothing when the filters match no event", async ({ page }, testInfo) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto(`/events?machineId=${NO_MACHINE}`);
    await expect(page.getByRole("heading", { level: 2, name: "0 events" })).toBeVisible();

    const histogram = page.getByRole("region", { name: "Events over time" });
    await expect(histogram.getByRole("status")).toContainText("No events match these filters at any time, so there is nothing to draw.");
    await expect(histogram.getByRole("status")).toContainText("Remove a filter, or check a value's spelling.");
    // no axis for a range nobody chose: neither a summary of one nor a plot
    await expect(histogram.getByText(/events? from/)).toHaveCount(0);
    await expect(histogram.getByRole("group")).toHaveCount(0);
    const answer = await page.request.get(`/api/v1/events/histogram?machineId=${NO_MACHINE}`);
    expect(answer.status()).toBe(200);
    expect(await answer.json()).toMatchObject({ from: null, bucketSeconds: null, buckets: [], total: 0 });

    // Export CSV: disabled, with the reason, and reachable by keyboard to hear it
    await expect(page.getByRole("link", { name: "Export CSV" })).toHaveCount(0);
    const exportButton = page.getByRole("button", { name: "Export CSV" });
    await expect(exportButton).toHaveAttribute("aria-disabled", "true");
    await expect(exportButton).toHaveAccessibleDescription("Nothing to export: no events match these filters.");
    await exportButton.focus();
    await expect(exportButton).toBeFocused();
    await screenshot(page, "empty-no-lower-bound", testInfo);

    // the route itself: an empty export is a header-only file, 200, never a 500
    const exported = await page.request.get(`/api/v1/events/export?machineId=${NO_MACHINE}&columns=time,kind`);
    expect(exported.status()).toBe(200);
    expect(exported.headers()["x-export-row-count"]).toBe("0");
    expect(await exported.text()).toBe("id,time,kind\r\n");
  });

  test("sees the real range drawn empty when the range has a lower bound, with a hint to widen it", async ({ page }, testInfo) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto(`/events?range=24h&machineId=${NO_MACHINE}`);
    const histogram = page.getByRole("region", { name: "Events over time" });
    await expect(histogram.getByText(/^0 events from .* UTC, per 15 minutes\.$/)).toBeVisible();
    await expect(histogram.getByRole("status")).toContainText("No events in this time range for these filters.");
    await expect(histogram.getByRole("status")).toContainText("Widen the time range, or remove a filter.");
    await expect(page.getByRole("button", { name: "Export CSV" })).toHaveAttribute("aria-disabled", "true");
    await screenshot(page, "empty-last-24-hours", testInfo);

    // with events, the export is a link again
    await page.goto("/events?range=24h");
    await expect(page.getByRole("link", { name: "Export CSV" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Export CSV" })).toHaveCount(0);
  });

  test("sees the charts say once that nothing matches, and no funnel of zeros on an empty axis", async ({ page }, testInfo) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto(`/events/insights?machineId=${NO_MACHINE}`);
    await expect(page.getByRole("note", { name: "No matching events" })).toContainText("No events match these filters, so every chart below is empty.");
    await expect(page.getByRole("note", { name: "No matching events" }).getByRole("link", { name: "start again with no filters" })).toHaveAttribute("href", "/events/insights");
    const funnel = page.getByRole("region", { name: /^Completion funnel/ });
    await expect(funnel).toContainText("No events match these filters.");
    await expect(funnel.locator("svg")).toHaveCount(0);
    await screenshot(page, "charts-empty", testInfo);

    // with events, neither
    await page.goto("/events/insights?range=7d");
    await expect(page.getByRole("note", { name: "No matching events" })).toHaveCount(0);
    await expect(page.getByRole("region", { name: /^Completion funnel/ }).locator("svg").first()).toBeVisible();
  });

  test("keeps the event page's heading when the event cannot be shown", async ({ page }) => {
    await declarePurpose(page.request, "improve_product");
    const response = await page.goto("/events/not-an-id");
    // (pages answer their error state with 200, like bad-input.spec.ts expects; only 503 is carried to the status)
    expect(response?.status()).toBeLessThan(500);
    await expect(page.getByRole("heading", { level: 1, name: "Event" })).toBeVisible();
    await expect(page.getByRole("alert").filter({ hasText: "That request could not be understood" })).toContainText("must be an event id");
    await expect(page.locator("main")).toHaveCount(1);

    // an event that does not exist: the not-found page, inside the portal's one <main> (not a second one)
    const missing = await page.goto("/events/00000000-0000-4000-8000-000000000000");
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
    await expect(page.locator("main")).toHaveCount(1);
    await expect(page.locator("#main")).toHaveCount(1);
  });

  test("meets a refusal inside the portal's one <main>", async ({ page }) => {
    await declarePurpose(page.request, "improve_product");
    const refused = await page.goto("/audit");
    expect(refused?.status()).toBe(403);
    await expect(page.getByRole("heading", { level: 1, name: "Not permitted" })).toBeVisible();
    await expect(page.locator("main")).toHaveCount(1);
  });

  test("sees the page marked busy, and hears what loads, until the next page is on screen", async ({ page }, testInfo) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto("/events?range=7d");
    await expect(page.getByRole("region", { name: "Events over time" }).getByText(/events? from/)).toBeVisible();
    const main = page.locator("main#main");
    await expect(main).not.toHaveAttribute("aria-busy", "true");

    // hold the next page's server render until the busy state has been seen
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const hold = async (route: Route) => {
      if (new URL(route.request().url()).searchParams.get("range") === "24h") await held;
      await route.continue().catch(() => undefined);
    };
    await page.route(/\/events\?/, hold);
    const link = page.getByRole("navigation", { name: "Quick time ranges" }).getByRole("link", { name: "Last 24 hours" });
    await link.focus();
    await page.keyboard.press("Enter");
    await expect(main).toHaveAttribute("aria-busy", "true");
    await expect(main).toHaveClass(/page--pending/);
    await expect(main.locator("> p[aria-live=polite]")).toHaveText("Loading events…");
    // after a moment (so quick navigations do not flash) a badge says it too; the page keeps its layout
    await expect(main.locator(".navigation-badge")).toBeVisible();
    await expect(main.locator(".navigation-badge")).toHaveText("Loading events…");
    await expect(main.getByRole("navigation", { name: "Quick time ranges" })).toBeVisible();
    await screenshot(page, "pending-navigation", testInfo);

    release();
    await page.waitForURL((url) => url.searchParams.get("range") === "24h");
    await expect(main).not.toHaveAttribute("aria-busy", "true");
    await expect(main.locator("> p[aria-live=polite]")).toHaveText("");
    await expect(main.locator(".navigation-badge")).toHaveCount(0);
    await expect(link).toHaveAttribute("aria-current", "true");
    await page.unroute(/\/events\?/, hold);

    // Back to the page the navigation started from: nothing is loading there any more
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get("range") === "7d");
    await expect(page.getByRole("navigation", { name: "Quick time ranges" }).getByRole("link", { name: "Last 7 days" })).toHaveAttribute("aria-current", "true");
    await expect(main).not.toHaveAttribute("aria-busy", "true");
    await expect(main.locator(".navigation-badge")).toHaveCount(0);
  });
});
