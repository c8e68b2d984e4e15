// The producer-text rule (producer-text.ts) through normalization, as a
// producer's events arrive on either endpoint: text that is neither a known
// value of its field nor in its strict format never reaches a field outside
// `content`; it is sealed under the producer's name for it, and shows once an
// admin classifies it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UNCLASSIFIED_TEXT } from "@/lib/telemetry/fields";
import { readEnvelope } from "./app-insights";
import { buildMapping } from "./mapping";
import { readNativeEvent } from "./native-batch";
import { type NormalizeContext, type NormalizedEvent, type RawEvent, normalizeEvent } from "./normalize";
import { FIELD_RULES, classifyProducerText, findUnclassifiedText } from "./producer-text";
import { DEFAULT_CLASSES, DEFAULT_KINDS, DEFAULT_KNOWN_VALUES, DEFAULT_MAPPING } from "./test-mapping";

const NOW = new Date("2026-11-24T12:00:00.000Z");
const KEY = "0f7b5c1e-3d2a-4b6c-8e9f-1a2b3c4d5e6f";
const MACHINE = "ab".repeat(32);
const CONTEXT: NormalizeContext = { id: "00000000-0000-8000-8000-000000000001", sourceId: null, mapping: DEFAULT_MAPPING, location: null };
/** Not hexadecimal, not a version, not a literal, in no vocabulary. */
const CANARY = "zq-canary-7f3a";

const COMMON = {
  "common.vscodemachineid": MACHINE,
  "common.vscodesessionid": "c0ffee00-1111-4222-8333-4444555566661732449481000",
  "common.vscodeversion": "1.99.3",
  "common.extname": "GitHub.copilot",
  "common.extversion": "1.250.0",
  "common.os": "linux",
  "common.platformversion": "6.18.44",
  "common.uikind": "desktop",
};

function raw(name: string, properties: RawEvent["properties"] = {}, measurements: RawEvent["measurements"] = {}, exception?: RawEvent["exception"]): RawEvent {
  return { name, time: NOW, properties: { ...COMMON, ...properties }, measurements, ...(exception ? { exception } : {}) };
}

/** Everything a person without `content` could be shown: the event minus its content document. */
const visible = ({ content: _content, ...shown }: NormalizedEvent) => JSON.stringify(shown);
const sealed = (event: NormalizedEvent) => event.content?.unclassified ?? {};

function envelope(name: string, properties: Record<string, string>, measurements: Record<string, number> = {}) {
  return {
    time: "2026-11-24T11:58:01.123Z",
    iKey: KEY,
    name: "Microsoft.ApplicationInsights.Event",
    tags: { "ai.user.id": MACHINE },
    data: { baseType: "EventData", baseData: { ver: 2, name, properties: { ...COMMON, ...properties }, measurements } },
  };
}

function fromEnvelope(item: unknown): NormalizedEvent {
  const read = readEnvelope(item, NOW);
  if (!read.ok) throw new Error(read.message);
  return normalizeEvent(read.event, CONTEXT);
}

function fromNative(item: Record<string, unknown>): NormalizedEvent {
  const read = readNativeEvent({ time: "2026-11-24T11:58:01.123Z", machineId: MACHINE, sessionId: "5e55", ...item }, NOW);
  if (!read.ok) throw new Error(read.message);
  return normalizeEvent(read.event, CONTEXT);
}

