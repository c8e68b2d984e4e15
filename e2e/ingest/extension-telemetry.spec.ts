// Issue 7's "done when": the real @vscode/extension-telemetry package (with a
// stand-in for the `vscode` module, server/ingest/vscode-stand-in.ts, and
// `fetch` as its custom fetcher) sends to the running portal's /v2/track with
// the demo ingestion key; the events appear in the explorer with the right
// kind, versions, OS, UI kind and a country — and the sender's IP is nowhere
// in the database.
//
// The country needs a public sender address. The test's fetcher adds
// `x-forwarded-for: 81.2.69.160` (GeoLite2's test address in Bracknell, GB),
// which the portal believes only because the test configuration lists
// loopback in TRUSTED_PROXIES for the server under test (the test process
// plays the reverse proxy).
import { randomBytes, randomUUID } from "node:crypto";
import os from "node:os";
import { sql } from "../db";
import { declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { DEMO_INGESTION_KEY } from "../../server/ingest/demo-ingestion-key";
import { createVsCodeStandIn, loadExtensionTelemetry } from "../../server/ingest/vscode-stand-in";

const SENDER_IP = "81.2.69.160";
const VSCODE_VERSION = "1.106.2";
const EXTENSION_VERSION = "1.388.0";

type EventRow = { id: string; kind: string; event_name: string; vscode_version: string; extension_version: string; os: string; os_version: string; ui_kind: string; country: string | null };

test.describe("telemetry from a real VS Code extension", () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("lands through /v2/track and shows in the explorer with kind, versions, OS, UI kind and country, without the IP", async ({ page, baseURL }) => {
    expect(process.env.TRUSTED_PROXIES, "the server under test must trust loopback as a proxy (TRUSTED_PROXIES) for this test").toContain("127.0.0.1");
    const machineId = randomBytes(32).toString("hex");
    const sessionId = `${randomUUID()}${Date.now()}`;

    const vscode = createVsCodeStandIn({ extensionId: "GitHub.copilot", extensionVersion: EXTENSION_VERSION, machineId, sessionId, vscodeVersion: VSCODE_VERSION, uiKind: "desktop" });
    const { TelemetryReporter, restore } = loadExtensionTelemetry(vscode);
    try {
      const fetcher = (url: string, init?: { method: "POST"; headers?: Record<string, string>; body?: string }) =>
        fetch(url, { ...init, headers: { ...init?.headers, "x-forwarded-for": SENDER_IP } });
      // The connection string from docs/INGESTION.md, pointed at the server under test.
      const reporter = new TelemetryReporter(`InstrumentationKey=${DEMO_INGESTION_KEY};IngestionEndpoint=${baseURL}/`, [], undefined, fetcher);
      reporter.sendTelemetryEvent("ghostText.shown", { languageId: "typescript", completionId: "e2e-1" }, { compCharLen: 37, meanProb: 0.71, latencyMs: 240 });
      reporter.sendTelemetryEvent("ghostText.accepted", { languageId: "typescript", completionId: "e2e-1" });
      reporter.sendTelemetryErrorEvent("networking.error", { errorKind: "network.timeout", endpoint: "completions" });
      await new Promise((resolve) => setTimeout(resolve, 300)); // the reporter creates its client asynchronously
      await reporter.dispose(); // flushes the batch
    } finally {
      restore();
    }

    let rows: EventRow[] = [];
    await expect
      .poll(
        async () => {
          rows = await sql<EventRow>(
            `SELECT id::text AS id, kind::text AS kind, event_name, vscode_version, extension_version, os, os_version, ui_kind::text AS ui_kind, country
               FROM telemetry_event WHERE machine_id = $1 ORDER BY event_name`,
            [machineId],
          );
          return rows.length;
        },
        { timeout: 30_000 },
      )
      .toBe(3);
    expect(rows.map((row) => [row.event_name, row.kind])).toEqual([
      ["ghostText.accepted", "completion_accepted"],
      ["ghostText.shown", "completion_shown"],
      ["networking.error", "error"],
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ vscode_version: VSCODE_VERSION, extension_version: EXTENSION_VERSION, os: os.platform(), ui_kind: "desktop", country: "GB" });
    }

    // In the explorer, as a Copilot team viewer.
    await declarePurpose(page.request, "investigate_abuse", "End-to-end check of telemetry intake");
    await page.goto(`/events?machineId=${machineId}`);
    await expect(page.getByRole("row")).toHaveCount(4); // header + 3 events
    const shown = rows.find((row) => row.event_name === "ghostText.shown")!;
    await page.goto(`/events/${shown.id}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Completion shown");
    const field = (label: string) => page.locator("dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd[1]");
    await expect(field("VS Code")).toHaveText(VSCODE_VERSION);
    await expect(field("Extension")).toHaveText(EXTENSION_VERSION);
    await expect(field("OS")).toHaveText(os.platform());
    await expect(field("UI")).toHaveText("desktop");
    await expect(field("Country")).toHaveText("GB");
    await expect(field("City")).toHaveText("Bracknell");

    // The sender's address is in no table, no column.
    const tables = await sql<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
    for (const { table_name: table } of tables) {
      const [hit] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" t WHERE strpos(t::text, $1) > 0`, [SENDER_IP]);
      expect(hit?.n, table).toBe(0);
    }
  });
});
