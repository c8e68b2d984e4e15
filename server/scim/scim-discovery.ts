// The SCIM discovery resources (RFC 7644 §4): what this service provider
// supports. Static and free of personal data, so served without a token.
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, USER_SCHEMA } from "./scim-user";

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: `${baseUrl.replace(/\/scim\/v2$/, "")}/`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      { type: "oauthbearertoken", name: "Bearer token", description: "A token an admin issues on the portal's SCIM tokens page.", primary: true },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string) {
  const resources = [
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "User",
      name: "User",
      endpoint: "/Users",
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: true }],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      schema: GROUP_SCHEMA,
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
  return { schemas: [LIST_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}

const attribute = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...extra,
});

export function schemas(baseUrl: string) {
  const resources = [
    {
      id: USER_SCHEMA,
      name: "User",
      attributes: [
        attribute("userName", "string", { required: true, uniqueness: "server", description: "The person's email address." }),
        attribute("name", "complex", { subAttributes: [attribute("formatted", "string"), attribute("givenName", "string"), attribute("familyName", "string")] }),
        attribute("displayName", "string"),
        attribute("userType", "string", { canonicalValues: ["Employee", "Contractor"], description: "Absent means Contractor." }),
        attribute("active", "boolean"),
        attribute("emails", "complex", { multiValued: true, mutability: "readOnly", description: "The userName; the portal keeps one address." }),
      ],
    },
    {
      id: ENTERPRISE_SCHEMA,
      name: "EnterpriseUser",
      attributes: [attribute("organization", "string", { required: true, canonicalValues: ["GitHub", "Microsoft", "OpenAI"], description: "The employer." })],
    },
    {
      id: GROUP_SCHEMA,
      name: "Group",
      attributes: [attribute("displayName", "string", { mutability: "readOnly" }), attribute("members", "complex", { multiValued: true, mutability: "readOnly" })],
    },
  ].map((schema) => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"], ...schema, meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${schema.id}` } }));
  return { schemas: [LIST_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}