describe("producer text in a field outside content", () => {
  it("withholds an unknown event name on both endpoints, whatever the kind", () => {
    const viaTrack = fromEnvelope(envelope(`GitHub.copilot/${CANARY}.opened`, {}));
    expect(viaTrack).toMatchObject({ kind: "other", eventName: UNCLASSIFIED_TEXT, extensionName: "GitHub.copilot" });
    expect(sealed(viaTrack)).toEqual({ "event.name": `GitHub.copilot/${CANARY}.opened` });

    // An exception in the portal's format is an error (a kind platform health sees) under the name it was sent with.
    const viaBatch = fromNative({ name: CANARY, exception: { typeName: "TypeError", message: "boom" } });
    expect(viaBatch).toMatchObject({ kind: "error", eventName: UNCLASSIFIED_TEXT, errorKind: "TypeError" });
    expect(sealed(viaBatch)).toEqual({ "event.name": CANARY, "exception.message": "boom" });
    expect(visible(viaTrack) + visible(viaBatch)).not.toContain(CANARY);
  });

  it("withholds an exception type or error kind that is not a known one", () => {
    const exception = fromEnvelope({
      ...envelope("ignored", {}),
      data: { baseType: "ExceptionData", baseData: { exceptions: [{ typeName: `${CANARY}Error`, message: "m" }], properties: { "common.vscodemachineid": MACHINE } } },
    });
    expect(exception).toMatchObject({ kind: "error", eventName: "exception", errorKind: UNCLASSIFIED_TEXT });
    expect(sealed(exception)).toMatchObject({ "exception.typeName": `${CANARY}Error` });

    const property = fromEnvelope(envelope("networking.error", { errorKind: CANARY }));
    expect(property).toMatchObject({ kind: "error", errorKind: UNCLASSIFIED_TEXT });
    expect(sealed(property)).toEqual({ errorKind: CANARY });

    const native = fromNative({ name: "completion.error", exception: { typeName: `${CANARY}Error` } });
    expect(native.errorKind).toBe(UNCLASSIFIED_TEXT);
    expect(sealed(native)).toEqual({ "exception.typeName": `${CANARY}Error` });
    expect([exception, property, native].map(visible).join()).not.toContain(CANARY);

    // However long: sealed, not cut or replaced by a default.
    const long = normalizeEvent(raw("completion.error", {}, {}, { typeName: `${CANARY}${"Q".repeat(300)}` }), CONTEXT);
    expect(long.errorKind).toBe(UNCLASSIFIED_TEXT);
    expect(sealed(long)).toEqual({ "exception.typeName": `${CANARY}${"Q".repeat(300)}` });
    // Known kinds show, as the vocabulary spells them.
    expect(fromNative({ name: "completion.error", exception: { typeName: "typeerror" } })).toMatchObject({ errorKind: "TypeError", content: null });
  });

  it("withholds measurement-named strings that do not fit their column, and text values of classified measurements", () => {
    const event = fromEnvelope(
      envelope("ghostText.shown", { latencyMs: CANARY, meanProb: `${CANARY}-p`, accepted: `${CANARY}-a`, compCharLen: "42", promptCharLen: "12.5" }),
    );
    expect(event).toMatchObject({ latencyMs: null, modelCertainty: null, accepted: null, suggestionCharLength: 42, measurements: { promptCharLen: "12.5" } });
    expect(sealed(event)).toEqual({ latencyMs: CANARY, meanProb: `${CANARY}-p`, accepted: `${CANARY}-a` });

    const error = fromNative({
      name: "networking.error",
      properties: { endpoint: CANARY, model: `${CANARY}-m`, code: "ECONNRESET", keyExpiry: "2026-11-01T00:00:00Z", timeoutMs: "10000", refreshAttempted: "true" },
      measurements: { attempt: 2 },
    });
    expect(error.errorContext).toEqual({ code: "ECONNRESET", keyExpiry: "2026-11-01T00:00:00Z", timeoutMs: "10000", refreshAttempted: "true", attempt: 2 });
    expect(sealed(error)).toEqual({ endpoint: CANARY, model: `${CANARY}-m` });
    expect(visible(event) + visible(error)).not.toContain(CANARY);
  });

  it("withholds metadata that is not a hexadecimal id, a version or a known name", () => {
    const event = fromEnvelope(
      envelope("ghostText.shown", {
        "common.vscodemachineid": "alice@example.com",
        "common.vscodesessionid": `${CANARY}-session`,
        "common.vscodeversion": `1.99.3-${CANARY}`,
        "common.extname": `${CANARY}.ext`,
        "common.extversion": "one point two",
        "common.os": CANARY,
        "common.platformversion": "6.8.0-85-generic",
        completionId: `${CANARY}-c`,
      }),
    );
    expect(event).toMatchObject({
      machineId: UNCLASSIFIED_TEXT,
      sessionId: UNCLASSIFIED_TEXT,
      completionId: UNCLASSIFIED_TEXT,
      vscodeVersion: UNCLASSIFIED_TEXT,
      extensionName: UNCLASSIFIED_TEXT,
      extensionVersion: UNCLASSIFIED_TEXT,
      os: UNCLASSIFIED_TEXT,
      osVersion: UNCLASSIFIED_TEXT,
    });
    expect(sealed(event)).toEqual({
      "common.vscodemachineid": "alice@example.com",
      "common.vscodesessionid": `${CANARY}-session`,
      "common.vscodeversion": `1.99.3-${CANARY}`,
      "common.extname": `${CANARY}.ext`,
      "common.extversion": "one point two",
      "common.os": CANARY,
      "common.platformversion": "6.8.0-85-generic",
      completionId: `${CANARY}-c`,
    });
    expect(visible(event)).not.toContain(CANARY);
    expect(visible(event)).not.toContain("alice");

    // An extension named only by the event name's prefix: the whole name as sent is sealed.
    const prefixed = fromEnvelope(envelope(`${CANARY}.ext/ghostText.shown`, { "common.extname": "" }));
    expect(prefixed).toMatchObject({ kind: "completion_shown", eventName: "ghostText.shown", extensionName: UNCLASSIFIED_TEXT });
    expect(sealed(prefixed)).toEqual({ "event.name": `${CANARY}.ext/ghostText.shown` });

    // What VS Code and the extension really send passes as sent.
    const real = fromNative({
      name: "ghostText.shown",
      machineId: MACHINE,
      sessionId: "c0ffee00-1111-4222-8333-4444555566661732449481000",
      vscodeVersion: "1.100.0-insider",
      extensionName: "github.copilot",
      extensionVersion: "1.388.0",
      os: "Win32",
      osVersion: "10.0.26100",
      properties: { completionId: "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" },
    });
    expect(real).toMatchObject({ vscodeVersion: "1.100.0-insider", extensionName: "GitHub.copilot", os: "win32", osVersion: "10.0.26100", content: null });
  });

  it("withholds language ids, redaction filters and post-processing steps outside their vocabularies", () => {
    const shown = fromEnvelope(envelope("ghostText.shown", { languageId: CANARY, postProcessing: `trim,${CANARY}` }));
    expect(shown).toMatchObject({ languageId: UNCLASSIFIED_TEXT, postProcessing: ["trim", UNCLASSIFIED_TEXT] });
    expect(sealed(shown)).toEqual({ languageId: CANARY, postProcessing: `trim,${CANARY}` });
    const redacted = fromNative({ name: "ghostText.redacted", properties: { filter: CANARY, languageId: "Python" } });
    expect(redacted).toMatchObject({ redactionFilter: UNCLASSIFIED_TEXT, languageId: "python" });
    expect(sealed(redacted)).toEqual({ filter: CANARY });
    expect(visible(shown) + visible(redacted)).not.toContain(CANARY);
  });

  it("keeps settings only with known or literal values, under the classified spelling", () => {
    const event = fromEnvelope(
      envelope("ghostText.shown", {
        "common.remotename": CANARY,
        "common.uikind": `${CANARY}-ui`,
        "common.product": "desktop",
        "common.isnewappinstall": "false",
        "common.vscodecommithash": "8b640f0fd1a9d9f8f3b4a6d8b1ad8e1e0e6f1a2b",
        "common.nodearch": "arm64",
        "editor.inlineSuggest.enabled": "true",
      }),
    );
    expect(event.uiKind).toBe("desktop");
    expect(event.extensionSettings).toEqual({
      "common.product": "desktop",
      "common.isnewappinstall": "false",
      "common.vscodecommithash": "8b640f0fd1a9d9f8f3b4a6d8b1ad8e1e0e6f1a2b",
      "common.nodeArch": "arm64",
      "editor.inlineSuggest.enabled": "true",
    });
    expect(sealed(event)).toEqual({ "common.remotename": CANARY, "common.uikind": `${CANARY}-ui` });
    expect(visible(event)).not.toContain(CANARY);
  });

  it("shows a value once an admin classifies it (a row in event_name_mapping or known_value)", () => {
    const sent = envelope(`GitHub.copilot/panel.opened`, { errorKind: "quota.exceeded", "common.remotename": "k8s" });
    const before = fromEnvelope(sent);
    expect(before).toMatchObject({ kind: "other", eventName: UNCLASSIFIED_TEXT, errorKind: UNCLASSIFIED_TEXT, extensionSettings: null });
    const mapping = buildMapping(
      [...DEFAULT_KINDS, ["panel.opened", "other"]],
      DEFAULT_CLASSES,
      [...DEFAULT_KNOWN_VALUES, ["errorKind", "quota.exceeded"], ["common.remotename", "k8s"]],
    );
    const read = readEnvelope(sent, NOW);
    if (!read.ok) throw new Error(read.message);
    expect(normalizeEvent(read.event, { ...CONTEXT, mapping })).toMatchObject({
      kind: "other",
      eventName: "panel.opened",
      errorKind: "quota.exceeded",
      extensionSettings: { "common.remotename": "k8s" },
      content: null,
    });
  });

  it("never shows arbitrary text put anywhere a producer can put it (property-based)", () => {
    const slots = [
      "name",
      "exception",
      "userId",
      ...Object.keys(COMMON),
      ...["common.remotename", "common.product", "common.nodeArch", "common.uikind", "common.vscodecommithash", "common.telemetryclientversion"],
      ...["completionId", "languageId", "errorKind", "errorCode", "redactionFilter", "filter", "postProcessing", "latencyMs", "meanProb", "accepted"],
      ...["endpoint", "model", "code", "keyExpiry", "timeoutMs", "editor.inlineSuggest.enabled", "prefix", "relativePath", "someNewProperty"],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...slots), fc.string({ maxLength: 40 }), fc.constantFrom("ghostText.shown", "networking.error", "other.event"), (slot, tail, name) => {
        const text = `zq${tail}`;
        const event =
          slot === "name"
            ? raw(text)
            : slot === "exception"
              ? raw(name, {}, {}, { typeName: text })
              : slot === "userId"
                ? { ...raw(name, { "common.vscodemachineid": "" }), userId: text }
                : raw(name, { [slot]: text });
        expect(visible(normalizeEvent(event, CONTEXT))).not.toContain("zq");
      }),
      { numRuns: 600 },
    );
  });
});

