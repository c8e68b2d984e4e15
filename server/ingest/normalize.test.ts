// Normalization of incoming telemetry, with the mapping the migrations
// install (read from their SQL, so the defaults and the code cannot drift
// apart).
import { describe, expect, it } from "vitest";
import { FIELDS_BY_CLASS } from "@/lib/telemetry/fields";
import type { FieldClass } from "@/lib/telemetry/vocabulary";
import { SEED_EVENT_NAMES } from "@/server/seed/generate-events";
import { readEnvelope } from "./app-insights";
import { buildMapping } from "./mapping";
import { readNativeEvent } from "./native-batch";
import { FIELD_VOCABULARIES } from "./producer-text";
import {
  COMMON_PROPERTY_COLUMNS,
  KNOWN_COLUMN_FIELDS,
  KNOWN_CONTENT_FIELDS,
  type NormalizeContext,
  type RawEvent,
  NormalizationError,
  normalizeEvent,
  splitEventName,
} from "./normalize";

import { DEFAULT_CLASSES, DEFAULT_KINDS, DEFAULT_KNOWN_VALUES, DEFAULT_MAPPING as MAPPING } from "./test-mapping";

const NOW = new Date("2026-11-24T12:00:00.000Z");
const KEY = "0f7b5c1e-3d2a-4b6c-8e9f-1a2b3c4d5e6f";
/** VS Code's machine id: a SHA-256 hex digest */
const MACHINE = "9f2c".repeat(16);
const CONTEXT: NormalizeContext = { id: "00000000-0000-8000-8000-000000000001", sourceId: "11111111-1111-4111-8111-111111111111", mapping: MAPPING, location: null };

/** The envelope issue 7 quotes, as @vscode/extension-telemetry 1.5.2 sends it. */
const ISSUE_ENVELOPE = {
  time: "2026-11-24T11:58:01.123Z",
  iKey: KEY,
  name: `Microsoft.ApplicationInsights.${KEY.replaceAll("-", "")}.Event`,
  tags: {
    "ai.user.id": MACHINE,
    "ai.user.authUserId": MACHINE,
    "ai.session.id": "c0ffee00-1111-4222-8333-444455556666-1732449481000",
    "ai.internal.sdkVersion": "javascript:3.4.4",
  },
  data: {
    baseType: "EventData",
    baseData: {
      ver: 2,
      name: "ghostText.shown",
      properties: {
        "common.extname": "GitHub.copilot",
        "common.extversion": "1.250.0",
        "common.vscodemachineid": MACHINE,
        "common.vscodesessionid": "c0ffee00-1111-4222-8333-444455556666-1732449481000",
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
      },
      measurements: { compCharLen: 42, meanProb: 0.83 },
    },
  },
};

function raw(name: string, properties: RawEvent["properties"] = {}, measurements: RawEvent["measurements"] = {}): RawEvent {
  return { name, time: NOW, properties, measurements };
}

