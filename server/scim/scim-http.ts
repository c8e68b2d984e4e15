// How the SCIM route handlers read requests and answer: application/scim+json
// (or application/json) bodies, SCIM errors (RFC 7644 §3.12), no caching.
import "server-only";
import { getEnv } from "@/server/config/env";
import { ScimError } from "./scim-error";
import type { ScimCall } from "./scim-gate";

export const SCIM_CONTENT_TYPE = "application/scim+json";
const MAX_BODY_BYTES = 256 * 1024;

export function scimBaseUrl(): string {
  return `${getEnv().PORTAL_URL.replace(/\/$/, "")}/scim/v2`;
}

export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": `${SCIM_CONTENT_TYPE}; charset=utf-8`, "Cache-Control": "private, no-store", ...headers },
  });
}

export function scimErrorResponse(error: ScimError): Response {
  return scimJson(error.toJSON(), error.status, error.status === 503 ? { "Retry-After": "5" } : error.status === 401 ? { "WWW-Authenticate": 'Bearer realm="scim"' } : {});
}

export function callOf(request: Request): ScimCall {
  const url = new URL(request.url);
  return { method: request.method, path: url.pathname, authorization: request.headers.get("authorization") };
}

/** The request's JSON body; 415 for another media type, 400 for JSON that does not parse. */
export async function readScimBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type")?.split(";", 1)[0]?.trim().toLowerCase();
  if (type !== SCIM_CONTENT_TYPE && type !== "application/json") {
    throw new ScimError(415, `Content-Type: send ${SCIM_CONTENT_TYPE} (or application/json).`);
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new ScimError(413, `The body must be at most ${MAX_BODY_BYTES} bytes.`, "tooMany");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ScimError(400, "The body is not valid JSON.", "invalidSyntax");
  }
}

/** Runs a handler; every ScimError becomes its SCIM answer. */
export async function answerScim(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof ScimError) return scimErrorResponse(error);
    console.error("Unexpected error in a SCIM route", error);
    return scimErrorResponse(new ScimError(500, "Something went wrong on the portal's side."));
  }
}
