import { describe, expect, it } from "vitest";
import { ScimError } from "./scim-error";
import { parsePaging, parseScimFilter } from "./scim-filter";
import { ENTERPRISE_SCHEMA, PATCH_SCHEMA, applyPatch, readUserResource, type ScimUserState } from "./scim-user";

const STATE: ScimUserState = { userName: "a@github.example", name: "A", externalId: null, employer: "github", employmentType: "employee", active: true, managerId: null };
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations });

function scimErrorOf(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("SCIM filters and paging", () => {
  it("reads `attr eq \"value\"` case-insensitively in the attribute, with escapes in the value", () => {
    expect(parseScimFilter('USERNAME eq "a\\"b@x"', ["userName"])).toEqual({ attribute: "userName", value: 'a"b@x' });
    expect(parseScimFilter(null, ["userName"])).toBeNull();
  });

  it.each(['userName co "a"', 'userName eq a', 'title eq "x"', 'userName eq "a" and active eq true', ""])("refuses %j as invalidFilter", (filter) => {
    expect(scimErrorOf(() => parseScimFilter(filter, ["userName"]))).toMatchObject({ status: 400, scimType: "invalidFilter" });
  });

  it("clamps startIndex and count as RFC 7644 says, and refuses non-numbers", () => {
    expect(parsePaging(new URLSearchParams("startIndex=0&count=-3"), 200)).toEqual({ startIndex: 1, count: 0 });
    expect(parsePaging(new URLSearchParams("count=9999"), 200)).toEqual({ startIndex: 1, count: 200 });
    expect(scimErrorOf(() => parsePaging(new URLSearchParams("count=1e3"), 200)).detail).toMatch(/^count: /);
  });
});

describe("SCIM user attributes", () => {
  it("maps a resource, defaulting the employment type to contractor and requiring the employer", () => {
    const state = readUserResource({ userName: " B@GitHub.example ", name: { givenName: "Bea", familyName: "B" }, [ENTERPRISE_SCHEMA]: { organization: "github" } }, null);
    expect(state).toEqual({ userName: "b@github.example", name: "Bea B", externalId: null, employer: "github", employmentType: "contractor", active: true, managerId: null });
    expect(scimErrorOf(() => readUserResource({ userName: "b@github.example" }, null)).detail).toBe(`${ENTERPRISE_SCHEMA}:organization: is required: GitHub, Microsoft or OpenAI`);
  });

  it("applies active=false in the path form and the no-path form, and Entra's string booleans", () => {
    expect(applyPatch(STATE, patch({ op: "replace", path: "active", value: false })).active).toBe(false);
    expect(applyPatch(STATE, patch({ op: "replace", value: { active: false } })).active).toBe(false);
    expect(applyPatch({ ...STATE, active: false }, patch({ op: "Replace", value: { active: "True" } })).active).toBe(true);
  });

  it("names the operation or attribute at fault", () => {
    expect(scimErrorOf(() => applyPatch(STATE, patch({ op: "replace", path: "nickName", value: "x" })))).toMatchObject({ scimType: "invalidPath" });
    expect(scimErrorOf(() => applyPatch(STATE, patch({ op: "copy", path: "active" }))).detail).toMatch(/^Operations\[0\]\.op: /);
    expect(scimErrorOf(() => applyPatch(STATE, { Operations: [] })).detail).toMatch(/^schemas: /);
  });

  it("reads the enterprise manager (RFC 7643 §4.3) in the resource, the path form, Entra's bare id, and clears it", () => {
    const managerId = "0f6e2b1c-3d4a-4b5c-8d9e-0a1b2c3d4e5f";
    const resource = readUserResource({ userName: "c@github.example", [ENTERPRISE_SCHEMA]: { organization: "GitHub", manager: { value: managerId.toUpperCase() } } }, null);
    expect(resource.managerId).toBe(managerId);
    // absent on PUT: unchanged
    expect(readUserResource({ userName: "c@github.example", [ENTERPRISE_SCHEMA]: { organization: "GitHub" } }, { ...STATE, managerId }).managerId).toBe(managerId);
    expect(applyPatch(STATE, patch({ op: "add", path: `${ENTERPRISE_SCHEMA}:manager`, value: managerId })).managerId).toBe(managerId);
    expect(applyPatch(STATE, patch({ op: "replace", value: { [`${ENTERPRISE_SCHEMA}:manager`]: { value: managerId } } })).managerId).toBe(managerId);
    expect(applyPatch({ ...STATE, managerId }, patch({ op: "remove", path: `${ENTERPRISE_SCHEMA}:manager` })).managerId).toBeNull();
    expect(scimErrorOf(() => applyPatch(STATE, patch({ op: "add", path: `${ENTERPRISE_SCHEMA}:manager`, value: "bob" }))).detail).toBe(
      `${ENTERPRISE_SCHEMA}:manager: must be the manager's SCIM id (the id the portal returned for them)`,
    );
  });
});
