// GET /portal-front/refusal — reached only through the portal's HTTP front,
// which rewrites a refused request here (x-portal-refusal names why; clients
// cannot send that header, the front discards it). Audits the refusal and
// answers it as JSON. Reached any other way: 404.
import { headers } from "next/headers";
import { jsonError } from "@/server/http/api-response";
import { AppError } from "@/server/http/app-error";
import { REFUSAL_HEADER_NAME, REFUSED_METHOD_HEADER_NAME, REFUSED_PATH_HEADER_NAME } from "@/server/http/front-headers";
import { allowedMethodsFor, isFrontRefusal, recordFrontRefusal } from "@/server/data/record-front-refusal";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const incoming = await headers();
  const kind = incoming.get(REFUSAL_HEADER_NAME);
  if (!isFrontRefusal(kind)) return jsonError(new AppError("not_found", "There is nothing here."));
  const path = incoming.get(REFUSED_PATH_HEADER_NAME) ?? "?";
  const response = jsonError(await recordFrontRefusal(kind, incoming.get(REFUSED_METHOD_HEADER_NAME) ?? "?", path));
  const allowed = response.status === 405 ? allowedMethodsFor(path) : null;
  if (allowed) response.headers.set("Allow", allowed.join(", "));
  return response;
}
