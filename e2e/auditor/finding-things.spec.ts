// Issue 12, item 8: an auditor console made for finding things. A viewer
// reveals content, exports and is refused; the auditor, in a browser of their
// own, finds it: routine rows hidden by default and shown with one click, a
// facet click that filters, a chart that drills down to the rows it counted.
// Then the layout: nothing cut off at 1280 and 1440 px, the row page without
// sideways scrolling at 390 px (screenshots kept: test-results/…/*.png).
import type { Browser, Page, TestInfo } from "@playwright/test";
import { sql } from "../db";
import { PERSONAS, declarePurpose, expect, storageStateFor, test } from "../fixtures";

const viewer = PERSONAS.viewerCopilot;
const ROUTINE = `(action = 'session.view' OR (action IN ('admin.view', 'audit.search', 'audit.checkpoints', 'audit.delivery_view', 'audit.alerts_list') AND outcome = 'allowed'))`;

async function personId(email: string): Promise<string> {
  const [row] = await sql<{ id: string }>("SELECT id::text AS id FROM person WHERE email = $1", [email]);
  expect(row, email).toBeDefined();
  return row!.id;
}

/** The ids of the audit rows the console's table shows, in order. */
async function shownIds(page: Page): Promise<string[]> {
  const table = page.getByRole("table", { name: "Audit rows matching the filters" });
  await expect(table).toBeVisible();
  const hrefs = await table.locator('tbody a[href^="/audit/"]').evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""));
  return hrefs.map((href) => href.slice("/audit/".length));
}

async function idsWhere(where: string, params: unknown[]): Promise<string[]> {
  const rows = await sql<{ id: string }>(`SELECT id::text AS id FROM audit_event WHERE ${where} ORDER BY occurred_at DESC, id DESC`, params);
  return rows.map((row) => row.id);
}

/** A viewer's traffic in a browser of its own: routine look-ups, a list, two reveals, an export and a refusal. */
async function viewerTraffic(browser: Browser, baseURL: string, userAgent: string): Promise<void> {
  const context = await browser.newContext({ baseURL, storageState: storageStateFor("viewerCopilot"), userAgent });
  try {
    const request = context.request;
    await declarePurpose(request, "investigate_abuse");
    expect((await request.get("/api/v1/me")).status()).toBe(200);
    const list = await request.get("/api/v1/events?kind=completion_shown&limit=3");
    expect(list.status()).toBe(200);
    const { items } = (await list.json()) as { items: Array<{ id: string }> };
    for (const item of items.slice(0, 2)) expect((await request.post(`/api/v1/events/${item.id}/reveal`)).status()).toBe(200);
    expect((await request.get("/api/v1/events/export?kind=error")).status()).toBe(200);
    expect((await request.get("/api/v1/audit")).status()).toBe(403);
  } finally {
    await context.close();
  }
}

