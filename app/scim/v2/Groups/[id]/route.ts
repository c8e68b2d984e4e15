// GET /scim/v2/Groups/{id} — one access group and its members. PUT, PATCH and DELETE are refused (501):
// membership is access and stays governed in the portal (server/data/scim/scim-groups.ts).
import { getScimGroup, refuseScimGroupWrite } from "@/server/data/scim/scim-groups";
import { answerScim, callOf, scimBaseUrl, scimJson } from "@/server/scim/scim-http";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return answerScim(async () => scimJson(await getScimGroup(callOf(request), id, scimBaseUrl())));
}

export async function PUT(request: Request): Promise<Response> {
  return answerScim(() => refuseScimGroupWrite(callOf(request)));
}

export async function PATCH(request: Request): Promise<Response> {
  return answerScim(() => refuseScimGroupWrite(callOf(request)));
}

export async function DELETE(request: Request): Promise<Response> {
  return answerScim(() => refuseScimGroupWrite(callOf(request)));
}
