// The telemetry intake against real databases (PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set), each migrated with migrateDatabase and seeded
// with the demo access list. The handlers are called the way the routes call
// them, with a Request carrying the header the portal's HTTP front sets
// (x-portal-client-ip); the rate limiter runs on a clock the tests move.
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ContentDocument } from "@/lib/telemetry/fields";
import { openContent } from "@/server/crypto/content";
import type { Database } from "@/server/db/connect";
import { copyWriterOf } from "./copy-writer";
import { DEMO_INGESTION_KEY } from "./demo-ingestion-key";
import { createGeoLocator } from "./geo";
import { handleTelemetry } from "./handle-telemetry";
import { handleTrack } from "./handle-track";
import type { IngestDeps } from "./process-items";
import { TokenBucketLimiter } from "./rate-limit";
import { type CopyWriter, storeEvents } from "./store-events";
import { createTestKey, findInDatabase, testTargets } from "./test-databases";

const KEYS = [{ id: "ing1", key: randomBytes(32) }];
const SENDER_IP = "81.2.69.160"; // GeoLite2 test address: GB / England / Bracknell
const MAX_BODY = 256 * 1024;
const BURST = 20;
const RATE = 10;

type Row = Record<string, unknown>;

const toBody = (body: string | Buffer): BodyInit => (typeof body === "string" ? body : new Uint8Array(body));

function envelope(key: string, name: string, overrides: { time?: string; properties?: Record<string, string>; measurements?: Record<string, number> } = {}) {
  return {
    time: overrides.time ?? new Date(Date.now() - 60_000).toISOString(),
    iKey: key,
    name: `Microsoft.ApplicationInsights.${key.replaceAll("-", "")}.Event`,
    tags: { "ai.user.id": "m-fallback", "ai.session.id": "s-fallback", "ai.internal.sdkVersion": "javascript:3.4.4", "ai.location.ip": SENDER_IP },
    data: {
      baseType: "EventData",
      baseData: {
        ver: 2,
        name,
        properties: {
          "common.extname": "GitHub.copilot",
          "common.extversion": "1.250.0",
          "common.vscodemachineid": "a".repeat(64),
          "common.vscodesessionid": "5e55e55e-0000-4000-8000-000000000000",
          "common.vscodeversion": "1.99.3",
          "common.uikind": "desktop",
          "common.remotename": "none",
          "common.os": "linux",
          "common.platformversion": "6.18.44",
          "common.product": "desktop",
          "common.isnewappinstall": "false",
          "common.nodeArch": "x64",
          "common.telemetryclientversion": "1.5.2",
          languageId: "python",
          ...overrides.properties,
        },
        measurements: { compCharLen: 42, meanProb: 0.83, ...overrides.measurements },
      },
    },
  };
}