describe("normalizeEvent", () => {
  it("turns the issue's envelope into a completion_shown row", () => {
    const envelope = readEnvelope(ISSUE_ENVELOPE, NOW);
    if (!envelope.ok) throw new Error(envelope.message);
    expect(envelope.iKey).toBe(KEY);
    const event = normalizeEvent(envelope.event, { ...CONTEXT, location: { country: "GB", region: "England", city: "Bracknell" } });
    expect(event).toEqual({
      id: CONTEXT.id,
      sourceId: CONTEXT.sourceId,
      receivedAt: null,
      kind: "completion_shown",
      eventName: "ghostText.shown",
      time: new Date("2026-11-24T11:58:01.123Z"),
      machineId: MACHINE,
      sessionId: "c0ffee00-1111-4222-8333-444455556666-1732449481000",
      completionId: null,
      vscodeVersion: "1.99.3",
      extensionName: "GitHub.copilot",
      extensionVersion: "1.250.0",
      os: "linux",
      osVersion: "6.18.44",
      uiKind: "desktop",
      languageId: "python",
      extensionSettings: {
        "common.remotename": "none",
        "common.product": "desktop",
        "common.isnewappinstall": "false",
        "common.nodeArch": "x64",
        "common.telemetryclientversion": "1.5.2",
      },
      country: "GB",
      region: "England",
      city: "Bracknell",
      errorKind: null,
      errorContext: null,
      latencyMs: null,
      modelCertainty: 0.83,
      suggestionCount: null,
      suggestionCharLength: 42,
      postProcessing: [],
      redactionFilter: null,
      accepted: null,
      persistenceCheckSec: null,
      persistenceRatio: null,
      measurements: null,
      content: null,
    });
  });

  it("maps event names with and without VS Code's extension prefix", () => {
    for (const name of ["ghostText.accepted", "GitHub.copilot/ghostText.accepted", "copilot/ghostText.accepted", "GITHUB.COPILOT/ghosttext.ACCEPTED"]) {
      const event = normalizeEvent(raw(name), CONTEXT);
      expect(event.kind, name).toBe("completion_accepted");
      expect(event.eventName).toBe("ghostText.accepted"); // as the mapping spells it
      expect(event.accepted).toBe(true);
    }
    expect(splitEventName("GitHub.copilot/ghostText.shown")).toEqual({ eventName: "ghostText.shown", extension: "GitHub.copilot" });
    expect(splitEventName("extension/ghostText.shown")).toEqual({ eventName: "ghostText.shown", extension: null });
    expect(splitEventName("ghostText.shown")).toEqual({ eventName: "ghostText.shown", extension: null });
    // The extension comes from the prefix when common.extname is missing (when it is a known extension).
    expect(normalizeEvent(raw("GitHub.copilot-chat/ghostText.shown"), CONTEXT).extensionName).toBe("GitHub.copilot-chat");
    // Every name the demo generator emits has its default kind.
    for (const [name, kind] of Object.entries(SEED_EVENT_NAMES)) expect(normalizeEvent(raw(`GitHub.copilot/${name}`), CONTEXT).kind).toBe(kind);
    // Unknown names are kept, sealed, as kind `other`.
    expect(normalizeEvent(raw("GitHub.copilot/panel.opened"), CONTEXT)).toMatchObject({
      kind: "other",
      eventName: "unclassified",
      content: { unclassified: { "event.name": "GitHub.copilot/panel.opened" } },
    });
  });

  it("seals unclassified properties as content, and places classified extras by class", () => {
    const event = normalizeEvent(
      raw(
        "GitHub.copilot/ghostText.issued",
        { "common.vscodemachineid": "0a1b", completionId: "c1", prefix: "def total(", suffix: "\n", relativePath: "src/a.py", customerName: "ACME", endpoint: "completions", "common.remotename": "ssh-remote" },
        { line: 3, character: 10, lineCount: 40, promptCharLen: 10, mysteryScore: 0.5 },
      ),
      CONTEXT,
    );
    expect(event).toMatchObject({
      kind: "completion_requested",
      machineId: "0a1b",
      completionId: "c1",
      measurements: { endpoint: "completions", promptCharLen: 10 },
      extensionSettings: { "common.remotename": "ssh-remote" },
    });
    expect(event.content).toEqual({
      prefix: "def total(",
      suffix: "\n",
      editorState: { line: 3, character: 10, relativePath: "src/a.py", lineCount: 40 },
      unclassified: { customerName: "ACME", mysteryScore: 0.5 },
    });
    // An identifier or location class without a column is sealed too (never put in a less restricted place).
    const mapping = buildMapping(DEFAULT_KINDS, [...DEFAULT_CLASSES, ["tenantId", "identifiers"], ["office", "location"]]);
    expect(normalizeEvent(raw("ghostText.shown", { tenantId: "t1", office: "Berlin" }), { ...CONTEXT, mapping }).content).toEqual({ unclassified: { tenantId: "t1", office: "Berlin" } });
  });

  it("fills every kind's columns from known names, falling back to the bags when a value does not fit", () => {
    const shown = normalizeEvent(
      raw("ghostText.shown", { postProcessing: "trim,dedupe-lines", completionText: "return 1" }, { latency: 251.6, numSuggestions: 2, meanProb: 0.9 }),
      CONTEXT,
    );
    expect(shown).toMatchObject({ latencyMs: 252, suggestionCount: 2, modelCertainty: 0.9, postProcessing: ["trim", "dedupe-lines"], content: { suggestions: ["return 1"] } });
    expect(normalizeEvent(raw("ghostText.redacted", { redactionFilter: "public-code-match" }), CONTEXT).redactionFilter).toBe("public-code-match");
    expect(normalizeEvent(raw("ghostText.stillInCode", {}, { persistenceCheckSec: 120, persistenceRatio: 0.75 }), CONTEXT)).toMatchObject({
      kind: "completion_persisted",
      persistenceCheckSec: 120,
      persistenceRatio: 0.75,
    });
    const rejected = normalizeEvent(raw("ghostText.rejected", { accepted: "false" }), CONTEXT);
    expect(rejected.accepted).toBe(false);
    // A latency too large for its integer column is kept as a measurement instead.
    expect(normalizeEvent(raw("ghostText.shown", {}, { latencyMs: 1e12 }), CONTEXT)).toMatchObject({ latencyMs: null, measurements: { latencyMs: 1e12 } });
    // Errors: kind from the mapping, error kind from the property, context from the measurement-class extras.
    expect(normalizeEvent(raw("GitHub.copilot/networking.error", { errorKind: "network.timeout", endpoint: "completions" }, { timeoutMs: 10_000 }), CONTEXT)).toMatchObject({
      kind: "error",
      errorKind: "network.timeout",
      errorContext: { endpoint: "completions", timeoutMs: 10_000 },
      measurements: null,
    });
  });

  it("makes exceptions errors and seals their message and stack", () => {
    const exception = readEnvelope(
      {
        ...ISSUE_ENVELOPE,
        data: { baseType: "ExceptionData", baseData: { exceptions: [{ typeName: "RangeError", message: "bad offset in /home/u/x.ts", stack: "RangeError: …" }], properties: {} } },
      },
      NOW,
    );
    if (!exception.ok) throw new Error(exception.message);
    const event = normalizeEvent(exception.event, CONTEXT);
    expect(event).toMatchObject({ kind: "error", eventName: "exception", errorKind: "RangeError", machineId: MACHINE });
    expect(event.content?.unclassified).toEqual({ "exception.message": "bad offset in /home/u/x.ts", "exception.stack": "RangeError: …" });
  });

  it("unwraps the exception @vscode/extension-telemetry double-encodes through the web SDK", () => {
    // What sendDangerousTelemetryException produces on the wire (observed with 1.5.2 and web-basic 3.4).
    const inner = { exceptions: [{ typeName: "TypeError", message: "boom in /home/dev/main.py", hasFullStack: true, stack: "TypeError: boom", parsedStack: [] }], properties: {} };
    const wire = readEnvelope(
      {
        ...ISSUE_ENVELOPE,
        data: { baseType: "ExceptionData", baseData: { ver: 2, exceptions: [{ typeName: "Object", message: JSON.stringify(inner), hasFullStack: false, stack: "" }], properties: { typeName: "Object" }, measurements: {} } },
      },
      NOW,
    );
    if (!wire.ok) throw new Error(wire.message);
    const event = normalizeEvent(wire.event, CONTEXT);
    expect(event).toMatchObject({ kind: "error", errorKind: "TypeError" });
    expect(event.content).toEqual({ unclassified: { "exception.message": "boom in /home/dev/main.py", "exception.stack": "TypeError: boom" } });
  });

  it("uses the Application Insights tags when common.* ids are missing, and refuses absurd metadata", () => {
    const event = normalizeEvent({ ...raw("ghostText.shown"), userId: MACHINE, sessionId: "5e55-10" }, CONTEXT);
    expect(event).toMatchObject({ machineId: MACHINE, sessionId: "5e55-10", vscodeVersion: "unknown", os: "unknown", uiKind: "desktop", content: null });
    // A tag that is no hexadecimal id is sealed under the tag's name.
    expect(normalizeEvent({ ...raw("ghostText.shown"), userId: "tag-user" }, CONTEXT)).toMatchObject({ machineId: "unclassified", content: { unclassified: { "ai.user.id": "tag-user" } } });
    expect(normalizeEvent(raw("x", { "common.uikind": "web" }), CONTEXT).uiKind).toBe("web");
    expect(() => normalizeEvent(raw("x", { "common.vscodesessionid": "s".repeat(257) }), CONTEXT)).toThrow(NormalizationError);
    expect(() => normalizeEvent(raw("   "), CONTEXT)).toThrow(NormalizationError);
    expect(normalizeEvent(raw("nul\u0000name", { "k\u0000": "v\u0000" }), CONTEXT)).toMatchObject({
      eventName: "unclassified",
      content: { unclassified: { "k\uFFFD": "v\uFFFD", "event.name": "nul\uFFFDname" } },
    });
  });

  // The fuzz stage found a tag `ai.user.id: "\udbff"` failing the whole batch (503, retried forever): the rows reach PostgreSQL as JSON.
  it("replaces unpaired UTF-16 surrogates, like NUL, in every text it stores", () => {
    const event = normalizeEvent(
      { ...raw("a\ud800name", { "\udfffkey": "value\udbff", languageId: "py\ud83d", "common.os": "linux\udc00" }, { "m\ud800": 1 }), userId: "\udbff\u0000", sessionId: "s\ude00" },
      CONTEXT,
    );
    // Unknown producer text shows as "unclassified"; what is sealed for a reveal carries U+FFFD in place of each lone surrogate.
    expect(event).toMatchObject({ eventName: "unclassified", machineId: "unclassified", sessionId: "unclassified", os: "unclassified", languageId: "unclassified" });
    expect(event.content?.unclassified).toMatchObject({ "event.name": "a\uFFFDname", "ai.user.id": "\uFFFD\uFFFD", "ai.session.id": "s\uFFFD", "common.os": "linux\uFFFD" });
    const stored = JSON.stringify(event);
    expect(stored).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i);
    // a well-formed pair stays
    expect(normalizeEvent(raw("emoji \ud83d\ude00"), CONTEXT).content?.unclassified).toMatchObject({ "event.name": "emoji \u{1f600}" });
  });

  it("reads the portal's own format into the same rows", () => {
    const native = readNativeEvent(
      {
        name: "GitHub.copilot/ghostText.shown",
        time: "2026-11-24T11:58:01.123Z",
        machineId: MACHINE,
        sessionId: "c0ffee00-1111-4222-8333-444455556666-1732449481000",
        vscodeVersion: "1.99.3",
        extensionName: "GitHub.copilot",
        extensionVersion: "1.250.0",
        os: "linux",
        osVersion: "6.18.44",
        uiKind: "desktop",
        properties: { languageId: "python", "common.remotename": "none" },
        measurements: { compCharLen: 42, meanProb: 0.83 },
      },
      NOW,
    );
    if (!native.ok) throw new Error(native.message);
    const fromEnvelope = readEnvelope(ISSUE_ENVELOPE, NOW);
    if (!fromEnvelope.ok) throw new Error(fromEnvelope.message);
    const a = normalizeEvent(native.event, CONTEXT);
    const b = normalizeEvent(fromEnvelope.event, CONTEXT);
    expect({ ...a, extensionSettings: null }).toEqual({ ...b, extensionSettings: null });
    expect(a.content).toBeNull();
    expect(readNativeEvent({ name: "x", time: "2026-11-24T11:00:00Z", machineId: "m", sessionId: "s", colour: "red" }, NOW)).toMatchObject({ ok: false, message: expect.stringMatching(/colour/) });
    expect(readNativeEvent({ name: "x", time: "2026-11-27T11:00:00Z", machineId: "m", sessionId: "s" }, NOW)).toMatchObject({ ok: false, message: /future/ });
  });
});

