// A minimal SCIM 2.0 client that behaves as identity providers do (Entra ID,
// Okta): look a user up by `userName eq`, create, replace, PATCH `active`,
// delete. Used by scripts/scim-idp-demo.ts and by the browser tests; it only
// speaks HTTP, so it exercises the portal's front door exactly as an IdP would.
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export type ScimUser = { id: string; userName: string; active: boolean; displayName?: string; [key: string]: unknown };

export class ScimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  }
}

export type IdpUser = { email: string; name: string; organization: "GitHub" | "Microsoft" | "OpenAI"; userType?: "Employee" | "Contractor"; externalId?: string };

export class ScimIdpClient {
  constructor(
    /** e.g. http://localhost:3000/scim/v2 */
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.baseUrl.replace(/\/$/, "")}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, accept: "application/scim+json", ...(body === undefined ? {} : { "content-type": "application/scim+json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as unknown) : null };
  }

  private async expect<T>(what: string, status: number, method: string, path: string, body?: unknown): Promise<T> {
    const result = await this.call(method, path, body);
    if (result.status !== status) throw new ScimHttpError(result.status, result.json, what);
    return result.json as T;
  }

  private resource(user: IdpUser, active: boolean) {
    return {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
      userName: user.email,
      externalId: user.externalId,
      name: { formatted: user.name },
      displayName: user.name,
      emails: [{ value: user.email, type: "work", primary: true }],
      userType: user.userType ?? "Employee",
      active,
      [ENTERPRISE]: { organization: user.organization },
    };
  }

  async findByUserName(email: string): Promise<ScimUser | null> {
    const filter = encodeURIComponent(`userName eq ${JSON.stringify(email)}`);
    const list = await this.expect<{ Resources: ScimUser[] }>("find user", 200, "GET", `/Users?filter=${filter}`);
    return list.Resources[0] ?? null;
  }

  get(id: string): Promise<ScimUser> {
    return this.expect("get user", 200, "GET", `/Users/${id}`);
  }

  async status(id: string): Promise<number> {
    return (await this.call("GET", `/Users/${id}`)).status;
  }

  create(user: IdpUser): Promise<ScimUser> {
    return this.expect("create user", 201, "POST", "/Users", this.resource(user, true));
  }

  replace(id: string, user: IdpUser, active = true): Promise<ScimUser> {
    return this.expect("replace user", 200, "PUT", `/Users/${id}`, this.resource(user, active));
  }

  /** Okta's form: `{"op":"replace","path":"active","value":false}`. */
  deactivate(id: string): Promise<ScimUser> {
    return this.expect("deactivate user", 200, "PATCH", `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] });
  }

  /** Entra ID's form: no path, a value object, booleans as strings. */
  reactivate(id: string): Promise<ScimUser> {
    return this.expect("reactivate user", 200, "PATCH", `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", value: { active: "True" } }] });
  }

  async remove(id: string): Promise<void> {
    await this.expect("delete user", 204, "DELETE", `/Users/${id}`);
  }
}
