// Deterministic event ids: a retried envelope gets the id it got the first time.
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalJsonWithStack, deterministicEventId } from "./event-id";

const KEY_ID = "6f1d2c3b-4a59-4e8f-9d0c-1b2a3c4d5e6f";
const ENVELOPE = { time: "2026-11-24T11:58:01.123Z", iKey: "k", data: { baseType: "EventData", baseData: { name: "ghostText.shown", measurements: { meanProb: 0.83, compCharLen: 42 } } } };

describe("deterministicEventId", () => {
  it("gives the same envelope the same UUID (version 8), whatever the key order", () => {
    const id = deterministicEventId(KEY_ID, ENVELOPE);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicEventId(KEY_ID, JSON.parse(JSON.stringify(ENVELOPE)))).toBe(id);
    const reordered = { data: { baseData: { measurements: { compCharLen: 42, meanProb: 0.83 }, name: "ghostText.shown" }, baseType: "EventData" }, iKey: "k", time: ENVELOPE.time };
    expect(deterministicEventId(KEY_ID, reordered)).toBe(id);
  });

  it("differs when anything in the envelope, or the key, differs", () => {
    const id = deterministicEventId(KEY_ID, ENVELOPE);
    expect(deterministicEventId(KEY_ID, { ...ENVELOPE, time: "2026-11-24T11:58:01.124Z" })).not.toBe(id);
    expect(deterministicEventId(KEY_ID, { ...ENVELOPE, data: { ...ENVELOPE.data, baseType: "ExceptionData" } })).not.toBe(id);
    expect(deterministicEventId("7f1d2c3b-4a59-4e8f-9d0c-1b2a3c4d5e6f", ENVELOPE)).not.toBe(id);
  });

  it("canonicalizes JSON: sorted keys at every depth, no whitespace, undefined dropped", () => {
    expect(canonicalJson({ b: [3, { d: 1, c: null }], a: "x", u: undefined })).toBe('{"a":"x","b":[3,{"c":null,"d":1}]}');
  });

  it("canonicalizes a value nested 100,000 levels deep without exhausting the stack", () => {
    let value: unknown = { z: 1, a: [null] };
    for (let level = 0; level < 100_000; level++) value = level % 2 === 0 ? [value] : { b: value, a: level };
    const text = canonicalJson(value);
    expect(text.length).toBeGreaterThan(600_000);
    expect(text.startsWith('{"a":99999,"b":[{"a":99997,"b":[')).toBe(true);
    expect(text.includes('{"a":[null],"z":1}')).toBe(true);
    expect(deterministicEventId(KEY_ID, value)).toMatch(/^[0-9a-f]{8}-/);
  });
});

describe("canonicalJson's fast path", () => {
  it("writes what the explicit-stack version writes, for envelopes and odd values alike", () => {
    const samples: unknown[] = [
      ENVELOPE,
      { b: [3, { d: 1, c: null }], a: "x", u: undefined, "é": "\u2028", "\"q\"": [undefined, true, -0, 1e21, "\ud800"] },
      // index-like keys (listed first by the engine whatever their order), "__proto__" as an own key, astral and mixed-case keys
      { b: 1, "10": "ten", "9": "nine", a: { "01": 1, "1": 2, "-1": 3, "1.5": 4 } },
      JSON.parse('{"z":1,"__proto__":{"y":2},"a":[{"__proto__":null}]}'),
      { "\ud83d\ude00": 1, "\uffff": 2, B: 3, a: 4, "": 5 },
      [],
      {},
      "text",
      42,
      null,
    ];
    let deep: unknown = { k: [1] };
    for (let level = 0; level < 200; level++) deep = { a: deep, z: [level] };
    samples.push(deep);
    for (const sample of samples) expect(canonicalJson(sample)).toBe(canonicalJsonWithStack(sample));
  });
});
