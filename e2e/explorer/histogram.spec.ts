// Issue 14 item 3: the histogram over the whole time range above the events
// table (GET /api/v1/events/histogram, audited as a chart with target type
// "histogram"). Its total is the SQL count of the filters over the range, not
// the fetched page; dragging across it, or choosing buckets with the keyboard
// and Enter, narrows the URL's time range and the table with it; the charts'
// volume bars (and their table) drill down to a filtered list.
import type { Page } from "@playwright/test";
import { sql } from "../db";
import { declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor, screenshot } from "./support";

const count = async (where: string, params: unknown[] = []) => Number((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_event WHERE ${where}`, params))[0]?.n);

/** The events heading's number ("1,234 events"). */
async function listedTotal(page: Page): Promise<number> {
  const text = await page.getByRole("heading", { level: 2, name: /\bevents?$/ }).textContent();
  return Number((text ?? "").replace(/[^0-9]/g, ""));
}

test.describe("the Copilot team viewer", () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("sees the histogram of the whole range and narrows the time range by dragging", async ({ page, auditTag }, testInfo) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto("/events?kind=completion_requested&kind=completion_shown&range=7d");
    const histogram = page.getByRole("region", { name: "Events over time" });
    await expect(histogram).toBeVisible();
    const KINDS = "kind IN ('completion_requested', 'completion_shown')";
    const expected = await count(`${KINDS} AND time >= now() - interval '7 days'`);
    // the whole range, not the page of 50 rows
    await expect(histogram.getByText(new RegExp(`^${expected.toLocaleString("en-US")} events? from`))).toBeVisible();
    expect(expected).toBeGreaterThan(50);
    const requested = await count("kind = 'completion_requested' AND time >= now() - interval '7 days'");
    // stacked by kind, each kind's total in the legend
    await expect(histogram.getByRole("list", { name: "Kinds" })).toContainText(`Completion requested (${requested.toLocaleString("en-US")})`);
    await expect(histogram.getByRole("list", { name: "Kinds" })).toContainText(`Completion shown (${(expected - requested).toLocaleString("en-US")})`);
    await screenshot(page, "histogram", testInfo, { fullPage: false });

    const rows = await auditDetailsFor(auditTag);
    const audited = rows.find((row) => row.action === "events.chart" && row.target_type === "histogram");
    expect(audited).toMatchObject({ outcome: "allowed", row_count: expected });
    expect(audited?.filters).toMatchObject({ kind: ["completion_requested", "completion_shown"], range: "7d" });

    // drag across the middle third
    const plot = histogram.locator("svg");
    await plot.scrollIntoViewIfNeeded();
    const box = (await plot.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.35, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.65, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL((url) => url.searchParams.has("from") && url.searchParams.has("to"));
    const url = new URL(page.url());
    expect(url.searchParams.get("range")).toBeNull();
    expect(url.searchParams.getAll("kind")).toEqual(["completion_requested", "completion_shown"]);
    const from = url.searchParams.get("from")!;
    const to = url.searchParams.get("to")!;
    const narrowed = await count(`${KINDS} AND time >= $1::timestamptz AND time < $2::timestamptz`, [from, to]);
    expect(narrowed).toBeLessThan(expected);
    await expect.poll(() => listedTotal(page)).toBe(narrowed);
    await expect(page.getByRole("region", { name: "Events over time" }).getByText(new RegExp(`^${narrowed.toLocaleString("en-US")} events? from`))).toBeVisible();
  });

  test("the page draws its histogram from its own read: one request, both audit rows under its id, and the next page keeps it", async ({ page, auditTag }) => {
    await declarePurpose(page.request, "improve_product");
    const fetched: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/api/v1/events/histogram") fetched.push(request.url());
    });
    await page.goto("/events?range=7d");
    const histogram = page.getByRole("region", { name: "Events over time" });
    const summary = histogram.getByText(/^[\d,]+ events? from .* UTC, per /);
    await expect(summary).toBeVisible();
    const drawn = await summary.textContent();
    // read with the list, in the same transaction: two rows of one request
    const rows = await sql<{ request_id: string; action: string; target_type: string | null }>(
      "SELECT request_id, action, target_type FROM audit_event WHERE actor_user_agent = $1 AND outcome = 'allowed' AND action IN ('events.list', 'events.chart') ORDER BY id",
      [auditTag],
    );
    expect(rows.map((row) => [row.action, row.target_type])).toEqual([
      ["events.chart", "histogram"],
      ["events.list", null],
    ]);
    expect(rows[0]!.request_id).toBe(rows[1]!.request_id);

    // the next page lists other rows under the same filters: the histogram drawn stays, nothing is fetched
    await page.getByRole("link", { name: "Next page →" }).click();
    await page.waitForURL((url) => url.searchParams.has("cursor"));
    await expect(summary).toHaveText(drawn!);
    expect(fetched).toEqual([]);

    // opened straight at a later page, the page has no histogram of its own: it is fetched once
    await page.reload();
    await expect(summary).toBeVisible();
    await expect.poll(() => fetched.length).toBe(1);
  });

  test("narrows the time range with the keyboard", async ({ page }) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto("/events?range=24h");
    const plot = page.getByRole("group", { name: /^Events over time\./ });
    await expect(plot).toBeVisible();
    await plot.focus();
    await expect(plot).toBeFocused();
    // the last bucket, then two more to its left
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Shift+ArrowLeft");
    await page.keyboard.press("Shift+ArrowLeft");
    await expect(page.getByText(/^Selected .* UTC: [\d,]+ events\. Press Enter to show them\.$/)).toBeVisible();
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.searchParams.has("from") && url.searchParams.has("to"));
    const url = new URL(page.url());
    const from = new Date(url.searchParams.get("from")!);
    const to = new Date(url.searchParams.get("to")!);
    expect(url.searchParams.get("range")).toBeNull();
    // three buckets of the 24-hour range's width (15 minutes), ending at the range's end
    expect(to.getTime() - from.getTime()).toBeLessThanOrEqual(3 * 15 * 60_000);
    expect(to.getTime() - from.getTime()).toBeGreaterThan(2 * 15 * 60_000 - 1);
    const narrowed = await count("time >= $1::timestamptz AND time < $2::timestamptz", [from.toISOString(), to.toISOString()]);
    await expect.poll(() => listedTotal(page)).toBe(narrowed);
  });

  test("a chart bar drills down to the list of that day and kind", async ({ page }) => {
    await declarePurpose(page.request, "improve_product");
    await page.goto("/events/insights?range=7d");
    const volume = page.getByRole("region", { name: /^Events by kind, per day/ });
    await volume.locator("summary", { hasText: "The numbers as a table" }).click();
    const link = volume.getByRole("table").getByRole("link").first();
    const shown = Number(((await link.textContent()) ?? "").replace(/[^0-9]/g, ""));
    await link.click();
    await page.waitForURL(/\/events\?/);
    const url = new URL(page.url());
    expect(url.pathname).toBe("/events");
    expect(url.searchParams.getAll("kind")).toHaveLength(1);
    expect(url.searchParams.get("from")).not.toBeNull();
    expect(await listedTotal(page)).toBe(shown);

    // the bars themselves drill down too
    await page.goBack();
    // the tallest bar: the first can be under a pixel high (a partial first day), where the axis line takes the click
    const bars = page.getByRole("region", { name: /^Events by kind, per day/ }).locator(".recharts-bar-rectangle path");
    await expect(bars.first()).toBeVisible();
    const heights = await bars.evaluateAll((paths) => paths.map((path) => path.getBoundingClientRect().height));
    await bars.nth(heights.indexOf(Math.max(...heights))).click();
    await page.waitForURL((next) => next.pathname === "/events" && next.searchParams.has("from"));
    expect(new URL(page.url()).searchParams.getAll("kind")).toHaveLength(1);
  });
});
