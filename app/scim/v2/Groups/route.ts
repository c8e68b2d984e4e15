// GET /scim/v2/Groups — the access groups and who holds each, read-only. POST is refused (501):
// membership is access and stays governed in the portal (server/data/scim/scim-groups.ts).
import { listScimGroups, refuseScimGroupWrite } from "@/server/data/scim/scim-groups";
import { answerScim, callOf, scimBaseUrl, scimJson } from "@/server/scim/scim-http";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return answerScim(async () => scimJson(await listScimGroups(callOf(request), new URL(request.url).searchParams, scimBaseUrl())));
}

export async function POST(request: Request): Promise<Response> {
  return answerScim(() => refuseScimGroupWrite(callOf(request)));
}
