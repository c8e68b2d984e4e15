// Security finding 9 (issue 10), end to end: producer-controlled text sent
// through both endpoints — an unknown event name, an exception type, an error
// kind, measurement-named strings, unparseable versions, unknown OS /
// extension / language names, odd settings — must reach nobody without the
// `content` class. The events are read back through the data layer (list,
// detail, charts, export) as the platform-health persona, whose group is
// widened here to the unmapped kind `other` as well (an admin may do so; the
// rule must not lean on the kind being hidden), and as a Copilot-team viewer,
// who sees the text only on an explicit, audited reveal. Finally an admin
// classifies two of the values and new events show them.
//
// Databases as in the other integration tests: PGlite always, PostgreSQL too
// when TEST_DATABASE_URL is set; next/headers is mocked with a cookie jar
// holding a real session.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { UNCLASSIFIED_TEXT } from "@/lib/telemetry/fields";
import { connectDatabase, type Database } from "@/server/db/connect";
import { getEventInsights } from "@/server/data/event-insights";
import { exportEvents } from "@/server/data/export-events";
import { getEvent } from "@/server/data/get-event";
import { listEvents } from "@/server/data/list-events";
import { revealEventContent } from "@/server/data/reveal-event-content";
import { AppError } from "@/server/http/app-error";
import { signInForTest } from "@/test/sessions";
import { createGeoLocator } from "./geo";
import { handleTelemetry } from "./handle-telemetry";
import { handleTrack } from "./handle-track";
import { forgetMapping, getMapping } from "./mapping";
import { type NormalizedEvent, normalizeEvent } from "./normalize";
import type { IngestDeps } from "./process-items";
import { TokenBucketLimiter } from "./rate-limit";
import { reclassifyStoredEvents } from "./reclassify-stored-events";
import { storeEvents } from "./store-events";
import { createTestKey, findInDatabase, testTargets } from "./test-databases";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `ptk1:${Buffer.alloc(32, 23).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest producer text", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
}));

vi.mock("@/server/db/client", () => ({
  getDatabase: async () => {
    if (!state.db) throw new Error("no database under test");
    return state.db;
  },
  getPrisma: async () => {
    if (!state.db) throw new Error("no database under test");
    return state.db.prisma;
  },
}));

const KEYS = [{ id: "ptk1", key: Buffer.alloc(32, 23) }];
const COPILOT = "viewer.copilot@github.example";
const HEALTH = "viewer.health@github.example";
/** Not hexadecimal, not a version, in no vocabulary; every canary below starts with it. */
const CANARY = `zqcanary${randomBytes(4).toString("hex")}`;
const canary = (slot: string) => `${CANARY}-${slot}`;
const MACHINE = randomBytes(32).toString("hex");
const SESSION = `${randomUUID()}${Date.now()}`;

/** Every canary sent, by slot; each must come back on reveal. */
const SENT: Record<string, string> = {};
const sent = (slot: string, value = canary(slot)) => ((SENT[slot] = value), value);

const COMMON = {
  "common.vscodemachineid": MACHINE,
  "common.vscodesessionid": SESSION,
  "common.vscodeversion": "1.106.2",
  "common.extname": "GitHub.copilot",
  "common.extversion": "1.388.0",
  "common.os": "linux",
  "common.platformversion": "6.8.0",
  "common.uikind": "desktop",
};

function envelope(key: string, name: string, properties: Record<string, string> = {}, measurements: Record<string, number> = {}) {
  return {
    time: new Date(Date.now() - 60_000).toISOString(),
    iKey: key,
    name: "Microsoft.ApplicationInsights.Event",
    tags: { "ai.user.id": MACHINE, "ai.session.id": SESSION },
    data: { baseType: "EventData", baseData: { ver: 2, name, properties: { ...COMMON, ...properties }, measurements } },
  };
}

/** What a producer sends to /v2/track (Application Insights envelopes). */
function trackBatch(key: string) {
  return [
    envelope(key, `GitHub.copilot/${sent("track.name")}`, { languageId: "python" }),
    envelope(
      key,
      "GitHub.copilot/ghostText.shown",
      {
        "common.os": sent("track.os"),
        "common.platformversion": sent("track.osVersion", `6.8.0-${canary("track.osVersion")}`),
        "common.extname": sent("track.extensionName", `${canary("track.extensionName")}.copilot`),
        "common.vscodeversion": sent("track.vscodeVersion"),
        "common.extversion": sent("track.extensionVersion"),
        "common.remotename": sent("track.remotename"),
        "common.uikind": sent("track.uikind"),
        languageId: sent("track.languageId"),
        latencyMs: sent("track.latencyMs"),
        postProcessing: sent("track.postProcessing", `trim,${canary("track.postProcessing")}`),
        completionId: sent("track.completionId"),
        customerNote: sent("track.unclassified"),
      },
      { meanProb: 0.8 },
    ),
    {
      ...envelope(key, "ignored"),
      data: {
        baseType: "ExceptionData",
        baseData: {
          exceptions: [{ typeName: sent("track.exceptionType"), message: sent("track.exceptionMessage"), stack: "at f (/home/dev/x.ts:1:1)" }],
          properties: { ...COMMON },
        },
      },
    },
    envelope(key, "GitHub.copilot/networking.error", { errorKind: sent("track.errorKind"), endpoint: sent("track.endpoint"), model: sent("track.model") }, { attempt: 2 }),
    envelope(key, "GitHub.copilot/ghostText.redacted", { filter: sent("track.redactionFilter"), languageId: "python" }),
  ];
}

/** What a producer sends to /api/v1/telemetry (the portal's batch format). */
function nativeBatch() {
  const base = {
    time: new Date(Date.now() - 30_000).toISOString(),
    machineId: MACHINE,
    sessionId: SESSION,
    vscodeVersion: "1.106.2",
    extensionName: "GitHub.copilot",
    extensionVersion: "1.388.0",
    os: "darwin",
    osVersion: "24.6.0",
    uiKind: "desktop",
  };
  return {
    events: [
      { ...base, name: sent("native.name"), exception: { typeName: sent("native.exceptionType"), message: "boom" } },
      {
        ...base,
        name: "ghostText.shown",
        os: sent("native.os"),
        osVersion: sent("native.osVersion"),
        extensionName: sent("native.extensionName"),
        vscodeVersion: sent("native.vscodeVersion"),
        properties: { latencyMs: sent("native.latencyMs"), meanProb: sent("native.meanProb"), languageId: sent("native.languageId") },
        measurements: { compCharLen: 12 },
      },
      { ...base, name: sent("native.otherName"), properties: { errorCode: sent("native.errorCode") } },
      { ...base, name: "completion.error", properties: { errorCode: sent("native.errorCodeOnError"), code: sent("native.code") } },
    ],
  };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return Buffer.from(await new Response(stream).arrayBuffer()).toString("utf8");
}

describe.each(testTargets(KEYS))("producer text through the intake and the data layer on $name", (target) => {
  let db: Database;
  let deps: IngestDeps;
  let key: { id: string; key: string };
  let ids: string[] = [];
  /** The schema owner (the migration role on PostgreSQL): classifying and rewriting rows is an operator's job, not the portal's. */
  let owner: Database;

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
    owner = target.migrationUrl ? await connectDatabase({ databaseUrl: target.migrationUrl, pgliteDataDir: "(unused)", poolSize: 1 }) : db;
    key = await createTestKey(db, "Producer-text test producer");
    deps = { db: db.prisma, contentKeys: KEYS, maxBodyBytes: 1 << 20, limiter: new TokenBucketLimiter(db.prisma, { ratePerSecond: 1000, burst: 20_000 }), geo: createGeoLocator() };
    // The unmapped kind too: an admin may widen a group's kinds, and no text may depend on the kind being hidden.
    await db.prisma.$executeRawUnsafe(`UPDATE access_group SET event_kinds = array_append(event_kinds, 'other') WHERE key = 'platform_health'`);
  });

  afterAll(async () => {
    state.db = null;
    state.token = null;
    if (owner && owner !== db) await owner.close();
    await db?.close();
    await target.dispose();
  });

  async function signIn(email: string): Promise<void> {
    state.token = await signInForTest(db.prisma, email, { purpose: "investigate_abuse" });
  }

  /** Everything the person receives from the data layer about the test's events, as one text. */
  async function everythingShownTo(email: string): Promise<{ text: string; listed: string[] }> {
    await signIn(email);
    const list = await listEvents({ limit: "500" });
    const listed = list.items.map((item) => item.id).filter((id) => ids.includes(id));
    const details = await Promise.all(listed.map((id) => getEvent({ id })));
    const insights = await getEventInsights({});
    const exported = await exportEvents({});
    const csv = await readAll(exported.body);
    expect(exported.rowCount).toBeGreaterThanOrEqual(ids.length);
    return { text: [JSON.stringify(list), JSON.stringify(details), JSON.stringify(insights), csv].join("\n"), listed };
  }

  it("takes the events through both endpoints and keeps the canaries out of every plaintext column", async () => {
    const tracked = await handleTrack(
      new Request("http://localhost/v2/track", { method: "POST", headers: { "content-type": "application/json", "x-portal-client-ip": "81.2.69.160" }, body: JSON.stringify(trackBatch(key.key)) }),
      deps,
    );
    expect(await tracked.json()).toEqual({ itemsReceived: 5, itemsAccepted: 5, errors: [] });
    const native = await handleTelemetry(
      new Request("http://localhost/api/v1/telemetry", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key.key}`, "x-portal-client-ip": "81.2.69.160" },
        body: JSON.stringify(nativeBatch()),
      }),
      deps,
    );
    expect(await native.json()).toEqual({ itemsReceived: 4, itemsAccepted: 4, errors: [] });

    const rows = await db.prisma.$queryRawUnsafe<Array<{ id: string; kind: string; event_name: string; error_kind: string | null }>>(
      `SELECT id::text AS id, kind::text AS kind, event_name, error_kind FROM telemetry_event WHERE source_id = $1::uuid ORDER BY time, id`,
      key.id,
    );
    ids = rows.map((row) => row.id);
    expect(rows).toHaveLength(9);
    expect(rows.filter((row) => row.event_name === UNCLASSIFIED_TEXT).map((row) => row.kind).sort()).toEqual(["error", "other", "other"]);
    expect(rows.filter((row) => row.kind === "error").map((row) => row.error_kind)).toEqual(Array(4).fill(UNCLASSIFIED_TEXT));
    // Sealed, and so in no table in plaintext.
    expect(await findInDatabase(db, CANARY)).toEqual([]);
  });

  it("shows platform health (no content) none of them: not in the list, the details, the charts or the export", async () => {
    const { text, listed } = await everythingShownTo(HEALTH);
    expect([...listed].sort()).toEqual([...ids].sort()); // every event, and so every field it may see
    expect(text).not.toContain(CANARY);
    expect(text).toContain(UNCLASSIFIED_TEXT);
    await expect(revealEventContent({ id: ids[0] })).rejects.toBeInstanceOf(AppError);
  });

  it("shows a Copilot-team viewer (content) none of them either, until an audited reveal shows every one", async () => {
    const { text, listed } = await everythingShownTo(COPILOT);
    expect([...listed].sort()).toEqual([...ids].sort());
    expect(text).not.toContain(CANARY);

    const revealed = JSON.stringify(await Promise.all(ids.map((id) => revealEventContent({ id }))));
    for (const [slot, value] of Object.entries(SENT)) expect(revealed, slot).toContain(JSON.stringify(value).slice(1, -1));
    const [reveals] = await db.prisma.$queryRawUnsafe<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'events.reveal' AND outcome = 'allowed' AND actor_email = $1 AND target_id = ANY($2::text[])`,
      COPILOT,
      ids,
    );
    expect(Number(reveals!.n)).toBe(ids.length);
    // Nothing the reads wrote (audit rows included) holds the text.
    expect(await findInDatabase(db, CANARY)).toEqual([]);
  });

  it("shows a value to new events once an admin classifies it", async () => {
    const errorKind = SENT["track.errorKind"]!;
    const eventName = SENT["native.otherName"]!;
    await owner.prisma.$executeRawUnsafe(`INSERT INTO known_value (field, value) VALUES ('errorKind', $1)`, errorKind);
    await owner.prisma.$executeRawUnsafe(`INSERT INTO event_name_mapping (event_name, kind) VALUES ($1, 'other')`, eventName);
    forgetMapping(db.prisma); // what MAPPING_TTL_MS does for an edit made elsewhere
    const machine = randomBytes(32).toString("hex");
    const response = await handleTrack(
      new Request("http://localhost/v2/track", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([
          { ...envelope(key.key, "networking.error", { errorKind, "common.vscodemachineid": machine }) },
          { ...envelope(key.key, `GitHub.copilot/${eventName}`, { "common.vscodemachineid": machine }) },
        ]),
      }),
      deps,
    );
    expect(await response.json()).toMatchObject({ itemsAccepted: 2 });

    await signIn(HEALTH);
    const list = await listEvents({ limit: "500" });
    const fresh = list.items.filter((item) => !ids.includes(item.id) && (item.eventName === eventName || item.errorKind === errorKind));
    expect(fresh.map((item) => [item.kind, item.eventName, item.errorKind ?? null]).sort()).toEqual([
      ["error", "networking.error", errorKind],
      ["other", eventName, null],
    ]);
    // Rows stored before the classification keep the placeholder.
    expect(list.items.filter((item) => ids.includes(item.id)).some((item) => JSON.stringify(item).includes(CANARY))).toBe(false);
  });

  it("rewrites events stored before the rule, so they too show the text to nobody without content", async () => {
    // Rows as the intake wrote them before the rule: producer text straight into the columns.
    const legacyCanary = `${CANARY}legacy`;
    const clean = normalizeEvent(
      { name: "networking.error", time: new Date(Date.now() - 120_000), properties: { ...COMMON, prefix: "def f(" }, measurements: {} },
      { id: randomUUID(), sourceId: key.id, mapping: await getMapping(db.prisma), location: null },
    );
    const legacy: NormalizedEvent[] = [
      { ...clean, eventName: `${legacyCanary}-name`, errorKind: `${legacyCanary}-kind`, osVersion: "6.8.0-85-generic", errorContext: { endpoint: `${legacyCanary}-endpoint`, attempt: 2 } },
      { ...clean, id: randomUUID(), kind: "completion_shown", eventName: "ghostText.shown", errorKind: null, languageId: `${legacyCanary}-language`, content: null },
    ];
    await storeEvents(db.prisma, legacy, KEYS);
    const legacyIds = legacy.map((event) => event.id);
    ids = [...ids, ...legacyIds];
    expect((await everythingShownTo(HEALTH)).text).toContain(legacyCanary); // the leak this repairs

    const first = await reclassifyStoredEvents(owner.prisma, KEYS, { batchSize: 5 });
    expect(first.rewritten).toBe(2);
    expect(first.examined).toBeGreaterThanOrEqual(ids.length);
    expect((await reclassifyStoredEvents(owner.prisma, KEYS)).rewritten).toBe(0);

    const health = await everythingShownTo(HEALTH);
    expect(health.text).not.toContain(legacyCanary);
    await signIn(COPILOT);
    const [withContent, withoutContent] = await Promise.all(legacyIds.map((id) => revealEventContent({ id })));
    expect(withContent!.content).toEqual({
      prefix: "def f(",
      unclassified: { eventName: `${legacyCanary}-name`, osVersion: "6.8.0-85-generic", errorKind: `${legacyCanary}-kind`, endpoint: `${legacyCanary}-endpoint` },
    });
    expect(withoutContent!.content).toEqual({ unclassified: { languageId: `${legacyCanary}-language` } });
    expect(await findInDatabase(db, legacyCanary)).toEqual([]);
  });
});
