import { describe, expect, it } from "vitest";
import { canonicalAuditRow, canonicalJson, genesisHash, hashAuditRow, toStoredJson, toStoredText, type AuditRowContent } from "./canonical";

const row: AuditRowContent = {
  chainId: 3,
  seq: 17n,
  occurredAt: new Date("2026-11-24T01:02:03.456Z"),
  requestId: "req-1",
  actorPersonId: "8f0c6a1e-2f6b-4c43-9a53-3d3b1a9c2e11",
  actorEmail: "ada@github.com",
  actorEmployer: "github",
  actorGroups: ["copilot_team"],
  actorRoles: ["viewer"],
  actorIp: "127.0.0.1",
  actorUserAgent: "Mozilla/5.0",
  action: "events.list",
  outcome: "allowed",
  reason: null,
  purpose: "improve_product",
  purposeDetail: null,
  targetType: null,
  targetId: null,
  eventIds: ["0b6f7f0e-7d43-4f0f-8f55-2a5b9e4c1d01"],
  machineIds: ["m1"],
  fieldClasses: ["measurements"],
  filters: { kinds: ["error"], from: "2026-11-01" },
  rowCount: 1,
  fileSha256: null,
  before: null,
  after: null,
  prevHash: "ab".repeat(32),
};

// Written out by hand from the documented format (column names, sorted keys,
// bigint and timestamp as strings), not produced by the code under test.
const EXPECTED_CANONICAL =
  '{"action":"events.list","actor_email":"ada@github.com","actor_employer":"github","actor_groups":["copilot_team"],' +
  '"actor_ip":"127.0.0.1","actor_person_id":"8f0c6a1e-2f6b-4c43-9a53-3d3b1a9c2e11","actor_roles":["viewer"],' +
  '"actor_user_agent":"Mozilla/5.0","after":null,"before":null,"chain_id":3,"event_ids":["0b6f7f0e-7d43-4f0f-8f55-2a5b9e4c1d01"],' +
  '"field_classes":["measurements"],"file_sha256":null,"filters":{"from":"2026-11-01","kinds":["error"]},' +
  '"machine_ids":["m1"],"occurred_at":"2026-11-24T01:02:03.456Z","outcome":"allowed",' +
  `"prev_hash":"${"ab".repeat(32)}","purpose":"improve_product","purpose_detail":null,"reason":null,` +
  '"request_id":"req-1","row_count":1,"seq":"17","target_id":null,"target_type":null}';

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("writes bigints and dates as strings and undefined as JSON.stringify does", () => {
    expect(canonicalJson({ n: 2n ** 70n, at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)) })).toBe(
      '{"at":"2026-01-02T03:04:05.006Z","n":"1180591620717411303424"}',
    );
    expect(canonicalJson({ a: undefined, b: [undefined, null] })).toBe('{"b":[null,null]}');
  });

  it("refuses values JSON cannot hold", () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(new Map())).toThrow(TypeError);
  });
});

describe("canonicalAuditRow and hashAuditRow", () => {
  it("serializes every column but id and hash, by SQL name", () => {
    expect(canonicalAuditRow(row)).toBe(EXPECTED_CANONICAL);
  });

  it("is SHA-256 hex of the canonical form", () => {
    // `printf '%s' "$EXPECTED_CANONICAL" | sha256sum`
    expect(hashAuditRow(row)).toBe("05ff48f32ed2e3b6a71c06e9c5b0b2a97cafe8c14e2c766cd5a649dc27e2fc80");
  });

  it("does not depend on key order inside JSON columns", () => {
    expect(hashAuditRow({ ...row, filters: { from: "2026-11-01", kinds: ["error"] } })).toBe(hashAuditRow(row));
  });

  it("changes when any hashed column changes", () => {
    const changes: Partial<AuditRowContent>[] = [
      { chainId: 4 },
      { seq: 18n },
      { occurredAt: new Date("2026-11-24T01:02:03.457Z") },
      { requestId: "req-2" },
      { actorPersonId: null },
      { actorEmail: "eve@github.com" },
      { actorEmployer: "openai" },
      { actorGroups: [] },
      { actorRoles: ["viewer", "admin"] },
      { actorIp: "10.0.0.1" },
      { actorUserAgent: null },
      { action: "events.export" },
      { outcome: "denied" },
      { reason: "no grant" },
      { purpose: "other" },
      { purposeDetail: "x" },
      { targetType: "event" },
      { targetId: "x" },
      { eventIds: [] },
      { machineIds: ["m2"] },
      { fieldClasses: ["content"] },
      { filters: { kinds: ["completion_shown"], from: "2026-11-01" } },
      { rowCount: 2 },
      { fileSha256: "00".repeat(32) },
      { before: { status: "active" } },
      { after: { status: "disabled" } },
      { prevHash: "cd".repeat(32) },
    ];
    const original = hashAuditRow(row);
    for (const change of changes) {
      expect(hashAuditRow({ ...row, ...change }), JSON.stringify(Object.keys(change))).not.toBe(original);
    }
    // null and an empty array are different values
    expect(hashAuditRow({ ...row, rowCount: null })).not.toBe(hashAuditRow({ ...row, rowCount: 0 }));
  });
});

describe("genesisHash", () => {
  it("is sha256 of the documented prefix and the chain id", () => {
    // `printf 'telemetry-portal:audit:genesis:0' | sha256sum`
    expect(genesisHash(0)).toBe("fe41a798162cfdc7b466af117daac07aa63bc9893ebebfdc964e175a13edaff7");
    expect(genesisHash(63)).toBe("456977f928b1fd4fb2c7cd2728fb833a0682ea850c712ea508466d4b14460583");
  });
});

describe("toStoredJson", () => {
  it("turns dates and bigints into the strings jsonb will give back", () => {
    expect(toStoredJson({ at: new Date("2026-11-24T00:00:00.000Z"), n: 5n, skip: undefined, list: [undefined, 1] })).toEqual({
      at: "2026-11-24T00:00:00.000Z",
      n: "5",
      list: [null, 1],
    });
  });

  it("replaces lone surrogates as the UTF-8 encoder will, and refuses NUL", () => {
    expect(toStoredJson({ q: "a\uD800b" })).toEqual({ q: "a\uFFFDb" });
    expect(toStoredJson("😀")).toBe("😀");
    expect(() => toStoredJson({ q: "a\u0000b" })).toThrow(/NUL/);
    expect(() => toStoredJson({ n: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });

  it("stores text exactly as a round trip through the driver's UTF-8 encoding gives it back", () => {
    // lone high, lone low, a reversed pair, a pair split by text, trailing high, and plain text
    for (const text of ["a\uD800b", "\uDC00", "\uDE00\uD83D", "\uD83Dx\uDE00", "end\uD83D", "plain ascii", "ünïcödé 😀"]) {
      expect(toStoredText(text)).toBe(Buffer.from(text, "utf8").toString("utf8"));
    }
  });
});
