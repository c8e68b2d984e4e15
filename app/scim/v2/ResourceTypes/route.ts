// GET /scim/v2/ResourceTypes — SCIM discovery (RFC 7644 §4); static, no personal data, no token needed.
import { resourceTypes } from "@/server/scim/scim-discovery";
import { scimBaseUrl, scimJson } from "@/server/scim/scim-http";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return scimJson(resourceTypes(scimBaseUrl()));
}
