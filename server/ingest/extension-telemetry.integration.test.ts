// End to end through the real client: @vscode/extension-telemetry 1.5.2 (with
// a stand-in for the `vscode` module and `fetch` as its custom fetcher) sends
// to /v2/track over HTTP. The server here is in-process: a node:http server
// that does what the portal's front (scripts/start.ts) does — drop
// client-sent x-portal-* headers, set x-portal-client-ip from the socket or,
// as configured for this test only, from a trusted x-forwarded-for — and
// hands the request to the /v2/track handler. The browser-level variant
// against the running portal is e2e/ingest/extension-telemetry.spec.ts.
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/connect";
import { CLIENT_IP_HEADER_NAME, clientAddress, proxyTrust } from "@/server/http/front-headers";
import { DEMO_INGESTION_KEY } from "./demo-ingestion-key";
import { createGeoLocator } from "./geo";
import { handleTrack } from "./handle-track";
import type { IngestDeps } from "./process-items";
import { TokenBucketLimiter } from "./rate-limit";
import { findInDatabase, testTargets } from "./test-databases";
import { createVsCodeStandIn, loadExtensionTelemetry } from "./vscode-stand-in";

const KEYS = [{ id: "ext1", key: randomBytes(32) }];
const SENDER_IP = "81.2.69.160"; // GB / England / Bracknell in GeoLite2
const TRUSTED_PROXY_HEADER = "x-forwarded-for";
/** The test's fetch goes through "a proxy" on loopback that sets X-Forwarded-For to a public sender address. */
const LOOPBACK_IS_PROXY = proxyTrust([
  { address: "127.0.0.1", prefix: 32, family: "ipv4" },
  { address: "::1", prefix: 128, family: "ipv6" },
]);

/** A stand-in for the portal's HTTP front in front of the /v2/track handler. */
async function startFront(deps: IngestDeps): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (name.startsWith("x-portal-") || value === undefined) continue;
          headers.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
        const address = clientAddress(req.socket.remoteAddress, req.headers[TRUSTED_PROXY_HEADER], LOOPBACK_IS_PROXY);
        if (address) headers.set(CLIENT_IP_HEADER_NAME, address);
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        if (req.method !== "POST" || url.pathname !== "/v2/track") {
          res.writeHead(404).end();
          return;
        }
        const response = await handleTrack(new Request(url, { method: "POST", headers, body: new Uint8Array(Buffer.concat(chunks)) }), deps);
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the events");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(testTargets(KEYS))("@vscode/extension-telemetry → /v2/track on $name", (target) => {
  let db: Database;
  let front: Awaited<ReturnType<typeof startFront>>;
  let requestsSeen = 0;

  beforeAll(async () => {
    db = await target.open();
    const deps: IngestDeps = { db: db.prisma, contentKeys: KEYS, maxBodyBytes: 4 << 20, limiter: new TokenBucketLimiter(db.prisma, { ratePerSecond: 1000, burst: 20_000 }), geo: createGeoLocator() };
    front = await startFront({ ...deps, now: () => (requestsSeen++, new Date()) });
  });

  afterAll(async () => {
    await front?.close();
    await db?.close();
    await target.dispose();
  });

  it("stores what a real extension sends, with kind, versions, OS, UI kind and country — and no IP", async () => {
    const machineId = randomBytes(32).toString("hex");
    const sessionId = `${randomUUID()}${Date.now()}`;
    const vscode = createVsCodeStandIn({ extensionId: "GitHub.copilot", extensionVersion: "1.388.0", machineId, sessionId, vscodeVersion: "1.106.2", uiKind: "desktop" });
    const { TelemetryReporter, restore } = loadExtensionTelemetry(vscode);
    try {
      const fetcher = (url: string, init?: { method: "POST"; headers?: Record<string, string>; body?: string }) =>
        fetch(url, { ...init, headers: { ...init?.headers, [TRUSTED_PROXY_HEADER]: SENDER_IP } });
      const reporter = new TelemetryReporter(`InstrumentationKey=${DEMO_INGESTION_KEY};IngestionEndpoint=${front.url}`, [], undefined, fetcher);
      reporter.sendTelemetryEvent("ghostText.shown", { languageId: "python", completionId: "ext-1" }, { compCharLen: 42, meanProb: 0.83, latencyMs: 180 });
      reporter.sendTelemetryEvent("ghostText.accepted", { languageId: "python", completionId: "ext-1" });
      reporter.sendTelemetryErrorEvent("auth.error", { errorKind: "auth.token_expired", keyExpiry: "2026-11-20T00:00:00.000Z" });
      reporter.sendDangerousTelemetryException(new TypeError("boom in /home/dev/project/main.py"));
      // The reporter creates its client asynchronously; disposing before that would leave the batch to the SDK's 15-second timer.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await reporter.dispose(); // flushes the batch
    } finally {
      restore();
    }

    type Row = { machine_id: string; session_id: string; kind: string; event_name: string; vscode_version: string; extension_name: string; extension_version: string; os: string; os_version: string; ui_kind: string; country: string | null; region: string | null; city: string | null; language_id: string | null; model_certainty: number | null; error_kind: string | null };
    const rows = await waitFor(async () => {
      const found = await db.prisma.$queryRawUnsafe<Row[]>(
        `SELECT machine_id, session_id, kind::text AS kind, event_name, vscode_version, extension_name, extension_version, os, os_version, ui_kind::text AS ui_kind,
                country, region, city, language_id, model_certainty, error_kind
           FROM telemetry_event WHERE machine_id = $1 ORDER BY event_name`,
        machineId,
      );
      return found.length >= 4 ? found : undefined;
    });
    expect(requestsSeen).toBeGreaterThan(0);
    expect(rows.map((row) => [row.event_name, row.kind])).toEqual([
      ["auth.error", "error"],
      ["exception", "error"],
      ["ghostText.accepted", "completion_accepted"],
      ["ghostText.shown", "completion_shown"],
    ]);
    for (const row of rows) expect(row).toMatchObject({ machine_id: machineId, session_id: sessionId, ui_kind: "desktop", country: "GB", region: "England", city: "Bracknell" });
    // sendDangerousTelemetryException bypasses VS Code's logger, so that event carries no common.* metadata (as in VS Code).
    for (const row of rows.filter((candidate) => candidate.event_name !== "exception")) {
      expect(row).toMatchObject({
        vscode_version: "1.106.2",
        extension_name: "GitHub.copilot",
        extension_version: "1.388.0",
        os: os.platform(),
      });
      expect(os.release().startsWith(row.os_version)).toBe(true);
    }
    expect(rows.find((row) => row.event_name === "ghostText.shown")).toMatchObject({ language_id: "python", model_certainty: 0.83 });
    expect(rows.find((row) => row.event_name === "auth.error")).toMatchObject({ error_kind: "auth.token_expired" });
    expect(rows.find((row) => row.event_name === "exception")).toMatchObject({ error_kind: "TypeError" });
    expect(await findInDatabase(db, SENDER_IP)).toEqual([]);
  });
});