describe("the migrations' defaults", () => {
  it("maps every event name the seed emits to the seed's kind", () => {
    expect(Object.fromEntries(DEFAULT_KINDS)).toEqual(SEED_EVENT_NAMES);
  });

  it("classifies every name the normalizer knows, in the class of the column it fills", () => {
    const classOf = new Map(DEFAULT_CLASSES);
    const columnClass = (field: string) =>
      (Object.entries(FIELDS_BY_CLASS) as Array<[FieldClass, readonly string[]]>).find(([, fields]) => fields.includes(field))?.[0];
    for (const [name, column] of [...Object.entries(COMMON_PROPERTY_COLUMNS), ...Object.entries(KNOWN_COLUMN_FIELDS)]) {
      expect(classOf.get(name), name).toBe(columnClass(column));
    }
    for (const name of Object.keys(KNOWN_CONTENT_FIELDS)) expect(classOf.get(name), name).toBe("content");
    expect(new Set(DEFAULT_CLASSES.map(([name]) => name)).size).toBe(DEFAULT_CLASSES.length);
  });

  it("lists known values for every field with a vocabulary, and only for fields and classified names", () => {
    const fields = new Set(DEFAULT_KNOWN_VALUES.map(([field]) => field));
    for (const vocabulary of FIELD_VOCABULARIES) expect(fields.has(vocabulary), vocabulary).toBe(true);
    const classOf = new Map(DEFAULT_CLASSES);
    for (const field of fields) {
      if (FIELD_VOCABULARIES.includes(field)) continue;
      expect(["environment", "measurements"], field).toContain(classOf.get(field));
    }
    expect(new Set(DEFAULT_KNOWN_VALUES.map(([field, value]) => `${field}\u0000${value}`)).size).toBe(DEFAULT_KNOWN_VALUES.length);
  });
});
