// Issue 13, item 8: the SCIM 2.0 endpoint an identity provider uses to add,
// change, deactivate, reactivate and remove people. Every operation and error
// is sent through the /scim/v2 route handlers as an IdP sends it, against real
// databases (PGlite always, PostgreSQL too when TEST_DATABASE_URL is set),
// with a real token issued through the admin data layer. Deactivation must
// end the person's live session in the same transaction as its audit row.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/server/db/connect";
import { createScimToken } from "@/server/data/admin/create-scim-token";
import { listScimTokens } from "@/server/data/admin/list-scim-tokens";
import { revokeScimToken } from "@/server/data/admin/revoke-scim-token";
import { disablePerson } from "@/server/data/admin/disable-person";
import { seededTestTargets } from "@/test/test-databases";
import { signInForTest } from "@/test/sessions";
import { GET as meRoute } from "@/app/api/v1/me/route";
import { GET as getGroupRoute, PATCH as patchGroupRoute } from "./Groups/[id]/route";
import { GET as listGroupsRoute, POST as postGroupRoute } from "./Groups/route";
import { GET as resourceTypesRoute } from "./ResourceTypes/route";
import { GET as schemasRoute } from "./Schemas/route";
import { GET as configRoute } from "./ServiceProviderConfig/route";
import { DELETE as deleteUserRoute, GET as getUserRoute, PATCH as patchUserRoute, PUT as putUserRoute } from "./Users/[id]/route";
import { GET as listUsersRoute, POST as postUserRoute } from "./Users/route";

