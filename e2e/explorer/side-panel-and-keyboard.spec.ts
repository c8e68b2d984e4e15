// Issue 14 items 4, 7 and 8, in the browser as the Copilot-team viewer: a row
// opens in a side panel (through the audited event call) with previous/next
// that carry on across pages, Escape and Back return to the list with its
// filters, the previous page holds exactly the rows it held before, the pager
// says where it is; the keyboard (skip link, j/k, Enter, /, focus after
// Reveal and Hide); and the charts' axes. Screenshots at 1440 and 390 px go to
// test-results/explorer-ui/ for a person to look at.
import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { sql } from "../db";
import { declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor, plantCompletionShown, readEventsTable } from "./support";

const LIST = "/events?kind=completion_shown&limit=25";
const SHOTS = path.join("test-results", "explorer-ui");

test.use({ storageState: storageStateFor("viewerCopilot") });
// many page loads per test (each audited): more than the default minute on a busy machine
test.describe.configure({ timeout: 240_000 });

/** Recharts 3 draws an axis's tick labels in their own layer, outside the axis's group. */
const Y_TICKS = ".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value";

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

const panel = (page: Page) => page.locator("#event-panel");
const pager = (page: Page) => page.getByRole("navigation", { name: "Pages" });
const rowById = (page: Page, id: string) => page.locator(`tr[data-row-id="${id}"]`);

