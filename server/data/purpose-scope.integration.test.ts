// Purpose narrows what a session sees (issue 13 item 7), against real
// databases: the same person under two purposes sees different fields; a
// reveal and a filter outside the purpose's classes are refused (403) with a
// clear message; an admin's change to a purpose is audited with before/after
// and in force on the session's very next request.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/server/db/connect";
import { seededTestTargets } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";
import type { Purpose } from "@/lib/telemetry/vocabulary";
import { AppError } from "@/server/http/app-error";
import { listPurposeScopes, updatePurposeScope } from "./admin/purpose-scopes";
import { getViewer } from "./get-viewer";
import { listEvents } from "./list-events";
import { revealEventContent } from "./reveal-event-content";
import { setPurpose } from "./set-purpose";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 11).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest purpose", "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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

const COPILOT = "viewer.copilot@github.example";
const ADMIN = "admin@github.example";
const targets = seededTestTargets({ label: "purpose", keys: [{ id: "itk1", key: Buffer.alloc(32, 11) }], events: 200, seed: 13 });

type AuditRow = { action: string; outcome: string; reason: string | null; target_id: string | null; field_classes: string[]; before: unknown; after: unknown; purpose: string | null };

describe.each(targets)("purpose narrows what a session sees on $name", (target) => {
  let db: Database;

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
  });

  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
  });

  const lastAudit = async (): Promise<AuditRow> =>
    (
      await db.prisma.$queryRawUnsafe<AuditRow[]>(
        "SELECT action, outcome::text AS outcome, reason, target_id, field_classes::text[] AS field_classes, before, after, purpose::text AS purpose FROM audit_event ORDER BY id DESC LIMIT 1",
      )
    )[0]!;

  async function signIn(email: string, purpose: Purpose | null): Promise<void> {
    state.token = await signInForTest(db.prisma, email, { purpose });
  }

  async function refusal(call: () => Promise<unknown>): Promise<AppError> {
    const error = await call().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }

  it("the same person sees different fields under two purposes, and audit rows name only the narrowed classes", async () => {
    await signIn(COPILOT, "evaluate_product");
    const evaluating = await listEvents({ limit: "50" });
    expect(evaluating.items.length).toBeGreaterThan(0);
    expect((await getViewer()).purposeFieldClasses).toEqual(["environment", "measurements"]);
    for (const item of evaluating.items) {
      expect(item.machineId).toBeUndefined();
      expect(item.country).toBeUndefined();
      expect(item.os).toEqual(expect.any(String));
    }
    const evaluatingRow = await lastAudit();
    expect(evaluatingRow).toMatchObject({ action: "events.list", outcome: "allowed", purpose: "evaluate_product" });
    expect(evaluatingRow.field_classes.every((fieldClass) => ["environment", "measurements"].includes(fieldClass))).toBe(true);

    // Same person, same session: a new purpose re-derives the scope on the next request.
    await setPurpose({ purpose: "investigate_abuse" });
    const investigating = await listEvents({ limit: "50" });
    expect(investigating.items.every((item) => typeof item.machineId === "string")).toBe(true);
    expect(investigating.items.some((item) => item.country !== undefined)).toBe(true);
    const investigatingRow = await lastAudit();
    expect(investigatingRow.purpose).toBe("investigate_abuse");
    expect(investigatingRow.field_classes).toEqual(expect.arrayContaining(["identifiers", "location"]));
  });

  it("refuses a reveal under a purpose without content, saying the purpose is why", async () => {
    await signIn(COPILOT, "investigate_abuse");
    const completion = (await listEvents({ limit: "50", kind: "completion_shown" })).items[0]!;
    const revealed = await revealEventContent({ id: completion.id });
    expect(revealed.id).toBe(completion.id);

    await setPurpose({ purpose: "evaluate_product" });
    const error = await refusal(() => revealEventContent({ id: completion.id }));
    expect(error.status).toBe(403);
    expect(error.message).toBe(
      "Your declared purpose (Directly evaluate the product) does not include content: change the purpose of this session if your work needs the code.",
    );
    expect(await lastAudit()).toMatchObject({ action: "events.reveal", outcome: "denied", purpose: "evaluate_product" });
  });

  it("refuses a filter on identifiers under a purpose that lacks them (403 naming the field), allows it under one that has them", async () => {
    await signIn(COPILOT, "improve_models");
    const error = await refusal(() => listEvents({ machineId: "m-0001" }));
    expect(error.status).toBe(403);
    expect(error.message).toContain("identifiers");
    expect(error.issues.map((issue) => issue.path)).toContain("machineId");

    await setPurpose({ purpose: "improve_product" });
    await expect(listEvents({ machineId: "m-0001" })).resolves.toMatchObject({ items: expect.any(Array) });
  });

  it("an admin's change to a purpose is audited with before/after and applies on the session's next request", async () => {
    await signIn(COPILOT, "evaluate_product");
    expect((await listEvents({ limit: "5" })).items[0]?.country).toBeUndefined();
    const viewerToken = state.token;

    await signIn(ADMIN, null);
    const scopes = await listPurposeScopes();
    expect(scopes.map((scope) => scope.purpose)).toEqual(["improve_product", "evaluate_product", "improve_models", "guide_related_products", "investigate_abuse", "other"]);
    await updatePurposeScope({ purpose: "evaluate_product", fieldClasses: ["measurements", "location", "environment"], justification: "Adoption is compared by region" });
    expect(await lastAudit()).toMatchObject({
      action: "admin.purpose_scope_update",
      outcome: "allowed",
      target_id: "evaluate_product",
      reason: "Adoption is compared by region",
      before: { fieldClasses: ["environment", "measurements"] },
      after: { fieldClasses: ["environment", "location", "measurements"] },
    });
    const same = await refusal(() =>
      updatePurposeScope({ purpose: "evaluate_product", fieldClasses: ["environment", "location", "measurements"], justification: "Nothing changes here at all" }),
    );
    expect(same.status).toBe(422);
    const noReason = await refusal(() => updatePurposeScope({ purpose: "evaluate_product", fieldClasses: [] }));
    expect(noReason.status).toBe(400);
    expect(noReason.message).toMatch(/justification/);

    // the viewer's existing session, next request: location is now visible
    state.token = viewerToken;
    const after = await listEvents({ limit: "50" });
    expect(after.items.some((item) => item.country !== undefined)).toBe(true);
    expect(after.items.every((item) => item.machineId === undefined)).toBe(true);

    // a viewer cannot change purposes
    const refused = await refusal(() => updatePurposeScope({ purpose: "evaluate_product", fieldClasses: ["content"], justification: "Let me see the code please" }));
    expect(refused.status).toBe(403);
    expect(await lastAudit()).toMatchObject({ action: "admin.purpose_scope_update", outcome: "denied" });
  });
});