describe("the classify-producer-text step", () => {
  it("has a rule for every field and refuses a field it has none for", () => {
    const event = normalizeEvent(raw("ghostText.shown"), CONTEXT);
    expect(Object.keys(FIELD_RULES).sort()).toEqual(Object.keys(event).sort());
    const widened = { ...event, tenantName: "ACME" } as NormalizedEvent;
    expect(() => classifyProducerText(widened, {}, DEFAULT_MAPPING)).toThrow(/No producer-text rule for the event field "tenantName"/);
  });

  it("keeps an existing sealed value and names a second one apart", () => {
    const event = normalizeEvent(raw(CANARY, { "event.name": "sent as a property" }), CONTEXT);
    expect(sealed(event)).toEqual({ "event.name": "sent as a property", "event.name (2)": CANARY });
  });

  it("tells which fields of a row would be withheld", () => {
    const event = normalizeEvent(raw("ghostText.shown", { languageId: "python" }), CONTEXT);
    expect(findUnclassifiedText(event, DEFAULT_MAPPING)).toEqual([]);
    expect(findUnclassifiedText({ os: "Linux", errorKind: CANARY, extensionSettings: { "github.copilot.enable": '{"*":true}' } }, DEFAULT_MAPPING)).toEqual([
      "errorKind",
      "extensionSettings.github.copilot.enable",
      "os",
      "extensionSettings",
    ]);
  });
});
