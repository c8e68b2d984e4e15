import { describe, expect, it } from "vitest";
import type { EventKind } from "@/lib/telemetry/vocabulary";
import {
  ERROR_KINDS,
  PERSISTENCE_CHECKS_SEC,
  REDACTION_FILTERS,
  SEED_EVENT_NAMES,
  type SeedEvent,
  generateEvents,
} from "./generate-events";
import { findUnclassifiedText } from "@/server/ingest/producer-text";
import { DEFAULT_MAPPING } from "@/server/ingest/test-mapping";
import { Random } from "./random";

const NOW = new Date("2025-11-20T12:00:00.000Z");
const DAY_MS = 86_400_000;
const SAMPLE = [...generateEvents({ count: 10_000, seed: 20251120, now: NOW })];

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The optional (kind-specific) fields, and which of them each kind must carry. */
const OPTIONAL_FIELDS = [
  "completionId",
  "languageId",
  "errorKind",
  "errorContext",
  "latencyMs",
  "modelCertainty",
  "suggestionCount",
  "suggestionCharLength",
  "postProcessing",
  "redactionFilter",
  "accepted",
  "persistenceCheckSec",
  "persistenceRatio",
  "measurements",
  "content",
] as const satisfies ReadonlyArray<keyof SeedEvent>;

const FIELDS_BY_KIND: Record<Exclude<EventKind, "other">, ReadonlyArray<(typeof OPTIONAL_FIELDS)[number]>> = {
  error: ["errorKind", "errorContext"],
  completion_requested: ["completionId", "languageId", "measurements", "content"],
  completion_shown: ["completionId", "languageId", "latencyMs", "modelCertainty", "suggestionCount", "suggestionCharLength", "postProcessing", "content"],
  completion_redacted: ["completionId", "languageId", "redactionFilter", "content"],
  completion_accepted: ["completionId", "languageId", "accepted", "content"],
  completion_rejected: ["completionId", "languageId", "accepted", "content"],
  completion_persisted: ["completionId", "languageId", "persistenceCheckSec", "persistenceRatio", "content"],
};

function presentOptionalFields(event: SeedEvent): string[] {
  return OPTIONAL_FIELDS.filter((field) => {
    const value = event[field];
    return Array.isArray(value) ? value.length > 0 : value !== null;
  });
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe("Random", () => {
  it("is deterministic per seed and draws valid v4 UUIDs", () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const fromA = Array.from({ length: 100 }, () => a.u32());
    expect(Array.from({ length: 100 }, () => b.u32())).toEqual(fromA);
    expect(Array.from({ length: 100 }, () => c.u32())).not.toEqual(fromA);
    for (let i = 0; i < 1_000; i++) expect(a.uuid()).toMatch(UUID_V4);
  });

  it("is roughly uniform", () => {
    const random = new Random(123);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[random.int(10)]!++;
    for (const bucket of buckets) expect(bucket).toBeGreaterThan(9_500);
  });
});

