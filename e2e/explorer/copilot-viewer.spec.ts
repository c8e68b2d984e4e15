// Issue 5, "done when": the Copilot-team viewer, signed in through the demo
// identity provider, filters, sorts, pages deep, opens an event, reveals its
// snippet, sees the charts and downloads a CSV — and every one of those steps
// left its audit row (who, why, what was asked and what was disclosed).
//
// The event opened is planted through the real intake first, with content
// that looks like markup, so the test knows exactly what Reveal must show as
// text and can tell if anything was rendered as HTML instead.
import fs from "node:fs";
import { sql } from "../db";
import { PERSONAS, declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor, auditRowsContaining, csvRecords, plantCompletionShown, readEventsTable, sha256Hex, type AuditDetail } from "./support";

const { email } = PERSONAS.viewerCopilot;
const PURPOSE_DETAIL = "Reviewing completion latency for the November release";
const PAGE_SIZE = 25;
const PAGES = 6; // the first page and five more through "Next page"

test.use({ storageState: storageStateFor("viewerCopilot") });

test("the Copilot team viewer filters, sorts, pages deep, exports, charts, opens and reveals — each step audited", async ({ page, auditTag }) => {
  await declarePurpose(page.request, "investigate_abuse", PURPOSE_DETAIL);
  const planted = await plantCompletionShown(page.request);

  // ── Filter: a quick range, then a kind and a page size through the form ──
  await page.goto("/events");
  await expect(page.getByRole("heading", { name: "Events", exact: true })).toBeVisible();
  await page.getByRole("navigation", { name: "Quick time ranges" }).getByRole("link", { name: "Last 30 days" }).click();
  await page.waitForURL((url) => url.pathname === "/events" && url.searchParams.get("range") === "30d");
  await expect(page.getByRole("navigation", { name: "Quick time ranges" }).getByRole("link", { name: "Last 30 days" })).toHaveAttribute("aria-current", "true");

  const filters = page.getByRole("form", { name: "Filters" });
  await expect(filters.getByLabel("Time range")).toHaveValue("30d");
  await filters.getByRole("checkbox", { name: "Completion shown" }).check();
  await filters.getByLabel("Rows per page").selectOption(String(PAGE_SIZE));
  await filters.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL((url) => url.searchParams.getAll("kind").join() === "completion_shown" && url.searchParams.get("limit") === String(PAGE_SIZE));
  expect(new URL(page.url()).searchParams.get("range")).toBe("30d");

  const filtered = await readEventsTable(page);
  expect(filtered.rows).toHaveLength(PAGE_SIZE);
  for (const row of filtered.rows) expect(row.cells.Kind).toBe("Completion shown");
  const totalText = await page.getByRole("heading", { name: /^[\d,]+ events$/ }).textContent();
  const total = Number(totalText!.replace(/[^\d]/g, ""));
  expect(total, "enough completion_shown events in the last 30 days to page deep").toBeGreaterThan(PAGES * PAGE_SIZE);

  // ── Sort: click the latency header; the URL holds the order ──
  const table = page.getByRole("table", { name: "Telemetry events matching the filters" });
  await table.getByRole("columnheader", { name: /Latency \(ms\)/ }).getByRole("link").click();
  await page.waitForURL((url) => url.searchParams.get("sort") === "latency_desc");
  const sortedUrl = new URL(page.url());
  expect(sortedUrl.searchParams.get("range")).toBe("30d");
  expect(sortedUrl.searchParams.getAll("kind")).toEqual(["completion_shown"]);
  expect(sortedUrl.searchParams.get("limit")).toBe(String(PAGE_SIZE));
  expect(sortedUrl.searchParams.has("cursor")).toBe(false);
  await expect(table.getByRole("columnheader", { name: /Latency \(ms\)/ })).toHaveAttribute("aria-sort", "descending");
  await expect(table.getByRole("columnheader", { name: /Time \(UTC\)/ })).not.toHaveAttribute("aria-sort", /.+/);
  await expect(page.getByText("Sorted by latency: only events that carry a latency are listed.")).toBeVisible();

  // ── Page deep: follow "Next page" five times; no row twice, the order holds across pages ──
  const pages: string[][] = [];
  const latencies: number[] = [];
  let previousFirst = "";
  let previousCursor: string | null = null;
  for (let pageNumber = 1; pageNumber <= PAGES; pageNumber++) {
    if (pageNumber > 1) {
      await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Next page →" }).click();
      await page.waitForURL((url) => url.searchParams.has("cursor") && url.searchParams.get("cursor") !== previousCursor);
      await expect(table.locator("tbody tr").first().locator('a[href^="/events/"]')).not.toHaveAttribute("href", `/events/${previousFirst}`);
      // the pager says where the page is ("Rows 26–50 of …")
      await expect(page.getByRole("navigation", { name: "Pages" })).toContainText(`Rows ${(pageNumber - 1) * PAGE_SIZE + 1}–${pageNumber * PAGE_SIZE} of `);
      const url = new URL(page.url());
      expect(url.searchParams.get("sort")).toBe("latency_desc");
      expect(url.searchParams.getAll("kind")).toEqual(["completion_shown"]);
      previousCursor = url.searchParams.get("cursor");
    }
    const { rows } = await readEventsTable(page);
    expect(rows).toHaveLength(PAGE_SIZE);
    for (const row of rows) {
      expect(row.cells.Kind).toBe("Completion shown");
      expect(row.cells["Latency (ms)"]).toMatch(/^\d+$/);
      latencies.push(Number(row.cells["Latency (ms)"]));
    }
    pages.push(rows.map((row) => row.id));
    previousFirst = rows[0]!.id;
  }
  const seen = pages.flat();
  expect(new Set(seen).size, "no row repeats across pages").toBe(PAGES * PAGE_SIZE);
  expect(latencies, "latency descending across all pages").toEqual([...latencies].sort((a, b) => b - a));

  // ── Export: the CSV of the current filter and sort ──
  const exportLink = page.getByRole("link", { name: "Export CSV" });
  const exportHref = new URL((await exportLink.getAttribute("href"))!, page.url());
  expect(exportHref.pathname).toBe("/api/v1/events/export");
  expect(exportHref.searchParams.has("cursor")).toBe(false);
  const downloadEvent = page.waitForEvent("download");
  await exportLink.click();
  const download = await downloadEvent;
  expect(download.suggestedFilename()).toMatch(/^telemetry-events-\d{8}-\d{6}Z\.csv$/);
  const bytes = fs.readFileSync(await download.path());
  const { header, records } = csvRecords(bytes.toString("utf8"));
  expect(header[0]).toBe("id");
  expect(header).toEqual(expect.arrayContaining(["time", "kind", "machineId", "latencyMs"]));
  expect(header).not.toContain("content");
  expect(records.length).toBeGreaterThanOrEqual(PAGES * PAGE_SIZE);
  // the same filter and order as the pages just browsed
  expect(records.slice(0, PAGE_SIZE).map((record) => record.id)).toEqual(pages[0]);
  for (const record of records) expect(record.kind).toBe("completion_shown");
  const csvLatencies = records.map((record) => Number(record.latencyMs));
  expect(csvLatencies).toEqual([...csvLatencies].sort((a, b) => b - a));

  // ── Charts for the same filters ──
  await page.getByRole("link", { name: "Charts for these filters" }).click();
  await page.waitForURL((url) => url.pathname === "/events/insights");
  const chartsUrl = new URL(page.url());
  expect(chartsUrl.searchParams.get("range")).toBe("30d");
  expect(chartsUrl.searchParams.getAll("kind")).toEqual(["completion_shown"]);
  await expect(page.getByRole("heading", { level: 1, name: "Event charts" })).toBeVisible();
  for (const title of [
    "Events by kind, per day",
    "Completion funnel: requested → shown → accepted",
    "Acceptance rate (accepted ÷ shown), per day",
    "Latency p50 and p95 (ms), per day",
    "Errors by kind",
    "Redaction rate by AI-safety filter",
    "How much of accepted suggestions persists, by check interval",
  ]) {
    await expect(page.getByRole("heading", { level: 2, name: title })).toBeVisible();
  }
  const volume = page.getByRole("region", { name: "Events by kind, per day" });
  await expect(volume.locator('.chart[role="img"]')).toHaveAttribute("aria-label", /^[\d,]+ events in \d+ days: [\d,]+ completion shown\./);
  await expect(volume.locator("svg").first()).toBeVisible();
  await expect(page.getByRole("region", { name: "Latency p50 and p95 (ms), per day" }).locator('.chart[role="img"] svg').first()).toBeVisible();

  // another quick range from the charts page: the form below it follows the URL
  await page.getByRole("navigation", { name: "Quick time ranges" }).getByRole("link", { name: "Last 7 days" }).click();
  await page.waitForURL((url) => url.pathname === "/events/insights" && url.searchParams.get("range") === "7d");
  await expect(page.getByRole("form", { name: "Filters" }).getByLabel("Time range")).toHaveValue("7d");
  await expect(page.getByRole("form", { name: "Filters" }).getByRole("checkbox", { name: "Completion shown" })).toBeChecked();
  await expect(page.getByRole("region", { name: "Events by kind, per day" }).locator('.chart[role="img"]')).toHaveAttribute("aria-label", / in [1-8] days: /);

  // ── Open the planted event: back to the list, filter by its machine, follow the row ──
  await page.getByRole("link", { name: "List these events" }).click();
  await page.waitForURL((url) => url.pathname === "/events");
  await filters.locator("summary", { hasText: "More filters" }).click();
  await filters.getByRole("textbox", { name: "Machine ID" }).fill(planted.machineId);
  await filters.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL((url) => url.searchParams.get("machineId") === planted.machineId);
  await expect(page.getByRole("heading", { name: "1 event", exact: true })).toBeVisible();
  const machineRows = await readEventsTable(page);
  expect(machineRows.rows.map((row) => row.id)).toEqual([planted.id]);
  await page.locator(`a[href="/events/${planted.id}"]`).click();
  await page.waitForURL(`**/events/${planted.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Completion shown");
  const field = (label: string) => page.locator("dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd[1]");
  await expect(field("Machine ID")).toHaveText(planted.machineId);
  await expect(field("Latency \\(ms\\)")).toHaveText("321");
  await expect(page.getByRole("link", { name: "All events of this machine" })).toBeVisible();

  // The content is not in the page (nor its payload) until revealed.
  const contentSection = page.getByRole("region", { name: /^Content/ });
  await expect(contentSection.getByRole("button", { name: "Reveal content" })).toBeVisible();
  expect(await page.content()).not.toContain(planted.marker);
  await expect(contentSection.locator("pre")).toHaveCount(0);

  // ── Reveal: the snippet is shown as text, never as markup ──
  await contentSection.getByRole("button", { name: "Reveal content" }).click();
  const suggestion = contentSection.getByRole("figure").filter({ hasText: /^Suggestion/ }).locator("pre");
  await expect(suggestion).toContainText(planted.marker);
  expect(await suggestion.textContent()).toBe(planted.suggestion);
  const before = contentSection.getByRole("figure").filter({ hasText: /^Code before the cursor/ }).locator("pre");
  expect(await before.textContent()).toBe(planted.prefix);
  await expect(contentSection.locator("pre code")).toHaveCount(2);
  // highlighted: only the highlighter's own token <span>s inside <code>, nothing the producer sent as markup
  await expect(contentSection.locator("pre *:not(code):not(span)")).toHaveCount(0);
  await expect(contentSection.locator("pre code span *")).toHaveCount(0);
  await expect(page.locator("#tp-injected")).toHaveCount(0);
  await expect(contentSection.locator("img, script, b")).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __tpInjected?: unknown }).__tpInjected)).toBeUndefined();
  await expect(contentSection.locator("dt", { hasText: /^File$/ }).locator("xpath=following-sibling::dd[1]")).toHaveText(planted.relativePath);
  await expect(contentSection.locator("dt", { hasText: /^Cursor$/ }).locator("xpath=following-sibling::dd[1]")).toHaveText("line 3, column 5");

  // ── The audit trail: one row per step, carrying the purpose and what was disclosed ──
  const rows = await auditDetailsFor(auditTag);
  expect(rows.filter((row) => row.outcome !== "allowed")).toEqual([]);
  expect(rows[0]).toMatchObject({ action: "session.purpose_set", purpose: "investigate_abuse" });
  for (const row of rows) expect(row).toMatchObject({ actor_email: email });
  const telemetryRows = rows.filter((row) => row.action.startsWith("events."));
  for (const row of telemetryRows) expect(row).toMatchObject({ purpose: "investigate_abuse" });
  const [purposeDetail] = await sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_event WHERE actor_user_agent = $1 AND action LIKE 'events.%' AND purpose_detail IS DISTINCT FROM $2`,
    [auditTag, PURPOSE_DETAIL],
  );
  expect(purposeDetail?.n, "every telemetry row carries the declared purpose's detail").toBe(0);

  const lists = telemetryRows.filter((row) => row.action === "events.list");
  const filtersOf = (row: AuditDetail) => row.filters ?? {};
  // the quick range alone, the kind and page size, then sorted by latency, then five deeper pages, then the machine
  const rangeOnly = lists.filter((row) => filtersOf(row).range === "30d" && filtersOf(row).kind === undefined);
  expect(rangeOnly).toHaveLength(1);
  const byKind = lists.filter((row) => filtersOf(row).sort === "time_desc" && filtersOf(row).limit === PAGE_SIZE && !filtersOf(row).machineId);
  expect(byKind).toHaveLength(1);
  expect(byKind[0]).toMatchObject({ row_count: PAGE_SIZE, filters: expect.objectContaining({ range: "30d", limit: PAGE_SIZE, searchedKinds: ["completion_shown"] }) });
  expect(byKind[0]!.event_ids).toEqual(filtered.rows.map((row) => row.id));
  const sorted = lists.filter((row) => filtersOf(row).sort === "latency_desc" && !filtersOf(row).machineId);
  expect(sorted.map((row) => row.event_ids), "each page's row lists exactly the events shown on it").toEqual(pages);
  expect(sorted[0]!.filters).not.toHaveProperty("after");
  for (const row of sorted.slice(1)) expect(row.filters).toHaveProperty("after", { value: expect.any(Number), id: expect.any(String) });
  for (const row of sorted) {
    expect(row).toMatchObject({ row_count: PAGE_SIZE, filters: expect.objectContaining({ range: "30d", kind: ["completion_shown"], limit: PAGE_SIZE, from: expect.any(String) }) });
    expect(row.field_classes).toEqual(["environment", "identifiers", "location", "measurements"]);
    expect(row.machine_ids.length).toBeGreaterThan(0);
  }
  const byMachine = lists.filter((row) => filtersOf(row).machineId === planted.machineId);
  expect(byMachine).toHaveLength(1);
  expect(byMachine[0]).toMatchObject({ row_count: 1, event_ids: [planted.id], machine_ids: [planted.machineId] });

  const exports = telemetryRows.filter((row) => row.action === "events.export");
  expect(exports).toHaveLength(1);
  expect(exports[0]).toMatchObject({
    target_type: "export",
    row_count: records.length,
    file_sha256: sha256Hex(bytes),
    filters: expect.objectContaining({ range: "30d", kind: ["completion_shown"], sort: "latency_desc", truncated: false }),
  });
  // the exported row count is the number of events matching that filter at the moment it ran
  const [matching] = await sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM telemetry_event WHERE kind = 'completion_shown' AND latency_ms IS NOT NULL AND time >= $1::timestamptz`,
    [exports[0]!.filters!.from],
  );
  expect(records.length).toBe(matching?.n);

  // the histogram above the list is audited as events.chart too, with target type "histogram"
  const charts = telemetryRows.filter((row) => row.action === "events.chart" && row.target_type === "chart");
  expect(charts.map((row) => row.filters?.range)).toEqual(["30d", "7d"]);
  for (const row of charts) {
    expect(row).toMatchObject({ target_type: "chart", field_classes: ["measurements"], filters: expect.objectContaining({ kind: ["completion_shown"], bucket: "day" }) });
  }

  const views = telemetryRows.filter((row) => row.action === "events.view");
  expect(views).toEqual([
    expect.objectContaining({ target_type: "telemetry_event", target_id: planted.id, event_ids: [planted.id], machine_ids: [planted.machineId], row_count: 1 }),
  ]);
  expect(views[0]!.field_classes).not.toContain("content");

  const reveals = telemetryRows.filter((row) => row.action === "events.reveal");
  expect(reveals).toEqual([
    expect.objectContaining({ target_type: "telemetry_event", target_id: planted.id, event_ids: [planted.id], field_classes: ["content"], row_count: 1 }),
  ]);
  // the order of the steps is the order of the rows
  // (leaving out the histogram's rows beside each list and the event page's timeline row)
  const order = telemetryRows
    .filter((row) => row.target_type !== "histogram" && row.action !== "events.timeline")
    .map((row) => row.action)
    .filter((action, index, all) => action !== all[index - 1]);
  expect(order).toEqual(["events.list", "events.export", "events.chart", "events.list", "events.view", "events.reveal"]);

  // and the trail keeps ids and counts, never the content it vouches for
  expect(await auditRowsContaining(auditTag, planted.marker)).toBe(0);
});
