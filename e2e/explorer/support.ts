// Helpers shared by the explorer and auditor specs: the audit rows a test's
// requests left behind (with the columns those specs check), the explorer's
// table as data, a telemetry event planted through the real intake, and the
// CSV files the portal serves.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { APIRequestContext, Page, TestInfo } from "@playwright/test";
import { sql } from "../db";
import { expect } from "../fixtures";
import { DEMO_INGESTION_KEY } from "../../server/ingest/demo-ingestion-key";

export type AuditDetail = {
  id: string;
  action: string;
  outcome: "allowed" | "denied" | "error";
  reason: string | null;
  purpose: string | null;
  actor_email: string | null;
  actor_user_agent: string | null;
  target_type: string | null;
  target_id: string | null;
  event_ids: string[];
  machine_ids: string[];
  field_classes: string[];
  filters: Record<string, unknown> | null;
  row_count: number | null;
  file_sha256: string | null;
  after: Record<string, unknown> | null;
};

/** Every audit row written for requests with this User-Agent (see fixtures.ts), oldest first, with what each disclosed. */
export async function auditDetailsFor(userAgent: string): Promise<AuditDetail[]> {
  return sql<AuditDetail>(
    `SELECT id::text AS id, action, outcome::text AS outcome, reason, purpose::text AS purpose, actor_email, actor_user_agent,
            target_type, target_id, event_ids, machine_ids, field_classes, filters, row_count, file_sha256, after
       FROM audit_event WHERE actor_user_agent = $1 ORDER BY occurred_at, id`,
    [userAgent],
  );
}

/** How many audit rows of this User-Agent hold `text` anywhere (the trail must never copy telemetry content). */
export async function auditRowsContaining(userAgent: string, text: string): Promise<number> {
  const [row] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event t WHERE actor_user_agent = $1 AND strpos(t::text, $2) > 0`, [
    userAgent,
    text,
  ]);
  return row?.n ?? -1;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** RFC 4180: quoted cells may hold commas, quotes ("") and line breaks; records end in CRLF. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char !== '"') cell += char;
      else if (text[index + 1] === '"') {
        cell += '"';
        index++;
      } else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(cell);
      cell = "";
    } else if (char === "\r" && text[index + 1] === "\n") {
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
      index++;
    } else cell += char;
  }
  if (cell !== "" || record.length > 0) throw new Error("the CSV does not end with CRLF");
  return records;
}

/** A CSV as its header and one object per record; every record must have the header's width. */
export function csvRecords(text: string): { header: string[]; records: Array<Record<string, string>> } {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new Error("the CSV is empty");
  for (const [index, row] of rows.entries()) expect(row.length, `CSV record ${index + 1}`).toBe(header.length);
  return { header, records: rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index] ?? ""]))) };
}

export type ExplorerRow = { id: string; cells: Record<string, string> };

/**
 * The explorer's table as shown: the visible column headers (without the sort
 * arrows) and, per row, the event id its "open" link points to and the text of
 * each cell by header.
 */
export async function readEventsTable(page: Page): Promise<{ headers: string[]; rows: ExplorerRow[] }> {
  const table = page.getByRole("table", { name: "Telemetry events matching the filters" });
  await expect(table).toBeVisible();
  return table.evaluate((element) => {
    const headers = [...element.querySelectorAll("thead th")].map((th) => (th.textContent ?? "").replace(/[▼▲↕]/g, "").trim());
    const rows = [...element.querySelectorAll("tbody tr")]
      .filter((tr) => tr.querySelector('a[href^="/events/"]'))
      .map((tr) => {
        const cells = [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim());
        const href = tr.querySelector('a[href^="/events/"]')?.getAttribute("href") ?? "";
        return { id: href.slice("/events/".length), cells: Object.fromEntries(headers.map((header, index) => [header, cells[index] ?? ""])) };
      });
    return { headers, rows };
  });
}

export type PlantedEvent = { id: string; machineId: string; suggestion: string; prefix: string; relativePath: string; marker: string };

/**
 * Sends one "completion shown" event through the real intake (POST
 * /api/v1/telemetry with the demo ingestion key), its content written to look
 * like markup: a snippet that would inject elements if the portal ever
 * rendered content as HTML. Returns the stored event's id.
 */
export async function plantCompletionShown(request: APIRequestContext): Promise<PlantedEvent> {
  const marker = `tp-marker-${randomBytes(6).toString("hex")}`;
  const machineId = randomBytes(32).toString("hex");
  const prefix = `export function Banner({ title }: { title: string }) {\n  // ${marker}: a & b < c\n  return (\n`;
  const suggestion = `    <div className="banner"><img src="x" onerror="window.__tpInjected = true" /><script>window.__tpInjected = true</script><b id="tp-injected">${marker} &amp; {title}</b></div>`;
  const relativePath = "src/components/Banner.tsx";
  const response = await request.post("/api/v1/telemetry", {
    headers: { authorization: `Bearer ${DEMO_INGESTION_KEY}` },
    data: {
      events: [
        {
          name: "GitHub.copilot/ghostText.shown",
          time: new Date(Date.now() - 60_000).toISOString(),
          machineId,
          sessionId: `${randomUUID()}${Date.now()}`,
          vscodeVersion: "1.106.2",
          extensionName: "GitHub.copilot",
          extensionVersion: "1.388.0",
          os: "linux",
          osVersion: "6.8.0",
          uiKind: "desktop",
          properties: { languageId: "typescriptreact", completionId: randomUUID(), prefix, suggestion, relativePath },
          measurements: { latencyMs: 321, meanProb: 0.77, line: 2, character: 4 },
        },
      ],
    },
  });
  expect(response.status(), await response.text()).toBe(200);
  expect(await response.json()).toMatchObject({ itemsReceived: 1, itemsAccepted: 1 });
  const rows = await sql<{ id: string; kind: string; has_content: boolean }>(
    `SELECT id::text AS id, kind::text AS kind, content_ciphertext IS NOT NULL AS has_content FROM telemetry_event WHERE machine_id = $1`,
    [machineId],
  );
  expect(rows).toEqual([{ id: expect.any(String), kind: "completion_shown", has_content: true }]);
  return { id: rows[0]!.id, machineId, suggestion, prefix, relativePath, marker };
}

/** The page at a desktop and a phone width: nothing overflows sideways; a screenshot of each is kept for review (test-results, HTML report). */
export async function screenshot(page: Page, name: string, testInfo: TestInfo, { fullPage = true }: { fullPage?: boolean } = {}): Promise<void> {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const file = testInfo.outputPath(`${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage });
    await testInfo.attach(`${name}-${width}`, { path: file, contentType: "image/png" });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} at ${width} px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}
