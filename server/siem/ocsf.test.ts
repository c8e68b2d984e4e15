import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS } from "@/lib/audit/actions";
import { sampleSiemRow } from "@/test/siem-fixtures";
import { activityOf, toOcsfApiActivity } from "./ocsf";

type Event = Record<string, unknown> & {
  metadata: Record<string, unknown>;
  actor: { user: Record<string, unknown> };
  src_endpoint: Record<string, unknown>;
  api: Record<string, unknown>;
  unmapped: Record<string, unknown>;
};
const ocsf = (...args: Parameters<typeof sampleSiemRow>) => toOcsfApiActivity(sampleSiemRow(...args)) as unknown as Event;

describe("an audit row as an OCSF API Activity", () => {
  it("has the class, category, activity, type and time OCSF requires", () => {
    const event = ocsf();
    expect(event).toMatchObject({
      class_uid: 6003,
      class_name: "API Activity",
      category_uid: 6,
      category_name: "Application Activity",
      activity_id: 2,
      activity_name: "Read",
      type_uid: 600302,
      type_name: "API Activity: Read",
      severity_id: 1,
      time: Date.parse("2026-11-24T09:15:02.345Z"),
      message: "Listed events",
    });
    expect(event.metadata).toMatchObject({ version: "1.3.0", product: { name: "Telemetry Portal", vendor_name: "GitHub" } });
  });

  it("identifies the row: metadata.uid is the audit id, with its chain, seq and hash", () => {
    const event = ocsf();
    expect(event.metadata).toMatchObject({ uid: "4711", sequence: 128, log_name: "audit_event chain 3", correlation_uid: sampleSiemRow().requestId, event_code: "events.list", original_time: "2026-11-24T09:15:02.345Z" });
    expect(event.unmapped.audit).toEqual({ id: "4711", chain_id: 3, seq: "128", hash: "b".repeat(64), prev_hash: "a".repeat(64) });
  });

  it("maps the actor, the source address, the user agent and the operation", () => {
    const event = ocsf();
    expect(event.actor.user).toEqual({
      uid: "0b6f4f0e-3c4e-4a51-9a43-8b1d1e2a9c11",
      email_addr: "viewer.copilot@github.example",
      name: "viewer.copilot@github.example",
      type_id: 1,
      type: "User",
      org: { name: "github" },
      groups: [{ name: "copilot_team" }],
    });
    expect(event.src_endpoint).toEqual({ ip: "203.0.113.7" });
    expect(event.http_request).toEqual({ user_agent: "Mozilla/5.0 (X11; Linux x86_64)" });
    expect(event.api).toEqual({ operation: "events.list", service: { name: "telemetry-portal" }, request: { uid: sampleSiemRow().requestId } });
    expect(ocsf({ actorRoles: ["admin"] }).actor.user).toMatchObject({ type_id: 2, type: "Admin" });
  });

  it("maps the outcome to status and severity, and the reason's code to status_code", () => {
    expect(ocsf({ outcome: "allowed" })).toMatchObject({ status_id: 1, status: "Success", severity_id: 1 });
    const denied = ocsf({ outcome: "denied", reason: "forbidden: Your role does not allow this." });
    expect(denied).toMatchObject({ status_id: 2, status: "Failure", status_code: "forbidden", status_detail: "forbidden: Your role does not allow this.", severity_id: 3, severity: "Medium" });
    expect(ocsf({ outcome: "error", reason: "Something odd" })).toMatchObject({ status_id: 2, severity_id: 2, status_detail: "Something odd" });
    expect(ocsf({ outcome: "error", reason: "Something odd" })).not.toHaveProperty("status_code");
  });

  it("puts the target in resources and everything without an OCSF attribute under unmapped, leaving out what is absent", () => {
    const event = ocsf({ targetType: "event", targetId: "5f0c2d6e-1111-4a2b-8c3d-000000000001", fileSha256: "c".repeat(64), before: { a: 1 }, after: { a: 2 } });
    expect(event.resources).toEqual([{ type: "event", uid: "5f0c2d6e-1111-4a2b-8c3d-000000000001" }]);
    expect(event.unmapped).toMatchObject({
      outcome: "allowed",
      actor_roles: ["viewer"],
      purpose: "improve_product",
      field_classes: ["environment", "measurements"],
      event_ids: sampleSiemRow().eventIds,
      machine_ids: ["a1b2c3"],
      filters: { kinds: ["error"], from: "2026-11-23T00:00:00.000Z" },
      row_count: 2,
      file_sha256: "c".repeat(64),
      before: { a: 1 },
      after: { a: 2 },
    });
    const bare = ocsf({ targetType: null, targetId: null, purpose: null, eventIds: [], machineIds: [], filters: null, rowCount: null });
    expect(bare).not.toHaveProperty("resources");
    for (const key of ["purpose", "event_ids", "machine_ids", "filters", "row_count", "before", "after", "purpose_detail"]) expect(bare.unmapped).not.toHaveProperty(key);
  });

  it("describes an anonymous refusal and a job's row without inventing a person or an address", () => {
    const anonymous = ocsf({ actorPersonId: null, actorEmail: null, actorEmployer: null, actorGroups: [], actorRoles: [], outcome: "denied", reason: "unauthenticated: Sign in to continue." });
    expect(anonymous.actor.user).toEqual({ name: "anonymous", type_id: 0, type: "Unknown" });
    const job = ocsf({ requestId: "job:1234", actorIp: null, actorUserAgent: null, action: "auth.session_expired" });
    expect(job.src_endpoint).toEqual({ name: "telemetry-portal job runner" });
    expect(job).not.toHaveProperty("http_request");
    expect(job).toMatchObject({ activity_id: 99, activity_name: "Other", type_uid: 600399 });
  });

  it("gives every audit action a CRUD verb or Other, and reads as Read for the disclosures", () => {
    for (const action of AUDIT_ACTIONS) expect([1, 2, 3, 4, 99]).toContain(activityOf(action));
    for (const action of ["events.list", "events.view", "events.reveal", "events.export", "events.chart", "audit.search"]) expect(activityOf(action)).toBe(2);
    expect(activityOf("admin.grant_create")).toBe(1);
    expect(activityOf("admin.grant_extend")).toBe(3);
    expect(activityOf("admin.grant_revoke")).toBe(4);
    expect(activityOf("some.future_action")).toBe(99);
  });

  it("is plain JSON: it survives a round trip unchanged", () => {
    const event = toOcsfApiActivity(sampleSiemRow({ reason: "x\u0000y" }));
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });
});
