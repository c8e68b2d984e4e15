// GET /scim/v2/Users — list or find people (filter=userName eq "…", startIndex, count), for an identity provider.
// POST /scim/v2/Users — add a person to the access list, without any grant.
import { createScimUser, listScimUsers } from "@/server/data/scim/scim-users";
import { ScimError } from "@/server/scim/scim-error";
import { answerScim, callOf, readScimBody, scimBaseUrl, scimJson } from "@/server/scim/scim-http";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return answerScim(async () => scimJson(await listScimUsers(callOf(request), new URL(request.url).searchParams, scimBaseUrl())));
}

export async function POST(request: Request): Promise<Response> {
  return answerScim(async () => {
    const body = await readScimBody(request).catch((error: unknown) => (error instanceof ScimError ? error : Promise.reject(error)));
    const user = await createScimUser(callOf(request), body, scimBaseUrl());
    return scimJson(user, 201, { Location: user.meta.location });
  });
}
