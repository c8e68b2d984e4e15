// GET /scim/v2/ServiceProviderConfig — SCIM discovery (RFC 7644 §4); static, no personal data, no token needed.
import { serviceProviderConfig } from "@/server/scim/scim-discovery";
import { scimBaseUrl, scimJson } from "@/server/scim/scim-http";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return scimJson(serviceProviderConfig(scimBaseUrl()));
}
