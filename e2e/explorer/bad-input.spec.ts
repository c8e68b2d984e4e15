// Issue 5, "done when": malformed query strings on the explorer's pages and
// its JSON API — bad dates, an unknown kind, a negative or oversized limit, a
// garbage cursor, an unknown parameter — give a readable error that names the
// parameter (the page shows it beside the filters; the API answers 400 JSON),
// never a 500. Each refused request is still in the audit trail, as an error
// that disclosed nothing.
import type { Page } from "@playwright/test";
import { PERSONAS, declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor } from "./support";

type BadQuery = { title: string; query: string; path: string; message: RegExp };

const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");

const BAD_QUERIES: BadQuery[] = [
  { title: "an impossible date", query: "from=2026-13-45", path: "from", message: /must be an ISO 8601 date-time/ },
  { title: "a date that is not a date", query: "to=yesterday", path: "to", message: /must be an ISO 8601 date-time/ },
  { title: "a range that ends before it starts", query: "from=2026-11-20&to=2026-11-10", path: "to", message: /must be later than from/ },
  { title: "an unknown quick range", query: "range=1y", path: "range", message: /must be one of 1h, 24h, 7d, 30d/ },
  { title: "an unknown kind", query: "kind=completion_shown,telepathy", path: "kind", message: /unknown event kind "telepathy"/ },
  { title: "a negative limit", query: "limit=-5", path: "limit", message: /must be at least 1/ },
  { title: "a limit above 500", query: "limit=501", path: "limit", message: /must be at most 500/ },
  { title: "a limit that is not a number", query: "limit=ten", path: "limit", message: /must be a whole number/ },
  { title: "a garbage cursor", query: "cursor=%25%25not-a-cursor%25%25", path: "cursor", message: /is not valid; start again from the first page/ },
  {
    title: "a well-encoded cursor that this portal did not make",
    query: `cursor=${base64url('{"s":"time_desc","v":"2026-11-01T00:00:00Z","i":"not-a-uuid"}')}`,
    path: "cursor",
    message: /is not valid/,
  },
  { title: "an unknown parameter", query: "colour=blue", path: "(input)", message: /unknown parameter "colour"/ },
];

test.use({ storageState: storageStateFor("viewerCopilot") });

test.beforeEach(async ({ page }) => {
  await declarePurpose(page.request);
});

test("the events API answers each malformed query with 400 JSON naming the parameter", async ({ page, auditTag }) => {
  for (const bad of BAD_QUERIES) {
    const response = await page.request.get(`/api/v1/events?${bad.query}`);
    expect(response.status(), bad.title).toBe(400);
    expect(response.headers()["content-type"], bad.title).toContain("application/json");
    const body = await response.json();
    expect(body, bad.title).toEqual({
      error: { code: "invalid_input", message: expect.stringMatching(bad.message), issues: expect.arrayContaining([{ path: bad.path, message: expect.stringMatching(bad.message) }]) },
    });
    if (bad.path !== "(input)") expect(body.error.message, bad.title).toContain(`${bad.path}:`);
  }
  // the charts and the export read the same filters the same way
  for (const endpoint of ["/api/v1/events/insights", "/api/v1/events/export"]) {
    for (const bad of BAD_QUERIES.filter((query) => ["from", "kind", "(input)"].includes(query.path))) {
      const response = await page.request.get(`${endpoint}?${bad.query}`);
      expect(response.status(), `${endpoint}: ${bad.title}`).toBe(400);
      expect(response.headers()["content-type"]).toContain("application/json");
      expect((await response.json()).error).toMatchObject({ code: "invalid_input", issues: expect.arrayContaining([expect.objectContaining({ path: bad.path })]) });
    }
  }
  // a malformed event id
  for (const response of [await page.request.get("/api/v1/events/not-an-id"), await page.request.post("/api/v1/events/not-an-id/reveal")]) {
    expect(response.status()).toBe(400);
    expect((await response.json()).error).toMatchObject({ code: "invalid_input", issues: [{ path: "id", message: "must be an event id (a UUID)" }] });
  }

  const rows = await auditDetailsFor(auditTag);
  const telemetry = rows.filter((row) => row.action.startsWith("events."));
  expect(telemetry.map((row) => row.action)).toEqual([
    ...BAD_QUERIES.map(() => "events.list"),
    "events.chart",
    "events.chart",
    "events.chart",
    "events.export",
    "events.export",
    "events.export",
    "events.view",
    "events.reveal",
  ]);
  for (const row of telemetry) {
    expect(row).toMatchObject({ outcome: "error", actor_email: PERSONAS.viewerCopilot.email, reason: expect.stringMatching(/^invalid_input: /), event_ids: [], row_count: null });
  }
});

/** The page's error panel (Next's route announcer is an alert too). */
const problemOn = (page: Page) => page.getByRole("alert").filter({ hasText: "That request could not be understood" });

test("the explorer's pages show the problem beside the filters, never a 500", async ({ page, auditTag }) => {
  for (const bad of BAD_QUERIES) {
    const response = await page.goto(`/events?${bad.query}`);
    // the error state is the answer, with the refusal's status
    expect(response?.status(), bad.title).toBe(400);
    const alert = problemOn(page);
    await expect(alert, bad.title).toBeVisible();
    await expect(alert, bad.title).toContainText(bad.message);
    if (bad.path !== "(input)") await expect(alert, bad.title).toContainText(`${bad.path}:`);
    await expect(page.getByRole("table"), bad.title).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Export CSV" }), bad.title).toHaveCount(0);
    // the form stays, to correct the filter; or start again
    await expect(page.getByRole("form", { name: "Filters" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Start again with no filters" })).toHaveAttribute("href", "/events");
  }

  const charts = await page.goto("/events/insights?from=2026-02-30");
  expect(charts?.status()).toBe(400);
  await expect(problemOn(page)).toContainText("from: must be an ISO 8601 date-time");
  await expect(page.getByRole("heading", { level: 2, name: /^Events by kind/ })).toHaveCount(0);

  const event = await page.goto("/events/not-an-id");
  expect(event?.status()).toBe(400);
  await expect(problemOn(page)).toContainText("id: must be an event id (a UUID)");

  // several problems at once are listed one by one
  await page.goto("/events?limit=0&kind=nope&colour=blue");
  const alert = problemOn(page);
  await expect(alert.getByRole("listitem")).toHaveCount(3);
  await expect(alert).toContainText("limit: must be at least 1");
  await expect(alert).toContainText('unknown event kind "nope"');
  await expect(alert).toContainText('unknown parameter "colour"');

  const rows = await auditDetailsFor(auditTag);
  const telemetry = rows.filter((row) => row.action.startsWith("events."));
  expect(telemetry.map((row) => row.action)).toEqual([...BAD_QUERIES.map(() => "events.list"), "events.chart", "events.view", "events.list"]);
  for (const row of telemetry) expect(row).toMatchObject({ outcome: "error", reason: expect.stringMatching(/^invalid_input: /), event_ids: [] });
});