test.describe("the auditor", () => {
  test.use({ storageState: storageStateFor("auditor") });

  test("finds a viewer's reveals: routine rows hidden, one click shows them; a facet filters; a chart drills down", async ({ page, browser, baseURL, auditTag }) => {
    // from now on (the database's clock, the machine's): rows of earlier tests stay out of the counts
    const [{ now: since }] = (await sql<{ now: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now`)) as [{ now: string }];
    const viewerTag = `${auditTag}/viewer`;
    await viewerTraffic(browser, baseURL!, viewerTag);
    const viewerId = await personId(viewer.email);

    // ── Routine rows are hidden by default, and counted ──
    // (other workers' tests write rows meanwhile: the page shows every row committed before it read, and no other)
    const notRoutine = `NOT ${ROUTINE} AND occurred_at >= $1::timestamptz`;
    const committedBefore = await idsWhere(notRoutine, [since]);
    const response = await page.goto(`/audit?from=${since}&limit=500`);
    const pageRequestId = response!.headers()["x-request-id"];
    expect(pageRequestId).toBeTruthy();
    const notice = page.locator(".routine-notice");
    await expect(notice).toContainText(/^[\d,]+ routine rows? hidden — show/);
    const hidden = Number((await notice.textContent())!.match(/^([\d,]+)/)![1]!.replaceAll(",", ""));
    // every routine row since then but the page's own: its search row is written after its reads,
    // and its checkpoint panel's row (audit.checkpoints) renders beside the search, so it may have
    // committed before the search counted or not
    const [routineSince] = await sql<{ others: number; ownPanel: number }>(
      `SELECT count(*) FILTER (WHERE request_id <> $2)::int AS others,
              count(*) FILTER (WHERE request_id = $2 AND action <> 'audit.search')::int AS "ownPanel"
         FROM audit_event WHERE ${ROUTINE} AND occurred_at >= $1::timestamptz`,
      [since, pageRequestId],
    );
    expect(hidden).toBeGreaterThanOrEqual(routineSince!.others);
    expect(hidden).toBeLessThanOrEqual(routineSince!.others + routineSince!.ownPanel);
    expect(hidden).toBeGreaterThanOrEqual(1); // at least the viewer's own look-up
    const shown = await shownIds(page);
    const committedAfter = await idsWhere(notRoutine, [since]);
    expect(shown).toEqual(expect.arrayContaining(committedBefore));
    expect(committedAfter).toEqual(expect.arrayContaining(shown));
    expect(shown.length).toBeGreaterThanOrEqual(4); // the viewer's list, two reveals and the export at least
    const table = page.getByRole("table", { name: "Audit rows matching the filters" });
    await expect(table.getByText("Looked up own identity and grants")).toHaveCount(0);

    // ── One click shows them ──
    await page.getByRole("link", { name: "show the routine rows" }).click();
    await page.waitForURL((url) => url.searchParams.get("routine") === "show");
    await expect(page.locator(".routine-notice")).toContainText("Routine rows are shown.");
    const viewerLookUp = await idsWhere("actor_user_agent = $1 AND action = 'session.view'", [viewerTag]);
    expect(viewerLookUp).toHaveLength(1);
    expect(await shownIds(page)).toEqual(expect.arrayContaining(viewerLookUp));
    await expect(table.locator("tbody tr", { has: page.locator(`a[href="/audit/${viewerLookUp[0]}"]`) })).toContainText("Looked up own identity and grants");
    await page.getByRole("link", { name: "Hide them" }).click();
    await page.waitForURL((url) => !url.searchParams.has("routine"));

    // ── A facet click filters: the viewer in "Actor", then "Revealed event content" in "Action" ──
    const actorFacet = page.getByRole("region", { name: "Actor", exact: true });
    await actorFacet.getByRole("link", { name: new RegExp(`^${viewer.name}`) }).click();
    await page.waitForURL((url) => url.searchParams.getAll("person").join() === viewerId);
    await expect(page.getByRole("region", { name: "Actor", exact: true }).getByRole("link", { name: new RegExp(`^${viewer.name}`) })).toHaveAttribute("aria-current", "true");
    expect(await shownIds(page)).toEqual(await idsWhere(`NOT ${ROUTINE} AND occurred_at >= $1::timestamptz AND actor_person_id = $2::uuid`, [since, viewerId]));
    for (const actor of await table.locator("tbody tr td:nth-child(2)").allTextContents()) expect(actor).toBe(viewer.email);

    const actionFacet = page.getByRole("region", { name: "Action", exact: true });
    const revealItem = actionFacet.getByRole("link", { name: /^Revealed event content/ });
    await expect(revealItem).toContainText("2");
    await revealItem.click();
    await page.waitForURL((url) => url.searchParams.getAll("action").join() === "events.reveal");
    const reveals = await idsWhere("occurred_at >= $1::timestamptz AND actor_person_id = $2::uuid AND action = 'events.reveal'", [since, viewerId]);
    expect(reveals).toHaveLength(2);
    expect(await shownIds(page)).toEqual(reveals);
    // multi-select: a second action joins the first
    await page.getByRole("region", { name: "Action", exact: true }).getByRole("link", { name: /^Exported events/ }).click();
    await page.waitForURL((url) => url.searchParams.getAll("action").join() === "events.reveal,events.export");
    expect(await shownIds(page)).toEqual(await idsWhere("occurred_at >= $1::timestamptz AND actor_person_id = $2::uuid AND action IN ('events.reveal', 'events.export')", [since, viewerId]));

    // ── The charts drill down: the viewer in "Content reveals", then today's column in "Denials" ──
    await page.goto(`/audit?from=${since}`);
    const revealsChart = page.getByRole("region", { name: "Content reveals", exact: true });
    await expect(revealsChart.getByText(/^2 reveals by 1 person,/)).toBeVisible();
    await revealsChart.getByRole("link", { name: viewer.email, exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("person") === viewerId && url.searchParams.getAll("action").join() === "events.reveal");
    expect(new URL(page.url()).searchParams.getAll("outcome")).toEqual(["allowed"]);
    expect(await shownIds(page)).toEqual(reveals);

    await page.goto(`/audit?from=${since}`);
    const denialsChart = page.getByRole("region", { name: "Denials", exact: true });
    const column = denialsChart.locator(`svg a[aria-label*="by ${viewer.name}"]`);
    await expect(column).toHaveCount(1);
    await column.click();
    await page.waitForURL((url) => url.searchParams.get("outcome") === "denied" && url.searchParams.get("person") === viewerId);
    const denied = await idsWhere("actor_user_agent = $1 AND outcome = 'denied'", [viewerTag]);
    expect(denied).toHaveLength(1);
    expect(await shownIds(page)).toEqual(denied);
    await expect(table.locator("tbody tr").first()).toContainText("Searched the audit trail");
    await expect(table.locator("tbody tr").first()).toContainText("Denied");
  });
});

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${what} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
}

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: "image/png" });
}

for (const width of [1440, 1280] as const) {
  test.describe(`at ${width} px`, () => {
    test.use({ storageState: storageStateFor("auditor"), viewport: { width, height: 1000 } });

    test("the trail cuts nothing off: the From column whole, actors and targets with an ellipsis and the full text in the title", async ({ page }, testInfo) => {
      await page.goto("/audit?routine=show&limit=100");
      const table = page.getByRole("table", { name: "Audit rows matching the filters" });
      await expect(table.locator("tbody tr").first()).toBeVisible();
      await expectNoSidewaysScroll(page, `/audit at ${width} px`);
      // the table fits its frame: no column hidden past a scroll edge
      const frame = await page.locator(".audit-table .table-wrap").evaluate((element) => element.scrollWidth - element.clientWidth);
      expect(frame, "the table scrolls sideways").toBeLessThanOrEqual(0);
      const fromCells = await table.locator("tbody td:nth-child(8)").evaluateAll((cells) =>
        cells.map((cell) => ({ text: cell.textContent ?? "", overflow: cell.scrollWidth - cell.clientWidth, inner: [...cell.querySelectorAll("*")].some((child) => child.scrollWidth > child.clientWidth + 0) })),
      );
      expect(fromCells.length).toBeGreaterThan(0);
      for (const cell of fromCells) expect(cell, `From "${cell.text}"`).toMatchObject({ overflow: 0, inner: false });
      // the header names every column in full
      for (const header of await table.locator("thead th").evaluateAll((cells) => cells.map((cell) => ({ text: cell.textContent, cut: cell.scrollWidth > cell.clientWidth })))) {
        expect(header, `header ${header.text}`).toMatchObject({ cut: false });
      }
      // whatever is cut carries its whole text in the title
      for (const clip of await table.locator("tbody .clip").evaluateAll((spans) => spans.map((span) => ({ text: span.textContent, title: span.getAttribute("title"), cut: span.scrollWidth > span.clientWidth })))) {
        expect(clip.title, `${clip.text}`).toBe(clip.text);
      }
      await screenshot(page, testInfo, `audit-trail-${width}`);
    });
  });
}

test.describe("at 390 px", () => {
  test.use({ storageState: storageStateFor("auditor"), viewport: { width: 390, height: 844 } });

  test("the trail and a row's page read without sideways scrolling", async ({ page, browser, baseURL, auditTag }, testInfo) => {
    const viewerTag = `${auditTag}/viewer`;
    await viewerTraffic(browser, baseURL!, viewerTag);
    await page.goto("/audit");
    await expect(page.getByRole("heading", { level: 1, name: "Audit trail" })).toBeVisible();
    await expectNoSidewaysScroll(page, "/audit at 390 px");
    await screenshot(page, testInfo, "audit-trail-390");

    // the longest rows: a list naming events and filters, and an export with its hash
    const [list] = await idsWhere("actor_user_agent = $1 AND action = 'events.list'", [viewerTag]);
    const [exported] = await idsWhere("actor_user_agent = $1 AND action = 'events.export'", [viewerTag]);
    for (const [name, id] of [["list", list], ["export", exported]] as const) {
      await page.goto(`/audit/${id}`);
      await expect(page.getByRole("heading", { level: 1 })).toContainText(`Audit row ${id}:`);
      await expect(page.getByText(/Chain \d+ · row #[\d,]+/).first()).toBeVisible();
      await expectNoSidewaysScroll(page, `/audit/${id} at 390 px`);
      await screenshot(page, testInfo, `audit-row-${name}-390`);
    }
  });
});

test.describe("a row's page", () => {
  test.use({ storageState: storageStateFor("auditor"), viewport: { width: 1280, height: 1000 } });

  test("speaks in labels: groups by their names, roles, purpose, action, and the chain position as 'Chain n · row #m'", async ({ page, browser, baseURL, auditTag }, testInfo) => {
    const viewerTag = `${auditTag}/viewer`;
    await viewerTraffic(browser, baseURL!, viewerTag);
    const [reveal] = await sql<{ id: string; chain_id: number; seq: string }>(
      "SELECT id::text AS id, chain_id, seq::text AS seq FROM audit_event WHERE actor_user_agent = $1 AND action = 'events.reveal' ORDER BY id LIMIT 1",
      [viewerTag],
    );
    const [group] = await sql<{ name: string }>("SELECT name FROM access_group WHERE key = 'copilot_team'");
    await page.goto(`/audit/${reveal!.id}`);
    const detail = (label: string) => page.locator("dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd[1]");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Audit row ${reveal!.id}: Revealed event content`);
    await expect(detail("Groups then")).toHaveText(group!.name);
    await expect(detail("Roles then")).toHaveText("Viewer");
    await expect(detail("Purpose")).toHaveText("Investigate and detect potential abuse");
    await expect(detail("Action")).toContainText("Revealed event content");
    await expect(detail("Outcome")).toHaveText("Allowed");
    await expect(detail("Target")).toContainText("Event ");
    await expect(detail("Field classes")).toContainText("Content");
    await expect(detail("Position")).toContainText(`Chain ${reveal!.chain_id} · row #${Number(reveal!.seq).toLocaleString("en-US")}`);
    await expect(page.locator("main")).not.toContainText("copilot_team");
    await expect(page.locator("main")).not.toContainText(/Chain \/ sequence/);
    await screenshot(page, testInfo, "audit-row-1280");
  });
});