describe.each(testTargets(KEYS))("the telemetry intake on $name", (target) => {
  let db: Database;
  let clockMs = 0;
  let deps: IngestDeps;
  let key: { id: string; key: string };

  beforeAll(async () => {
    db = await target.open();
    key = await createTestKey(db, "Integration test producer");
  });

  afterAll(async () => {
    await db?.close();
    await target.dispose();
  });

  beforeEach(() => {
    clockMs += 3_600_000; // the buckets are in the database: an hour later, every one is full again
    deps = {
      db: db.prisma,
      contentKeys: KEYS,
      maxBodyBytes: MAX_BODY,
      limiter: new TokenBucketLimiter(db.prisma, { ratePerSecond: RATE, burst: BURST }, () => clockMs),
      geo: createGeoLocator(),
      copy: copied(),
    };
  });

  /** The COPY writer of the database (PostgreSQL; none on PGlite), counting the batches it wrote. */
  let copies = 0;
  function copied(): CopyWriter | undefined {
    const writer = copyWriterOf(db);
    return writer && (async (statement, text) => {
      const written = await writer(statement, text);
      copies++;
      return written;
    });
  }

  const sql = <T = Row>(text: string, ...values: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(text, ...values);
  const count = async (where = "true", ...values: unknown[]) => Number((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_event WHERE ${where}`, ...values))[0]?.n);

  function track(body: string | Buffer, headers: Record<string, string> = {}): Promise<Response> {
    return handleTrack(
      new Request("http://localhost/v2/track", { method: "POST", headers: { "content-type": "application/json", "x-portal-client-ip": SENDER_IP, ...headers }, body: toBody(body) }),
      deps,
    );
  }

  function telemetry(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return handleTelemetry(
      new Request("http://localhost/api/v1/telemetry", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key.key}`, "x-portal-client-ip": SENDER_IP, ...headers },
        body: typeof body === "string" || Buffer.isBuffer(body) ? toBody(body) : JSON.stringify(body),
      }),
      deps,
    );
  }

  const content = (row: Row) =>
    openContent({ ciphertext: row.content_ciphertext as Uint8Array, keyId: String(row.content_key_id) }, String(row.id), KEYS) as ContentDocument;

  it("stores the issue's envelope: kind, metadata, measurements, location, sealed extras — and not the IP", async () => {
    const sent = envelope(key.key, "GitHub.copilot/ghostText.shown", { properties: { editorFontFamily: "Fira Code" } });
    const response = await track(JSON.stringify([sent]));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ itemsReceived: 1, itemsAccepted: 1, errors: [] });
    expect(response.headers.get("cache-control")).toContain("no-store");

    const [row] = await sql(`SELECT * FROM telemetry_event WHERE event_name = 'ghostText.shown' AND source_id = $1::uuid`, key.id);
    expect(row).toMatchObject({
      kind: "completion_shown",
      machine_id: "a".repeat(64),
      session_id: "5e55e55e-0000-4000-8000-000000000000",
      vscode_version: "1.99.3",
      extension_name: "GitHub.copilot",
      extension_version: "1.250.0",
      os: "linux",
      os_version: "6.18.44",
      ui_kind: "desktop",
      language_id: "python",
      country: "GB",
      region: "England",
      city: "Bracknell",
      suggestion_char_length: 42,
      model_certainty: 0.83,
      measurements: null,
      extension_settings: {
        "common.remotename": "none",
        "common.product": "desktop",
        "common.isnewappinstall": "false",
        "common.nodeArch": "x64",
        "common.telemetryclientversion": "1.5.2",
      },
    });
    expect((row!.time as Date).toISOString()).toBe(sent.time);
    expect(content(row!)).toEqual({ unclassified: { editorFontFamily: "Fira Code" } });
    expect(await findInDatabase(db, SENDER_IP)).toEqual([]);
  });

  it("accepts newline-delimited JSON and gzip, and records when the key was used", async () => {
    const ndjson = [1, 2, 3].map((n) => JSON.stringify(envelope(key.key, "ghostText.accepted", { properties: { completionId: `ad-${n}` } }))).join("\n");
    const plain = await track(ndjson + "\n", { "content-type": "application/x-json-stream" });
    expect(await plain.json()).toEqual({ itemsReceived: 3, itemsAccepted: 3, errors: [] });

    const gzipped = gzipSync(JSON.stringify([1, 2].map((n) => envelope(key.key, "GitHub.copilot/ghostText.rejected", { properties: { completionId: `be-${n}` } }))));
    const compressed = await track(gzipped, { "content-encoding": "gzip" });
    expect(compressed.status).toBe(200);
    expect(await compressed.json()).toEqual({ itemsReceived: 2, itemsAccepted: 2, errors: [] });

    const ndGz = await track(gzipSync(ndjson.replaceAll("ad-", "adbe-")), { "content-encoding": "gzip", "content-type": "application/x-json-stream" });
    expect(await ndGz.json()).toMatchObject({ itemsAccepted: 3 });

    expect(await count(`completion_id LIKE 'ad-%' AND kind = 'completion_accepted' AND accepted`)).toBe(3);
    expect(await count(`completion_id LIKE 'adbe-%'`)).toBe(3);
    expect(await count(`completion_id LIKE 'be-%' AND kind = 'completion_rejected' AND accepted = false`)).toBe(2);
    const [used] = await sql<{ last_used_at: Date | null }>(`SELECT last_used_at FROM ingestion_key WHERE id = $1::uuid`, key.id);
    expect(used!.last_used_at).toBeInstanceOf(Date);
  });

  it("refuses a malformed item by its index and stores the rest (206)", async () => {
    const items = [
      envelope(key.key, "ghostText.issued", { properties: { completionId: "ba1-0" } }),
      { iKey: key.key, time: "yesterday", data: { baseType: "EventData", baseData: { name: "ghostText.issued" } } },
      envelope(key.key, "ghostText.issued", { properties: { completionId: "ba1-2" } }),
      { ...envelope(key.key, "x"), data: { baseType: "PageviewData", baseData: { name: "home" } } },
      envelope(key.key, "ghostText.issued", { properties: { completionId: "ba1-4", "common.vscodemachineid": "m".repeat(300) } }),
    ];
    const ndjsonWithGarbage = `${JSON.stringify(envelope(key.key, "ghostText.issued", { properties: { completionId: "ba1-ad" } }))}\n{not json\n`;

    const response = await track(JSON.stringify(items));
    expect(response.status).toBe(206);
    const reply = (await response.json()) as { itemsReceived: number; itemsAccepted: number; errors: Array<{ index: number; statusCode: number; message: string }> };
    expect(reply).toMatchObject({ itemsReceived: 5, itemsAccepted: 2 });
    expect(reply.errors.map((error) => [error.index, error.statusCode])).toEqual([
      [1, 400],
      [3, 400],
      [4, 400],
    ]);
    expect(reply.errors[0]!.message).toMatch(/^time: must be an ISO 8601/);
    expect(reply.errors[1]!.message).toMatch(/PageviewData/);
    expect(reply.errors[2]!.message).toMatch(/common.vscodemachineid is longer than 256/);
    expect(await count(`completion_id IN ('ba1-0', 'ba1-2') AND kind = 'completion_requested'`)).toBe(2);
    expect(await count(`completion_id = 'ba1-4'`)).toBe(0);

    const mixed = await track(ndjsonWithGarbage);
    expect(mixed.status).toBe(206);
    expect(await mixed.json()).toMatchObject({ itemsReceived: 2, itemsAccepted: 1, errors: [{ index: 1, statusCode: 400 }] });

    const none = await track(JSON.stringify([{ iKey: key.key }]));
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ itemsReceived: 1, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400 }] });
    expect((await track("this is not json")).status).toBe(400);
  });

  describe("nesting depth (issue 10, finding 6)", () => {
    const DEEP = "[".repeat(100_000) + "]".repeat(100_000);
    const TOO_DEEP = "nests arrays or objects deeper than 64 levels.";
    /** An envelope as JSON text, with `"__DEEP__"` replaced by 100,000 nested arrays (JSON.stringify itself would overflow). */
    const withDeep = (value: unknown) => JSON.stringify(value).replace('"__DEEP__"', DEEP);
    type Reply = { itemsReceived: number; itemsAccepted: number; errors: Array<{ index: number; statusCode: number; message: string }> };

    it("refuses an envelope nested 100,000 levels deep in a property by its index, and stores the rest", async () => {
      const good = JSON.stringify(envelope(key.key, "ghostText.shown", { properties: { completionId: "dee0-1" } }));
      const deep = withDeep(envelope(key.key, "ghostText.shown", { properties: { completionId: "dee0-f", nested: "__DEEP__" } }));
      const response = await track(`[${good},${deep}]`);
      expect(response.status).toBe(206);
      expect(await response.json()).toEqual({ itemsReceived: 2, itemsAccepted: 1, errors: [{ index: 1, statusCode: 400, message: `Item 1 ${TOO_DEEP}` }] });

      const ndjson = await track(`${deep}\n${good.replace("dee0-1", "dee0-2")}\n`, { "content-type": "application/x-json-stream" });
      expect(ndjson.status).toBe(206);
      expect(await ndjson.json()).toEqual({ itemsReceived: 2, itemsAccepted: 1, errors: [{ index: 0, statusCode: 400, message: `Item 0 ${TOO_DEEP}` }] });
      expect(await count(`completion_id IN ('dee0-1', 'dee0-2')`)).toBe(2);
      expect(await count(`completion_id = 'dee0-f'`)).toBe(0);
    });

    it("refuses an envelope with a deep field it does not read (the event id hashes the whole envelope)", async () => {
      const deep = withDeep({ ...envelope(key.key, "ghostText.shown", { properties: { completionId: "dee0-e" } }), extra: "__DEEP__" });
      const response = await track(deep);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: `The request body ${TOO_DEEP}` }] });
      const inArray = await track(`[${deep}]`);
      expect(inArray.status).toBe(400);
      expect(((await inArray.json()) as Reply).errors).toEqual([{ index: 0, statusCode: 400, message: `Item 0 ${TOO_DEEP}` }]);
      expect(await count(`completion_id = 'dee0-e'`)).toBe(0);
    });

    it("refuses a body that is nothing but 100,000 nested arrays", async () => {
      const response = await track(DEEP);
      expect(response.status).toBe(400);
      expect(((await response.json()) as Reply).errors).toEqual([{ index: 0, statusCode: 400, message: `Item 0 ${TOO_DEEP}` }]);
    });

    it("does not unwrap a double-encoded exception whose inner JSON nests 100,000 levels", async () => {
      const inner = `{"exceptions":[{"typeName":"Error","message":"boom"}],"properties":{"deep":${DEEP}}}`;
      const sent = { ...envelope(key.key, "x"), data: { baseType: "ExceptionData", baseData: { ver: 2, exceptions: [{ typeName: "Object", message: inner }] } } };
      const response = await track(JSON.stringify([sent]));
      expect(response.status).toBeLessThan(500);
      expect(await response.json()).toMatchObject({ itemsReceived: 1 });
    });

    it("refuses a native batch nested 100,000 levels deep with a 400 naming the problem", async () => {
      const body = withDeep({
        events: [{ name: "ghostText.shown", time: new Date(Date.now() - 60_000).toISOString(), machineId: "m", sessionId: "s", properties: { nested: "__DEEP__" } }],
      });
      const response = await telemetry(body);
      expect(response.status).toBe(400);
      const message = "The request body nests arrays or objects too deeply: at most 64 levels per event.";
      expect(await response.json()).toEqual({ error: { code: "invalid_input", message, issues: [{ path: "(body)", message }] } });
    });
  });

  it("refuses unknown and revoked keys with the Application Insights error reply, storing nothing", async () => {
    const revoked = await createTestKey(db, "Revoked producer", { revoked: true });
    const before = await count();
    for (const presented of ["not-a-key-of-this-portal", revoked.key]) {
      const response = await track(JSON.stringify([envelope(presented, "ghostText.shown"), envelope(presented, "ghostText.issued")]));
      expect(response.status).toBe(400);
      const reply = (await response.json()) as { itemsReceived: number; itemsAccepted: number; errors: Array<{ index: number; statusCode: number; message: string }> };
      expect(reply).toMatchObject({ itemsReceived: 2, itemsAccepted: 0 });
      expect(reply.errors.map((error) => error.statusCode)).toEqual([400, 400]);
      expect(reply.errors[0]!.message).toMatch(/Invalid instrumentation key/);
    }
    expect(await count()).toBe(before);
    const [row] = await sql<{ last_used_at: Date | null }>(`SELECT last_used_at FROM ingestion_key WHERE id = $1::uuid`, revoked.id);
    expect(row!.last_used_at).toBeNull();
  });

  it("stores a replayed batch once (deterministic ids)", async () => {
    const batch = JSON.stringify([1, 2, 3, 4].map((n) => envelope(key.key, "ghostText.stillInCode", { properties: { completionId: `cafe-${n}` }, measurements: { persistenceCheckSec: 30, persistenceRatio: 0.5 } })));
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await track(batch);
      expect(await response.json()).toEqual({ itemsReceived: 4, itemsAccepted: 4, errors: [] });
    }
    expect(await count(`completion_id LIKE 'cafe-%' AND kind = 'completion_persisted' AND persistence_check_sec = 30 AND persistence_ratio = 0.5`)).toBe(4);
    // The same batch gzip-compressed is the same envelopes: still no duplicates.
    await track(gzipSync(batch), { "content-encoding": "gzip" });
    expect(await count(`completion_id LIKE 'cafe-%'`)).toBe(4);
  });

  it("writes batches with COPY on PostgreSQL and, when one repeats a stored or duplicated id, with INSERT … ON CONFLICT", async () => {
    const copiesBefore = copies;
    const time = new Date(Date.now() - 60_000).toISOString(); // the same envelope is the same id
    const sent = (n: number) => envelope(key.key, "ghostText.shown", { time, properties: { completionId: `beef-${n}` } });
    expect(await (await track(JSON.stringify([sent(1), sent(2)]))).json()).toEqual({ itemsReceived: 2, itemsAccepted: 2, errors: [] });
    // two stored, two new; then one envelope twice in one batch
    expect(await (await track(JSON.stringify([sent(1), sent(2), sent(3), sent(4)]))).json()).toEqual({ itemsReceived: 4, itemsAccepted: 4, errors: [] });
    expect(await (await track(JSON.stringify([sent(5), sent(5)]))).json()).toEqual({ itemsReceived: 2, itemsAccepted: 2, errors: [] });
    expect(await count(`completion_id LIKE 'beef-%'`)).toBe(5);
    // only the first batch went through COPY (the others conflicted and were written again)
    expect(copies - copiesBefore).toBe(target.name === "PGlite" ? 0 : 1);
    if (target.name !== "PGlite") expect(deps.copy).toBeDefined();
  });

  it("stores the same row through COPY as through INSERT (every column, awkward text included)", async () => {
    const awkward = 'tab\there, newline\nthere, back\\slash, "quotes", {braces}, NULL, ünïcödé 😀';
    const raw = envelope(key.key, "GitHub.copilot/ghostText.shown", {
      properties: { completionId: "same-row", prefix: awkward, suffix: "\\N", relativePath: "src/a b.ts", postProcessing: "trim,\"dedent\"", editorFontFamily: awkward },
      measurements: { line: 3, character: 7, latencyMs: 12, meanProb: 1e-7 },
    });
    const { readEnvelope } = await import("./app-insights");
    const { normalizeEvent } = await import("./normalize");
    const { getMapping } = await import("./mapping");
    const read = readEnvelope(raw, new Date());
    if (!read.ok) throw new Error(read.message);
    const mapping = await getMapping(db.prisma);
    const location = { country: "GB", region: "England", city: "Bracknell" };
    const viaInsert = normalizeEvent(read.event, { id: "00000000-0000-8000-8000-00000000c0a1", sourceId: key.id, mapping, location });
    const viaCopy = normalizeEvent(read.event, { id: "00000000-0000-8000-8000-00000000c0a2", sourceId: key.id, mapping, location });
    expect(await storeEvents(db.prisma, [viaInsert], KEYS)).toBe(1);
    const copiesBefore = copies;
    expect(await storeEvents(db.prisma, [viaCopy], KEYS, deps.copy)).toBe(1);
    expect(copies - copiesBefore).toBe(deps.copy ? 1 : 0);
    const rows = await sql(`SELECT * FROM telemetry_event WHERE id IN ('00000000-0000-8000-8000-00000000c0a1', '00000000-0000-8000-8000-00000000c0a2') ORDER BY id`);
    expect(rows).toHaveLength(2);
    const strip = (row: Row) => {
      const { id: _id, received_at: _received, content_ciphertext: _sealed, ...rest } = row;
      return rest;
    };
    expect(strip(rows[1]!)).toEqual(strip(rows[0]!));
    expect(content(rows[1]!)).toEqual(content(rows[0]!));
    expect(content(rows[1]!)).toMatchObject({ prefix: awkward, suffix: "\\N" });
  });

  it("answers 413 to a body over the limit, compressed or not, storing nothing", async () => {
    const before = await count();
    const big = JSON.stringify(Array.from({ length: 200 }, (_, n) => envelope(key.key, "ghostText.shown", { properties: { completionId: `b16-${n}`, pad: "x".repeat(1500) } })));
    expect(big.length).toBeGreaterThan(MAX_BODY);
    const plain = await track(big);
    expect(plain.status).toBe(413);
    expect(await plain.json()).toMatchObject({ itemsAccepted: 0, errors: [{ statusCode: 413 }] });
    // A gzip bomb: 64 MB of zeros compress to ~64 KB; reading stops at the limit.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(MAX_BODY);
    expect((await track(bomb, { "content-encoding": "gzip" })).status).toBe(413);
    expect((await telemetry(bomb, { "content-encoding": "gzip" })).status).toBe(413);
    expect(await count()).toBe(before);
  });

  it("answers 429 with Retry-After over the rate limit, and the later retry lands every event", async () => {
    const limited = await createTestKey(db, "Chatty producer");
    const batch = (from: number, n: number) =>
      JSON.stringify(Array.from({ length: n }, (_, i) => envelope(limited.key, "ghostText.shown", { properties: { completionId: `f1-${from + i}` } })));
    expect((await track(batch(0, 15))).status).toBe(200); // 15 of the 20-token bucket
    const refused = await track(batch(15, 10));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ itemsReceived: 10, itemsAccepted: 0 });
    expect(await count(`source_id = $1::uuid`, limited.id)).toBe(15);

    clockMs += retryAfter * 1000; // the client waits as told, then retries the same batch
    const retried = await track(batch(15, 10));
    expect(retried.status).toBe(200);
    expect(await count(`source_id = $1::uuid`, limited.id)).toBe(25);
    // The limit is per key: another key is unaffected meanwhile.
    expect((await track(JSON.stringify([envelope(key.key, "ghostText.shown", { properties: { completionId: "0fe-1" } })]))).status).toBe(200);
  });

  it("maps unknown names to `other`, exceptions to `error`, and seals unclassified properties", async () => {
    const exception = {
      ...envelope(key.key, "ignored"),
      name: "Microsoft.ApplicationInsights.x.Exception",
      data: {
        baseType: "ExceptionData",
        baseData: {
          exceptions: [{ typeName: "TypeError", message: "Cannot read properties of undefined (reading 'line') in /home/dev/secret.py", hasFullStack: true, stack: "TypeError: …\n at f (/home/dev/secret.py:1:1)", parsedStack: [] }],
          properties: { "common.vscodemachineid": "b".repeat(64), "common.extname": "GitHub.copilot", keyExpiry: "2026-11-01T00:00:00Z" },
          measurements: { attempt: 2 },
        },
      },
    };
    const response = await track(
      JSON.stringify([
        envelope(key.key, "ms-python.python/some.new.event", { properties: { secretSetting: "hunter2" }, measurements: { frobs: 7 } }),
        exception,
        envelope(key.key, "auth.error", { properties: { errorKind: "auth.token_expired", keyExpiry: "2026-11-20T00:00:00Z" } }),
      ]),
    );
    expect(await response.json()).toMatchObject({ itemsAccepted: 3 });

    // The unmapped name itself is producer text: sealed, with "unclassified" in its column.
    const [other] = await sql(`SELECT * FROM telemetry_event WHERE kind = 'other' AND source_id = $1::uuid`, key.id);
    expect(other).toMatchObject({ event_name: "unclassified", measurements: null });
    expect(content(other!)).toEqual({ unclassified: { secretSetting: "hunter2", frobs: 7, "event.name": "ms-python.python/some.new.event" } });
    expect(Buffer.from(other!.content_ciphertext as Uint8Array).includes("hunter2")).toBe(false);

    const [error] = await sql(`SELECT * FROM telemetry_event WHERE event_name = 'exception' AND machine_id = $1`, "b".repeat(64));
    expect(error).toMatchObject({ kind: "error", error_kind: "TypeError", error_context: { keyExpiry: "2026-11-01T00:00:00Z", attempt: 2 } });
    expect(content(error!).unclassified).toMatchObject({ "exception.message": expect.stringContaining("secret.py") });

    const [auth] = await sql(`SELECT * FROM telemetry_event WHERE event_name = 'auth.error' AND source_id = $1::uuid`, key.id);
    expect(auth).toMatchObject({ kind: "error", error_kind: "auth.token_expired", error_context: { keyExpiry: "2026-11-20T00:00:00Z" }, content_ciphertext: null });
  });

  it("gives loopback and private senders no location", async () => {
    for (const [ip, completionId] of [["127.0.0.1", "c0-1"], ["10.1.2.3", "c0-2"], ["::1", "c0-3"]] as const) {
      await track(JSON.stringify([envelope(key.key, "ghostText.shown", { properties: { completionId } })]), { "x-portal-client-ip": ip });
    }
    expect(await count(`completion_id IN ('c0-1', 'c0-2', 'c0-3') AND country IS NULL AND region IS NULL AND city IS NULL`)).toBe(3);
  });

  it("accepts the demo ingestion key seeded for the embedded default", async () => {
    const response = await track(JSON.stringify([envelope(DEMO_INGESTION_KEY, "ghostText.shown", { properties: { completionId: "dec0de" } })]));
    expect(response.status).toBe(200);
    const [row] = await sql<{ name: string }>(`SELECT k.name FROM telemetry_event e JOIN ingestion_key k ON k.id = e.source_id WHERE e.completion_id = 'dec0de'`);
    expect(row!.name).toMatch(/demo/i);
  });

  describe("the portal's own batch format", () => {
    const time = new Date(Date.now() - 5_000).toISOString();
    const event = (n: number, extra: Record<string, unknown> = {}) => ({
      name: "ghostText.shown",
      time,
      machineId: "c".repeat(64),
      sessionId: "5e55-10",
      vscodeVersion: "1.104.0",
      extensionName: "GitHub.copilot",
      extensionVersion: "1.368.0",
      os: "darwin",
      osVersion: "24.6.0",
      uiKind: "web",
      properties: { languageId: "go", completionId: `a7-${n}` },
      measurements: { latencyMs: 210, meanProb: 0.7, suggestionCount: 2 },
      ...extra,
    });

    it("stores a batch, replays without duplicates, and refuses bad events by index", async () => {
      const ok = await telemetry({ events: [event(1), event(2)] });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ itemsReceived: 2, itemsAccepted: 2, errors: [] });
      await telemetry(gzipSync(JSON.stringify({ events: [event(1), event(2)] })), { "content-encoding": "gzip" });
      expect(await count(`completion_id IN ('a7-1', 'a7-2') AND ui_kind = 'web' AND os = 'darwin' AND latency_ms = 210 AND suggestion_count = 2 AND country = 'GB'`)).toBe(2);

      const partial = await telemetry({ events: [event(3), { ...event(4), surprise: true }, event(5, { time: "2026-13-01" })] });
      expect(partial.status).toBe(206);
      const reply = (await partial.json()) as { errors: Array<{ index: number; message: string }> };
      expect(reply).toMatchObject({ itemsReceived: 3, itemsAccepted: 1 });
      expect(reply.errors.map((error) => error.index)).toEqual([1, 2]);
      expect(reply.errors[0]!.message).toMatch(/surprise/);
    });

    it("refuses a request without a valid key (401) or not in the format (400)", async () => {
      const missing = await telemetry({ events: [event(9)] }, { authorization: "" });
      expect(missing.status).toBe(401);
      expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await missing.json()).toMatchObject({ error: { code: "unauthenticated" } });
      expect((await telemetry({ events: [event(9)] }, { authorization: "Bearer not-a-key" })).status).toBe(401);
      const wrongShape = await telemetry({ events: [event(9)], extra: 1 });
      expect(wrongShape.status).toBe(400);
      expect(await wrongShape.json()).toMatchObject({ error: { code: "invalid_input", issues: [{ path: "(body)" }] } });
      expect((await telemetry({ events: [] })).status).toBe(400);
      expect((await telemetry("{")).status).toBe(400);
      expect(await count(`completion_id = 'a7-9'`)).toBe(0);
    });

    it("answers 429 with Retry-After when the key is over its limit", async () => {
      const many = Array.from({ length: BURST + 1 }, (_, n) => event(100 + n));
      expect((await telemetry({ events: many.slice(0, BURST) })).status).toBe(200);
      const refused = await telemetry({ events: many.slice(BURST) });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await refused.json()).toMatchObject({ error: { code: "rate_limited" } });
    });
  });

  it("leaves the sender's IP nowhere in the database", async () => {
    expect(await count()).toBeGreaterThan(20);
    const columns = await sql<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'telemetry_event'
         AND data_type IN ('text', 'character', 'character varying', 'json', 'jsonb', 'ARRAY')`,
    );
    expect(columns.length).toBeGreaterThan(15);
    for (const { column_name: column } of columns) {
      expect(await count(`strpos("${column}"::text, $1) > 0`, SENDER_IP), column).toBe(0);
    }
    expect(await findInDatabase(db, SENDER_IP)).toEqual([]);
  });
});