const state = vi.hoisted(() => {
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 13).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  return { token: null as string | null, db: null as Database | null, requestId: "" };
});

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "authjs.session-token" && state.token ? { name, value: state.token } : undefined),
  }),
  headers: async () => new Headers({ "user-agent": "vitest scim", "x-portal-request-id": state.requestId || randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
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

const ADMIN = "admin@github.example";
const COPILOT = "viewer.copilot@github.example";
const MICROSOFT = "viewer@microsoft.example";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const BASE = "http://localhost:3000/scim/v2";

const targets = seededTestTargets({ label: "scim", keys: [{ id: "itk1", key: Buffer.alloc(32, 13) }] });

type Json = Record<string, unknown> & { Resources?: Array<Record<string, unknown>> };

describe.each(targets)("the SCIM endpoint on $name", (target) => {
  let db: Database;
  let bearer = "";

  beforeAll(async () => {
    db = await target.open();
    state.db = db;
    state.token = await signInForTest(db.prisma, ADMIN);
    bearer = (await createScimToken({ name: "Entra ID provisioning" })).key;
    state.token = null;
  });

  afterAll(async () => {
    state.db = null;
    await db?.close();
    await target.dispose();
  });

  /** A request as an identity provider sends it; returns the request id its audit rows carry. */
  function scim(method: string, path: string, body?: unknown, options: { token?: string | null; type?: string; raw?: string } = {}) {
    state.requestId = randomUUID();
    const token = options.token === undefined ? bearer : options.token;
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined || options.raw !== undefined) headers["content-type"] = options.type ?? "application/scim+json";
    return new Request(`${BASE}${path}`, { method, headers, body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  }
  const withId = (id: string) => ({ params: Promise.resolve({ id }) });

  async function expectScimError(response: Response, status: number, scimType: string | undefined, detail: RegExp) {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toContain("application/scim+json");
    const body = (await response.json()) as Json;
    expect(body.schemas).toEqual([ERROR]);
    expect(body.status).toBe(String(status));
    expect(body.scimType).toBe(scimType);
    expect(String(body.detail)).toMatch(detail);
  }

  async function auditRows(requestId: string) {
    return db.prisma.auditEvent.findMany({ where: { requestId }, orderBy: { id: "asc" } });
  }

  const newUser = (email: string, extra: Record<string, unknown> = {}) => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    userName: email,
    name: { givenName: "Sam", familyName: "Scim" },
    emails: [{ value: email, primary: true }],
    userType: "Employee",
    active: true,
    [ENTERPRISE]: { organization: "GitHub" },
    ...extra,
  });

  it("issues, lists and revokes tokens through the admin data layer, storing only a hash", async () => {
    state.token = await signInForTest(db.prisma, ADMIN);
    const created = await createScimToken({ name: "Okta provisioning" });
    expect(created.key).toMatch(/^tps_/);
    const stored = await db.prisma.scimToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.tokenHash).not.toContain(created.key);
    const issued = await db.prisma.auditEvent.findMany({ where: { action: "admin.scim_token_create" }, select: { after: true, reason: true } });
    expect(JSON.stringify(issued)).not.toContain(created.key);
    expect((await listScimTokens()).map((token) => token.name)).toContain("Okta provisioning");
    await revokeScimToken({ keyId: created.id, reason: "Moved provisioning to Entra ID." });
    state.token = null;
    const request = scim("GET", "/Users", undefined, { token: created.key });
    await expectScimError(await listUsersRoute(request), 401, undefined, /revoked/);
    const [row] = await auditRows(state.requestId);
    expect(row).toMatchObject({ action: "scim.refused", outcome: "denied", actorEmail: null });
    expect(row?.reason).toContain(created.id);
  });

  it("refuses requests without a token or with one it never issued, audited", async () => {
    await expectScimError(await listUsersRoute(scim("GET", "/Users", undefined, { token: null })), 401, undefined, /bearer token/);
    expect((await auditRows(state.requestId))[0]).toMatchObject({ action: "scim.refused", outcome: "denied" });
    await expectScimError(await listUsersRoute(scim("GET", "/Users", undefined, { token: "tps_notissuednotissuednotissued" })), 401, undefined, /not one the portal issued/);
  });

  it("serves the discovery resources", async () => {
    const config = (await (await configRoute()).json()) as Json;
    expect(config).toMatchObject({ patch: { supported: true }, filter: { supported: true }, bulk: { supported: false } });
    expect(((await (await resourceTypesRoute()).json()) as Json).Resources?.map((r) => r.id)).toEqual(["User", "Group"]);
    expect(((await (await schemasRoute()).json()) as Json).totalResults).toBe(3);
  });

  it("creates a person without grants, audited with the token as actor; refuses a duplicate userName", async () => {
    const response = await postUserRoute(scim("POST", "/Users", newUser("sam.scim@github.example", { externalId: "entra-1" })));
    expect(response.status).toBe(201);
    const user = (await response.json()) as Json & { id: string; meta: { location: string; resourceType: string } };
    expect(user).toMatchObject({ userName: "sam.scim@github.example", active: true, externalId: "entra-1", name: { formatted: "Sam Scim" }, userType: "Employee" });
    expect(user.meta.resourceType).toBe("User");
    expect(response.headers.get("location")).toBe(`${BASE}/Users/${user.id}`);
    expect(await db.prisma.grant.count({ where: { personId: user.id } })).toBe(0);
    const [row] = await auditRows(state.requestId);
    expect(row).toMatchObject({ action: "scim.user_create", outcome: "allowed", actorEmail: null, targetType: "person", targetId: user.id });
    expect(row?.reason).toMatch(/^SCIM token [0-9a-f-]{36} \(Entra ID provisioning\): POST \/scim\/v2\/Users/);

    await expectScimError(await postUserRoute(scim("POST", "/Users", newUser("SAM.SCIM@github.example"))), 409, "uniqueness", /userName/);
  });

  it("defaults the employment type to contractor and never admits an OpenAI contractor", async () => {
    const body = newUser("casey@microsoft.example", { [ENTERPRISE]: { organization: "microsoft" } });
    delete (body as Record<string, unknown>).userType;
    const created = (await (await postUserRoute(scim("POST", "/Users", body))).json()) as Json & { id: string };
    expect(created.userType).toBe("Contractor");
    expect(await db.prisma.person.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({ employer: "microsoft", employmentType: "contractor" });
    await expectScimError(
      await postUserRoute(scim("POST", "/Users", newUser("ola@openai.example", { userType: "Contractor", [ENTERPRISE]: { organization: "OpenAI" } }))),
      400,
      "invalidValue",
      /userType: OpenAI personnel must be employees/,
    );
  });

  it("answers bad input with a 400 naming the attribute, audited as an error", async () => {
    const missingOrg = newUser("nobody@github.example");
    delete (missingOrg as Record<string, unknown>)[ENTERPRISE];
    await expectScimError(await postUserRoute(scim("POST", "/Users", missingOrg)), 400, "invalidValue", new RegExp(`^${ENTERPRISE}:organization: is required`));
    expect((await auditRows(state.requestId))[0]).toMatchObject({ action: "scim.user_create", outcome: "error" });
    await expectScimError(await postUserRoute(scim("POST", "/Users", newUser("not-an-email"))), 400, "invalidValue", /^userName: /);
    await expectScimError(await postUserRoute(scim("POST", "/Users", newUser("x@github.example", { active: "maybe" }))), 400, "invalidValue", /^active: /);
    await expectScimError(await postUserRoute(scim("POST", "/Users", newUser("y@github.example", { [ENTERPRISE]: { organization: "Acme" } }))), 400, "invalidValue", /organization: must be GitHub/);
    await expectScimError(await postUserRoute(scim("POST", "/Users", undefined, { raw: "{not json" })), 400, "invalidSyntax", /not valid JSON/);
    await expectScimError(await postUserRoute(scim("POST", "/Users", undefined, { raw: "userName=x", type: "text/plain" })), 415, undefined, /application\/scim\+json/);
    await expectScimError(await postUserRoute(scim("POST", "/Users", [1, 2])), 400, "invalidSyntax", /SCIM User object/);
  });

  it("finds people by userName eq, pages with startIndex and count, and refuses other filters", async () => {
    const found = (await (await listUsersRoute(scim("GET", `/Users?filter=${encodeURIComponent('userName eq "Viewer.Copilot@github.example"')}`))).json()) as Json;
    expect(found).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(found.Resources?.[0]).toMatchObject({ userName: COPILOT, active: true, [ENTERPRISE]: { organization: "GitHub" } });
    const none = (await (await listUsersRoute(scim("GET", `/Users?filter=${encodeURIComponent('userName eq "ghost@github.example"')}`))).json()) as Json;
    expect(none).toMatchObject({ totalResults: 0, Resources: [] });

    const all = (await (await listUsersRoute(scim("GET", "/Users"))).json()) as Json & { totalResults: number };
    const page = (await (await listUsersRoute(scim("GET", "/Users?startIndex=2&count=2"))).json()) as Json;
    expect(page).toMatchObject({ totalResults: all.totalResults, startIndex: 2, itemsPerPage: 2 });
    expect(page.Resources?.map((user) => user.id)).toEqual(all.Resources?.slice(1, 3).map((user) => user.id));
    expect((await auditRows(state.requestId))[0]).toMatchObject({ action: "scim.read", rowCount: 2 });

    await expectScimError(await listUsersRoute(scim("GET", `/Users?filter=${encodeURIComponent('name.familyName co "x"')}`)), 400, "invalidFilter", /^filter: /);
    await expectScimError(await listUsersRoute(scim("GET", `/Users?filter=${encodeURIComponent('title eq "x"')}`)), 400, "invalidFilter", /cannot filter on title/);
    await expectScimError(await listUsersRoute(scim("GET", "/Users?startIndex=abc")), 400, "invalidValue", /^startIndex: /);
  });

  it("gets one user, and answers 404 for unknown or malformed ids", async () => {
    const person = await db.prisma.person.findUniqueOrThrow({ where: { email: MICROSOFT } });
    const user = (await (await getUserRoute(scim("GET", `/Users/${person.id}`), withId(person.id))).json()) as Json;
    expect(user).toMatchObject({ id: person.id, userName: MICROSOFT, meta: { resourceType: "User", location: `${BASE}/Users/${person.id}` } });
    await expectScimError(await getUserRoute(scim("GET", `/Users/${randomUUID()}`), withId(randomUUID())), 404, undefined, /no such user/);
    await expectScimError(await getUserRoute(scim("GET", "/Users/%00x"), withId("\u0000x")), 404, undefined, /no such user/);
  });

  it("replaces a user with PUT, and refuses an employer change while the person holds grants", async () => {
    const person = await db.prisma.person.findUniqueOrThrow({ where: { email: MICROSOFT } });
    const body = newUser(MICROSOFT, { name: { formatted: "Mira M. Microsoft" }, [ENTERPRISE]: { organization: "Microsoft" } });
    const response = await putUserRoute(scim("PUT", `/Users/${person.id}`, body), withId(person.id));
    expect(response.status).toBe(200);
    expect(((await response.json()) as Json).displayName).toBe("Mira M. Microsoft");
    expect((await auditRows(state.requestId))[0]).toMatchObject({ action: "scim.user_update", targetId: person.id });
    const toGithub = newUser(MICROSOFT, { [ENTERPRISE]: { organization: "GitHub" } });
    await expectScimError(await putUserRoute(scim("PUT", `/Users/${person.id}`, toGithub), withId(person.id)), 409, "mutability", /holds grants/);
    expect(await db.prisma.person.findUniqueOrThrow({ where: { id: person.id } })).toMatchObject({ employer: "microsoft" });
  });

  it("deactivates with PATCH active=false: the live session is ended in the same transaction, grants kept but not in force", async () => {
    const person = await db.prisma.person.findUniqueOrThrow({ where: { email: COPILOT } });
    state.token = await signInForTest(db.prisma, COPILOT, { purpose: "improve_product" });
    expect((await meRoute()).status).toBe(200);
    const grantsBefore = await db.prisma.grant.findMany({ where: { personId: person.id }, orderBy: { id: "asc" } });

    const patch = { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] };
    const response = await patchUserRoute(scim("PATCH", `/Users/${person.id}`, patch), withId(person.id));
    expect(response.status).toBe(200);
    expect(((await response.json()) as Json).active).toBe(false);
    const [row] = await auditRows(state.requestId);
    expect(row).toMatchObject({ action: "scim.user_deactivate", outcome: "allowed", actorEmail: null, targetType: "person", targetId: person.id });
    expect(row?.after).toMatchObject({ status: "disabled", sessionsEnded: 1 });
    expect(await db.prisma.session.count({ where: { sessionToken: state.token } })).toBe(0);

    // The browser's next request is refused; the grants are untouched (suspended by the person's status).
    expect((await meRoute()).status).toBe(401);
    expect(await db.prisma.grant.findMany({ where: { personId: person.id }, orderBy: { id: "asc" } })).toEqual(grantsBefore);
    // Even a session that somehow survived would be refused: the person is disabled.
    state.token = await signInForTest(db.prisma, COPILOT, { purpose: "improve_product" });
    expect((await meRoute()).status).toBe(403);
  });

  it("reactivates with the no-path PATCH form, restoring access", async () => {
    const person = await db.prisma.person.findUniqueOrThrow({ where: { email: COPILOT } });
    const patch = { schemas: [PATCH_OP], Operations: [{ op: "Replace", value: { active: "True" } }] };
    const response = await patchUserRoute(scim("PATCH", `/Users/${person.id}`, patch), withId(person.id));
    expect(((await response.json()) as Json).active).toBe(true);
    expect((await auditRows(state.requestId))[0]).toMatchObject({ action: "scim.user_reactivate", targetId: person.id });
    state.token = await signInForTest(db.prisma, COPILOT, { purpose: "improve_product" });
    expect((await meRoute()).status).toBe(200);
    state.token = null;
  });

  it("deactivates with the no-path form too, and does not reactivate someone an admin disabled", async () => {
    const created = (await (await postUserRoute(scim("POST", "/Users", newUser("pat@github.example")))).json()) as Json & { id: string };
    const off = { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: false } }] };
    expect(((await (await patchUserRoute(scim("PATCH", `/Users/${created.id}`, off), withId(created.id))).json()) as Json).active).toBe(false);
    expect((await auditRows(state.requestId))[0]).toMatchObject({ action: "scim.user_deactivate" });

    const health = await db.prisma.person.findUniqueOrThrow({ where: { email: "viewer.health@github.example" } });
    state.token = await signInForTest(db.prisma, ADMIN);
    await disablePerson({ personId: health.id, reason: "Left the platform health team." });
    state.token = null;
    const on = { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: true }, { op: "replace", path: "displayName", value: "Hugo H." }] };
    const response = await patchUserRoute(scim("PATCH", `/Users/${health.id}`, on), withId(health.id));
    expect((await response.json()) as Json).toMatchObject({ active: false, displayName: "Hugo H." });
    const [row] = await auditRows(state.requestId);
    expect(row).toMatchObject({ action: "scim.user_update" });
    expect(row?.reason).toContain("an admin disabled this person");
  });

  it("refuses malformed PATCH bodies naming the operation", async () => {
    const person = await db.prisma.person.findUniqueOrThrow({ where: { email: MICROSOFT } });
    const send = (body: unknown) => patchUserRoute(scim("PATCH", `/Users/${person.id}`, body), withId(person.id));
    await expectScimError(await send({ Operations: [] }), 400, "invalidValue", /^schemas: /);
    await expectScimError(await send({ schemas: [PATCH_OP], Operations: [] }), 400, "invalidValue", /^Operations: /);
    await expectScimError(await send({ schemas: [PATCH_OP], Operations: [{ op: "move", path: "active" }] }), 400, "invalidValue", /^Operations\[0\]\.op: /);
    await expectScimError(await send({ schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "x" }] }), 400, "invalidPath", /^title: not an attribute/);
    await expectScimError(await send({ schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: 3 }] }), 400, "invalidValue", /^active: /);
    await expectScimError(await send({ schemas: [PATCH_OP], Operations: [{ op: "remove" }] }), 400, "noTarget", /path: is required/);
    await expectScimError(await send({ schemas: [PATCH_OP], Operations: [{ op: "remove", path: "userName" }] }), 400, "mutability", /userName: cannot be removed/);
  });

  it("deletes by deactivating and marking removed: the record and its history stay, SCIM no longer finds it", async () => {
    const created = (await (await postUserRoute(scim("POST", "/Users", newUser("gone@github.example")))).json()) as Json & { id: string };
    const response = await deleteUserRoute(scim("DELETE", `/Users/${created.id}`), withId(created.id));
    expect(response.status).toBe(204);
    expect((await auditRows(state.requestId))[0]).toMatchObject({ action: "scim.user_delete", targetId: created.id, outcome: "allowed" });
    const person = await db.prisma.person.findUniqueOrThrow({ where: { id: created.id } });
    expect(person.status).toBe("disabled");
    expect(person.removedAt).not.toBeNull();
    await expectScimError(await getUserRoute(scim("GET", `/Users/${created.id}`), withId(created.id)), 404, undefined, /no such user/);
    await expectScimError(await deleteUserRoute(scim("DELETE", `/Users/${created.id}`), withId(created.id)), 404, undefined, /no such user/);
  });

  it("shows the access groups and their members read-only, and refuses membership changes with 501", async () => {
    const list = (await (await listGroupsRoute(scim("GET", "/Groups"))).json()) as Json;
    expect(list.Resources?.map((group) => group.id).sort()).toEqual(["copilot_team", "microsoft_copilot", "openai_copilot", "platform_health"]);
    const copilot = (await (await getGroupRoute(scim("GET", "/Groups/copilot_team"), withId("copilot_team"))).json()) as Json & { members: Array<{ display: string }> };
    expect(copilot.members.map((member) => member.display)).toContain(COPILOT);
    // Disabled people hold no membership in force.
    const health = (await (await getGroupRoute(scim("GET", "/Groups/platform_health"), withId("platform_health"))).json()) as Json & { members: unknown[] };
    expect(health.members).toEqual([]);
    await expectScimError(await getGroupRoute(scim("GET", "/Groups/nope"), withId("nope")), 404, undefined, /no such group/);
    const add = { schemas: [PATCH_OP], Operations: [{ op: "add", path: "members", value: [{ value: randomUUID() }] }] };
    await expectScimError(await patchGroupRoute(scim("PATCH", "/Groups/copilot_team", add)), 501, undefined, /governed in the portal/);
    expect((await auditRows(state.requestId))[0]).toMatchObject({ outcome: "error" });
    await expectScimError(await postGroupRoute(scim("POST", "/Groups", { displayName: "x" })), 501, undefined, /governed in the portal/);
  });
});
