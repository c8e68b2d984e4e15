// Issue 5, "done when": the platform-health viewer's groups grant environment
// and measurements only. Identifier, location and content columns do not exist
// for them — not in the column chooser, not in the table (even when the URL
// asks), not in the API or the CSV — an event page has no Reveal button, and a
// direct POST …/reveal with their cookies is refused with 403 JSON and an
// audit row that names the event.
import { sql } from "../db";
import { PERSONAS, declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor, csvRecords, readEventsTable, sha256Hex } from "./support";

const { email } = PERSONAS.viewerHealth;

/** What platform health may choose: the core columns, environment and measurements (lib/telemetry/event-columns.ts). */
const PERMITTED_COLUMNS = [
  "Time (UTC)",
  "Kind",
  "Event name",
  "Received (UTC)",
  "VS Code",
  "Extension",
  "OS",
  "OS version",
  "UI",
  "Language",
  "Error kind",
  "Latency (ms)",
  "Certainty",
  "Suggestions",
  "Suggestion chars",
  "Post-processing",
  "Redaction filter",
  "Accepted",
  "Check after (s)",
  "Persisted",
];
const WITHHELD_COLUMNS = ["Machine ID", "Session ID", "Completion ID", "Country", "Region", "City"];
const WITHHELD_FIELDS = ["machineId", "sessionId", "completionId", "country", "region", "city", "content", "hasContent"];

test.use({ storageState: storageStateFor("viewerHealth") });

test.beforeEach(async ({ page }) => {
  await declarePurpose(page.request, "improve_product");
});

test("has no identifier, location or content columns in the chooser, the table, the API or the CSV", async ({ page, auditTag }) => {
  await page.goto("/events");
  await expect(page.getByRole("heading", { name: "Events", exact: true })).toBeVisible();

  const filters = page.getByRole("form", { name: "Filters" });
  await filters.locator("summary", { hasText: /^Columns \(/ }).click();
  const choices = filters.locator("details.column-chooser").getByRole("checkbox");
  await expect(choices.first()).toBeVisible();
  const labels = await filters.locator("details.column-chooser label").allTextContents();
  expect(labels.map((label) => label.trim())).toEqual(PERMITTED_COLUMNS);
  for (const withheld of WITHHELD_COLUMNS) await expect(filters.getByRole("checkbox", { name: withheld, exact: true })).toHaveCount(0);
  // nor can they filter by them
  await filters.locator("summary", { hasText: "More filters" }).click();
  await expect(filters.getByRole("textbox", { name: "VS Code version" })).toBeVisible();
  for (const withheld of ["Machine ID", "Session ID", "Country", "Region", "City"]) await expect(filters.getByRole("textbox", { name: withheld })).toHaveCount(0);

  const { headers, rows } = await readEventsTable(page);
  expect(headers).toEqual(["Time (UTC)", "Kind", "VS Code", "OS", "Error kind", "Latency (ms)", "Certainty", "Accepted"]);
  expect(rows.length).toBeGreaterThan(0);

  // asking for them in the URL does not conjure them up
  await page.goto("/events?columns=time,machineId,sessionId,completionId,country,city,latencyMs");
  expect((await readEventsTable(page)).headers).toEqual(["Time (UTC)", "Latency (ms)"]);

  const api = await page.request.get("/api/v1/events?limit=200&kind=completion_shown,error");
  expect(api.status()).toBe(200);
  const { items } = (await api.json()) as { items: Array<Record<string, unknown>> };
  expect(items.length).toBeGreaterThan(0);
  for (const item of items) {
    for (const field of WITHHELD_FIELDS) expect(item, `item ${String(item.id)}`).not.toHaveProperty(field);
    expect(item).toHaveProperty("vscodeVersion");
    expect(item).toHaveProperty("errorKind");
  }

  const exported = await page.request.get("/api/v1/events/export?kind=error");
  expect(exported.status()).toBe(200);
  const bytes = await exported.body();
  const { header, records } = csvRecords(bytes.toString("utf8"));
  expect(header).toEqual(expect.arrayContaining(["id", "vscodeVersion", "errorKind", "latencyMs"]));
  for (const field of WITHHELD_FIELDS) expect(header).not.toContain(field);
  expect(records.length).toBeGreaterThan(0);
  // the headers every export carries (server/csv/export-response.ts)
  expect(exported.headers()).toMatchObject({
    "content-disposition": expect.stringMatching(/^attachment; filename="telemetry-events-\d{8}-\d{6}Z\.csv"$/),
    "cache-control": expect.stringMatching(/^private, no-store/),
    "x-export-row-count": String(records.length),
    "x-export-sha256": sha256Hex(bytes),
    "x-export-truncated": "false",
  });

  const audit = await auditDetailsFor(auditTag);
  const reads = audit.filter((row) => row.action === "events.list" || row.action === "events.export");
  expect(reads.map((row) => row.action)).toEqual(["events.list", "events.list", "events.list", "events.export"]);
  expect(reads.at(-1)).toMatchObject({ row_count: records.length, file_sha256: sha256Hex(bytes) });
  for (const row of reads) {
    expect(row).toMatchObject({ outcome: "allowed", actor_email: email, purpose: "improve_product" });
    expect(row.field_classes).toEqual(["environment", "measurements"]);
  }
});

test("sees no Reveal button, and a direct POST …/reveal gets 403 JSON and a denied audit row", async ({ page, auditTag }) => {
  await page.goto("/events?kind=completion_shown");
  const { rows } = await readEventsTable(page);
  const first = rows[0];
  expect(first, "a completion shown event to open").toBeDefined();
  // it has content, so only the grant keeps the Reveal button away
  const [stored] = await sql<{ has_content: boolean }>(`SELECT content_ciphertext IS NOT NULL AS has_content FROM telemetry_event WHERE id = $1::uuid`, [first!.id]);
  expect(stored?.has_content).toBe(true);

  await page.locator(`a[href="/events/${first!.id}"]`).click();
  await page.waitForURL(`**/events/${first!.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Completion shown");
  await expect(page.getByRole("heading", { level: 2, name: /^Environment/ })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: /^Measurements/ })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: /^(Identifiers|Location|Content)/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Reveal/ })).toHaveCount(0);
  await expect(page.getByText("Not in your access for Completion shown events: identifiers, location, content.")).toBeVisible();
  await expect(page.getByRole("link", { name: /All events of this (machine|session)/ })).toHaveCount(0);

  const response = await page.request.post(`/api/v1/events/${first!.id}/reveal`, { maxRedirects: 0 });
  expect(response.status()).toBe(403);
  expect(response.headers()["content-type"]).toContain("application/json");
  const body = await response.json();
  expect(body).toEqual({ error: expect.objectContaining({ code: "forbidden", message: "Your access does not include the content of Completion shown events." }) });
  expect(body).not.toHaveProperty("content");

  const audit = await auditDetailsFor(auditTag);
  expect(audit.filter((row) => row.action === "events.view")).toEqual([
    expect.objectContaining({ outcome: "allowed", target_id: first!.id, event_ids: [first!.id], field_classes: ["environment", "measurements"] }),
  ]);
  expect(audit.filter((row) => row.action === "events.reveal")).toEqual([
    expect.objectContaining({
      outcome: "denied",
      actor_email: email,
      purpose: "improve_product",
      target_type: "telemetry_event",
      target_id: first!.id,
      reason: "forbidden: Your access does not include the content of Completion shown events.",
      field_classes: [],
    }),
  ]);
});
