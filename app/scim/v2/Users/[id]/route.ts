// GET /scim/v2/Users/{id} — one person as SCIM. PUT replaces, PATCH changes (active=false deactivates:
// sessions ended, grants suspended), DELETE deactivates and marks removed (the record is kept).
import { deleteScimUser, getScimUser, patchScimUser, replaceScimUser } from "@/server/data/scim/scim-users";
import { ScimError } from "@/server/scim/scim-error";
import { answerScim, callOf, readScimBody, scimBaseUrl, scimJson } from "@/server/scim/scim-http";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

const bodyOf = (request: Request) => readScimBody(request).catch((error: unknown) => (error instanceof ScimError ? error : Promise.reject(error)));

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return answerScim(async () => scimJson(await getScimUser(callOf(request), id, scimBaseUrl())));
}

export async function PUT(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return answerScim(async () => scimJson(await replaceScimUser(callOf(request), id, await bodyOf(request), scimBaseUrl())));
}

export async function PATCH(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return answerScim(async () => scimJson(await patchScimUser(callOf(request), id, await bodyOf(request), scimBaseUrl())));
}

export async function DELETE(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return answerScim(async () => {
    await deleteScimUser(callOf(request), id);
    return scimJson(null, 204);
  });
}