describe("generateEvents", () => {
  it("produces exactly the requested number of events", () => {
    expect(SAMPLE).toHaveLength(10_000);
    expect([...generateEvents({ count: 1, seed: 1, now: NOW })]).toHaveLength(1);
    expect([...generateEvents({ count: 0, seed: 1, now: NOW })]).toHaveLength(0);
  });

  it("is deterministic for the same seed and now, and differs for another seed", () => {
    const again = [...generateEvents({ count: 10_000, seed: 20251120, now: NOW })];
    expect(again).toEqual(SAMPLE);
    const other = [...generateEvents({ count: 100, seed: 20251121, now: NOW })];
    expect(other.map((event) => event.id)).not.toEqual(SAMPLE.slice(0, 100).map((event) => event.id));
  });

  it("gives every event a unique v4 UUID", () => {
    const ids = new Set(SAMPLE.map((event) => event.id));
    expect(ids.size).toBe(SAMPLE.length);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it("produces every kind in believable proportions", () => {
    const counts = countBy(SAMPLE, (event) => event.kind);
    const share = (kind: EventKind) => (counts.get(kind) ?? 0) / SAMPLE.length;
    expect(counts.has("other")).toBe(false);
    expect(share("completion_requested")).toBeGreaterThan(0.2);
    expect(share("completion_requested")).toBeLessThan(0.35);
    expect(share("completion_shown")).toBeGreaterThan(0.15);
    expect(share("completion_shown")).toBeLessThan(share("completion_requested"));
    expect(share("completion_persisted")).toBeGreaterThan(0.1);
    expect(share("completion_persisted")).toBeLessThan(0.4);
    expect(share("completion_redacted")).toBeGreaterThan(0.002);
    expect(share("completion_redacted")).toBeLessThan(0.03);
    expect(share("error")).toBeGreaterThan(0.003);
    expect(share("error")).toBeLessThan(0.05);
    const acceptance = share("completion_accepted") / (share("completion_accepted") + share("completion_rejected"));
    expect(acceptance).toBeGreaterThan(0.2);
    expect(acceptance).toBeLessThan(0.4);
    // Every error kind and redaction filter shows up in a sample this size.
    expect(new Set(SAMPLE.map((event) => event.errorKind).filter(Boolean))).toEqual(new Set(ERROR_KINDS));
    expect(new Set(SAMPLE.map((event) => event.redactionFilter).filter(Boolean))).toEqual(new Set(REDACTION_FILTERS));
  });

  it("maps every raw event name to the event's kind", () => {
    for (const event of SAMPLE) {
      expect(SEED_EVENT_NAMES[event.eventName as keyof typeof SEED_EVENT_NAMES]).toBe(event.kind);
    }
  });

  it("gives each kind exactly its fields", () => {
    for (const event of SAMPLE) {
      const expected = FIELDS_BY_KIND[event.kind as Exclude<EventKind, "other">];
      expect(presentOptionalFields(event), `${event.kind} ${event.id}`).toEqual([...expected]);
    }
  });

  it("keeps kind-specific values in range", () => {
    for (const event of SAMPLE) {
      switch (event.kind) {
        case "error":
          expect(ERROR_KINDS).toContain(event.errorKind);
          if (event.errorKind === "auth.token_expired") {
            const expiry = Date.parse(String(event.errorContext?.keyExpiry));
            expect(expiry).toBeLessThan(event.time.getTime());
          }
          break;
        case "completion_requested":
          expect(event.content?.prefix?.length).toBeGreaterThan(0);
          expect(event.content?.editorState?.line).toBeGreaterThanOrEqual(0);
          expect(event.measurements?.promptCharLen).toBe(event.content?.prefix?.length);
          break;
        case "completion_shown":
          expect(event.latencyMs).toBeGreaterThanOrEqual(80);
          expect(event.latencyMs).toBeLessThanOrEqual(900);
          expect(event.modelCertainty).toBeGreaterThanOrEqual(0);
          expect(event.modelCertainty).toBeLessThanOrEqual(1);
          expect(event.content?.suggestions).toHaveLength(event.suggestionCount!);
          expect(event.suggestionCharLength).toBe(event.content?.suggestions?.[0]?.length);
          expect(event.postProcessing).toContain("trim");
          break;
        case "completion_redacted":
          expect(REDACTION_FILTERS).toContain(event.redactionFilter);
          break;
        case "completion_accepted":
          expect(event.accepted).toBe(true);
          break;
        case "completion_rejected":
          expect(event.accepted).toBe(false);
          break;
        case "completion_persisted":
          expect(PERSISTENCE_CHECKS_SEC).toContain(event.persistenceCheckSec);
          expect(event.persistenceRatio).toBeGreaterThanOrEqual(0);
          expect(event.persistenceRatio).toBeLessThanOrEqual(1);
          expect(typeof event.content?.persistedText).toBe("string");
          break;
        default:
          throw new Error(`unexpected kind ${event.kind}`);
      }
    }
  });

  it("decays persistence with the check interval", () => {
    const persisted = SAMPLE.filter((event) => event.kind === "completion_persisted");
    const mean = (sec: number) => {
      const ratios = persisted.filter((event) => event.persistenceCheckSec === sec).map((event) => event.persistenceRatio!);
      return ratios.reduce((sum, ratio) => sum + ratio, 0) / ratios.length;
    };
    expect(mean(15)).toBeGreaterThan(mean(120));
    expect(mean(120)).toBeGreaterThan(mean(600));
  });

  it("has accepted, rejected and persisted events follow a shown completion of the same session", () => {
    const requested = new Map<string, SeedEvent>();
    const shown = new Map<string, SeedEvent>();
    const acceptedIds = new Set<string>();
    for (const event of SAMPLE) {
      const id = event.completionId;
      if (event.kind === "error") continue;
      expect(id, event.kind).toMatch(UUID_V4);
      if (event.kind === "completion_requested") {
        expect(requested.has(id!)).toBe(false);
        requested.set(id!, event);
        continue;
      }
      const request = requested.get(id!);
      expect(request, `${event.kind} without a request`).toBeDefined();
      expect(request!.time.getTime()).toBeLessThanOrEqual(event.time.getTime());
      expect(event.sessionId).toBe(request!.sessionId);
      expect(event.machineId).toBe(request!.machineId);
      if (event.kind === "completion_shown") {
        shown.set(id!, event);
      } else if (event.kind !== "completion_redacted") {
        const display = shown.get(id!);
        expect(display, `${event.kind} without a shown event`).toBeDefined();
        expect(display!.time.getTime()).toBeLessThan(event.time.getTime());
        if (event.kind === "completion_accepted") acceptedIds.add(id!);
        if (event.kind === "completion_persisted") expect(acceptedIds.has(id!)).toBe(true);
      } else {
        expect(shown.has(id!)).toBe(false);
      }
    }
  });

  it("keeps every event in the 30-day window ending at now", () => {
    const start = NOW.getTime() - 30 * DAY_MS;
    for (const event of SAMPLE) {
      expect(event.time.getTime()).toBeGreaterThanOrEqual(start);
      expect(event.time.getTime()).toBeLessThanOrEqual(NOW.getTime());
      expect(event.receivedAt.getTime()).toBeGreaterThanOrEqual(event.time.getTime());
      expect(event.receivedAt.getTime()).toBeLessThanOrEqual(NOW.getTime());
    }
    // Spread over the window, not bunched at one end.
    const days = new Set(SAMPLE.map((event) => Math.floor((NOW.getTime() - event.time.getTime()) / DAY_MS)));
    expect(days.size).toBeGreaterThanOrEqual(28);
  });

  it("describes a believable population", () => {
    const machines = new Set(SAMPLE.map((event) => event.machineId));
    expect(machines.size).toBeGreaterThan(15);
    const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
    for (const event of SAMPLE) {
      expect(event.machineId).toMatch(/^[0-9a-f]{64}$/);
      expect(event.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\d{13}$/);
      expect(event.vscodeVersion).toMatch(/^1\.(9[5-9]|10[0-6])\.\d+$/);
      expect(event.extensionVersion).toMatch(/^1\.\d{3}\.\d+$/);
      expect(["linux", "darwin", "win32"]).toContain(event.os);
      expect(["desktop", "web"]).toContain(event.uiKind);
      expect(event.extensionSettings?.["editor.inlineSuggest.enabled"]).toBe(true);
      expect(event.country).toMatch(/^[A-Z]{2}$/);
      expect(event.region).toBeTruthy();
      expect(event.city).toBeTruthy();
    }
    // A real ISO 3166-1 alpha-2 code: Intl knows its name (each country once: the look-up is slow).
    for (const country of new Set(SAMPLE.map((event) => event.country!))) expect(regionNames.of(country)).not.toBe(country);
    const uiKinds = countBy(SAMPLE, (event) => event.uiKind);
    expect(uiKinds.get("desktop")!).toBeGreaterThan(uiKinds.get("web") ?? 0);
    expect(countBy(SAMPLE, (event) => event.os).size).toBe(3);
    expect(new Set(SAMPLE.map((event) => event.languageId).filter(Boolean)).size).toBeGreaterThanOrEqual(6);
  });

  it("uses only names and values the intake would show as they are (the producer-text rule, with the migrations' vocabulary)", () => {
    const withheld = new Map<string, number>();
    for (const { receivedAt: _receivedAt, ...event } of SAMPLE) {
      for (const field of findUnclassifiedText(event, DEFAULT_MAPPING)) withheld.set(field, (withheld.get(field) ?? 0) + 1);
    }
    expect(Object.fromEntries(withheld)).toEqual({});
  });

  it("holds no IP-address-like value in any field, and no IP field", () => {
    const ipv4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/;
    const ipv6 = /(?<![0-9a-f:])(?:[0-9a-f]{1,4}:){4,7}[0-9a-f]{1,4}(?![0-9a-f:])/i;
    const ipKey = /(^|[^a-z])ip($|[^a-z])|ipaddress|remoteaddr/i;
    const violations: string[] = [];
    const visit = (value: unknown, path: string): void => {
      if (typeof value === "string") {
        if (ipv4.test(value) || ipv6.test(value)) violations.push(`${path}: ${value}`);
      } else if (Array.isArray(value)) {
        value.forEach((item, index) => visit(item, `${path}[${index}]`));
      } else if (value && typeof value === "object" && !(value instanceof Date)) {
        for (const [key, item] of Object.entries(value)) {
          if (ipKey.test(key)) violations.push(`${path}.${key} (key)`);
          visit(item, `${path}.${key}`);
        }
      }
    };
    SAMPLE.forEach((event, index) => visit(event, `event[${index}]`));
    expect(violations.slice(0, 5)).toEqual([]);
    // The detectors do detect.
    expect(ipv4.test("from 203.0.113.7")).toBe(true);
    expect(ipv6.test("2001:db8:85a3:0:0:8a2e:370:7334")).toBe(true);
  });
});
