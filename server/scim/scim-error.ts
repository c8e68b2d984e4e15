// SCIM errors (RFC 7644 §3.12): a status, an optional scimType and a detail
// naming the attribute. Safe on both sides of no boundary: plain data.
export const SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export type ScimType = "invalidFilter" | "invalidValue" | "invalidSyntax" | "invalidPath" | "noTarget" | "uniqueness" | "mutability" | "tooMany";

export class ScimError extends Error {
  override name = "ScimError";
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
  }

  toJSON() {
    return { schemas: [SCIM_ERROR_SCHEMA], status: String(this.status), ...(this.scimType ? { scimType: this.scimType } : {}), detail: this.detail };
  }
}

export const invalidValue = (attribute: string, message: string) => new ScimError(400, `${attribute}: ${message}`, "invalidValue");