test("a row opens in a side panel with previous and next; Escape and Back keep the filters", async ({ page, auditTag }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await declarePurpose(page.request, "investigate_abuse", "Reviewing the explorer's side panel for issue 14");
  await page.goto(LIST);
  const { rows } = await readEventsTable(page);
  expect(rows.length).toBe(25);

  // ── A click anywhere on the row (here its Kind cell) opens it beside the list ──
  await rowById(page, rows[1]!.id).locator("td").nth(1).click();
  await page.waitForURL((url) => url.searchParams.get("open") === rows[1]!.id);
  await expect(panel(page)).toBeVisible();
  await expect(panel(page).getByRole("heading", { level: 2 })).toBeFocused();
  await expect(panel(page)).toContainText("Event 2 of 25 on this page");
  await expect(rowById(page, rows[1]!.id)).toHaveAttribute("aria-current", "true");
  // the list is still there, with its filters
  expect(new URL(page.url()).searchParams.getAll("kind")).toEqual(["completion_shown"]);
  await expect(page.getByRole("table", { name: /Telemetry events matching the filters/ })).toBeVisible();
  // the panel's fields come from the audited event call (events.view), as the event page's do
  await expect
    .poll(async () => (await auditDetailsFor(auditTag)).filter((row) => row.action === "events.view").map((row) => row.target_id))
    .toContain(rows[1]!.id);

  // ── Next and previous walk the rows ──
  await panel(page).getByRole("link", { name: "Next ↓" }).click();
  await page.waitForURL((url) => url.searchParams.get("open") === rows[2]!.id);
  await expect(panel(page)).toContainText("Event 3 of 25 on this page");
  await panel(page).getByRole("link", { name: "↑ Previous" }).click();
  await page.waitForURL((url) => url.searchParams.get("open") === rows[1]!.id);
  await panel(page).getByRole("link", { name: "↑ Previous" }).click();
  await page.waitForURL((url) => url.searchParams.get("open") === rows[0]!.id);
  // the first row of the first page has no previous
  await expect(panel(page).getByRole("link", { name: "↑ Previous" })).toHaveCount(0);
  await shoot(page, "panel-1440");

  // ── Escape closes it: same filters, focus back on the row it showed ──
  await page.keyboard.press("Escape");
  await page.waitForURL((url) => !url.searchParams.has("open"));
  expect(new URL(page.url()).search).toBe("?kind=completion_shown&limit=25");
  await expect(panel(page)).toHaveCount(0);
  await expect(rowById(page, rows[0]!.id)).toBeFocused();

  // ── The browser's Back closes it too ──
  await rowById(page, rows[3]!.id).locator("td").nth(1).click();
  await page.waitForURL((url) => url.searchParams.get("open") === rows[3]!.id);
  await page.goBack();
  await page.waitForURL((url) => !url.searchParams.has("open"));
  expect(new URL(page.url()).search).toBe("?kind=completion_shown&limit=25");

  // ── Next from the last row carries on into the next page ──
  await page.goto(`${LIST}&open=${rows[24]!.id}`);
  await expect(panel(page)).toContainText("Event 25 of 25 on this page");
  await panel(page).getByRole("link", { name: "Next ↓" }).click();
  await page.waitForURL((url) => url.searchParams.has("cursor") && url.searchParams.get("open") === "first");
  await expect(panel(page)).toContainText("Event 1 of 25 on this page");
  const second = await readEventsTable(page);
  expect(second.rows.map((row) => row.id)).not.toContain(rows[24]!.id);
  await expect(rowById(page, second.rows[0]!.id)).toHaveAttribute("aria-current", "true");
  // …and previous from there goes back to the last row of the first page
  await panel(page).getByRole("link", { name: "↑ Previous" }).click();
  await page.waitForURL((url) => url.searchParams.get("open") === "last");
  await expect(rowById(page, rows[24]!.id)).toHaveAttribute("aria-current", "true");

  // a narrow screen: the panel covers the list, Close is at hand
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${LIST}&open=${rows[0]!.id}`);
  await expect(panel(page).getByRole("link", { name: "✕ Close" })).toBeVisible();
  await shoot(page, "panel-390");
});

test("the previous page holds exactly the rows it held; the pager says where the page is", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(LIST);
  const heading = await page.getByRole("heading", { level: 2, name: /events$/ }).textContent();
  const total = (heading ?? "").replace(/[^\d,]/g, "");
  // the total respects the person's scope and the filters: here, every completion_shown event
  const [counted] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM telemetry_event WHERE kind = 'completion_shown'");
  expect(Number(total.replace(/,/g, ""))).toBe(Number(counted?.n));

  const ids = async () => (await readEventsTable(page)).rows.map((row) => row.id);
  const pages: string[][] = [await ids()];
  await expect(pager(page)).toContainText(`Rows 1–25 of ${total}`);
  await expect(pager(page).getByRole("link", { name: "← Previous page" })).toHaveCount(0);
  for (const n of [2, 3]) {
    await pager(page).getByRole("link", { name: "Next page →" }).click();
    await expect(pager(page)).toContainText(`Rows ${(n - 1) * 25 + 1}–${n * 25} of ${total}`);
    pages.push(await ids());
  }
  await pager(page).scrollIntoViewIfNeeded();
  await shoot(page, "pager-1440");
  await pager(page).getByRole("link", { name: "← Previous page" }).click();
  await expect(pager(page)).toContainText(`Rows 26–50 of ${total}`);
  expect(await ids()).toEqual(pages[1]);
  await pager(page).getByRole("link", { name: "← Previous page" }).click();
  await expect(pager(page)).toContainText(`Rows 1–25 of ${total}`);
  expect(await ids()).toEqual(pages[0]);
  await expect(pager(page).getByRole("link", { name: "← Previous page" })).toHaveCount(0);
  // and forward again from a page reached backwards
  await pager(page).getByRole("link", { name: "Next page →" }).click();
  await expect(pager(page)).toContainText(`Rows 26–50 of ${total}`);
  expect(await ids()).toEqual(pages[1]);
});

test("keyboard: skip to results, j/k, Enter, /, Escape, and focus after Reveal and Hide", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await declarePurpose(page.request, "investigate_abuse", "Reviewing the explorer's keyboard for issue 14");
  const planted = await plantCompletionShown(page.request);
  await page.goto(LIST);
  const { rows } = await readEventsTable(page);

  // ── "Skip to results" is within a few Tab presses, and lands on the results ──
  let presses = 0;
  for (; presses < 20; presses++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === "Skip to results") break;
  }
  expect(presses).toBeLessThan(15);
  await expect(page.getByRole("link", { name: "Skip to results" })).toBeVisible(); // shown while focused
  await page.keyboard.press("Enter");
  await expect(page.locator("#results")).toBeFocused();

  // ── j/k move between the rows, Enter opens ──
  await page.keyboard.press("j");
  await expect(rowById(page, rows[0]!.id)).toBeFocused();
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await expect(rowById(page, rows[2]!.id)).toBeFocused();
  await page.keyboard.press("k");
  await expect(rowById(page, rows[1]!.id)).toBeFocused();
  await expect(page.locator("[aria-live=polite]", { hasText: "Row 2 of 25 on this page" })).toHaveCount(1);
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.searchParams.get("open") === rows[1]!.id);
  await expect(panel(page).getByRole("heading", { level: 2 })).toBeFocused();
  await page.keyboard.press("Escape");
  await page.waitForURL((url) => !url.searchParams.has("open"));
  await expect(rowById(page, rows[1]!.id)).toBeFocused();

  // ── / focuses the filters; keys typed into a field stay in the field ──
  await page.keyboard.press("/");
  const filters = page.getByRole("form", { name: "Filters" });
  await expect(filters.getByLabel("Time range")).toBeFocused();
  const from = filters.locator("#filter-from");
  await from.focus();
  await page.keyboard.type("jk/");
  await expect(from).toHaveValue("jk/");
  expect(new URL(page.url()).searchParams.has("open")).toBe(false);

  // ── Compact URLs: applying the form sends no empty parameters ──
  await from.fill("");
  await filters.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL((url) => url.pathname === "/events");
  expect(page.url()).not.toMatch(/[?&][A-Za-z]+=(&|$)/);

  // ── Reveal in the panel: focus moves to the revealed content, and back to the button after Hide ──
  await page.goto(`${LIST}&open=${planted.id}`);
  const content = panel(page).getByRole("region", { name: /^Content/ });
  await content.getByRole("button", { name: "Reveal content" }).click();
  const revealed = panel(page).getByRole("region", { name: "Revealed content" });
  await expect(revealed).toBeFocused();
  await expect(revealed).toContainText(planted.marker);
  await shoot(page, "panel-revealed-1440");
  await revealed.getByRole("button", { name: "Hide content" }).click();
  await expect(content.getByRole("button", { name: "Reveal content" })).toBeFocused();
  await expect(panel(page)).not.toContainText(planted.marker);
});

test("charts: nice ticks, no clipped labels; at 1440 and 390 px", async ({ page }) => {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.goto("/events/insights");
    await expect(page.getByRole("heading", { name: "Event charts" })).toBeVisible();
    const acceptance = page.locator("section", { has: page.getByRole("heading", { name: /^Acceptance rate/ }) });
    await expect(acceptance.locator(Y_TICKS).first()).toBeVisible();
    const ticks = await acceptance.locator(Y_TICKS).allTextContents();
    expect(ticks.length).toBeGreaterThan(2);
    const values = ticks.map((tick) => Number(tick.replace("%", "")));
    expect(values[0]).toBe(0);
    const step = values[1]! - values[0]!;
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    expect([1, 2, 2.5, 5]).toContain(Number(mantissa.toFixed(6)));
    values.forEach((value, index) => expect(value).toBeCloseTo(index * step, 6));

    // every category label of the errors chart lies inside its drawing (none cut at the left edge)
    const errors = page.locator("section", { has: page.getByRole("heading", { name: "Errors by kind" }) });
    await expect(errors.locator(Y_TICKS).first()).toBeVisible();
    const labels = await errors.locator("svg.recharts-surface").first().evaluate((svg, selector) => {
      const left = svg.getBoundingClientRect().left;
      const texts = [...svg.querySelectorAll(selector)];
      return { count: texts.length, clipped: texts.filter((text) => text.getBoundingClientRect().left < left - 0.5).map((text) => text.textContent) };
    }, Y_TICKS);
    expect(labels.count).toBeGreaterThan(0);
    expect(labels.clipped).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, `charts-top-${width}`);
    await errors.scrollIntoViewIfNeeded();
    await shoot(page, `charts-errors-${width}`);
  }
});
