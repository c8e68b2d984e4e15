// GET, POST /api/auth/* — Auth.js protocol endpoints (sign-in, callback, sign-out).
// A failed sign-in's error page names the real cause (server/auth/sign-in-failure.ts).
import type { NextRequest } from "next/server";
import { handlers } from "@/server/auth";
import { takeSignInFailure } from "@/server/auth/sign-in-failure";
import { settleSignIn } from "@/server/auth/unfinished-sign-in";
import { REQUEST_ID_HEADER_NAME } from "@/server/http/front-headers";

export const dynamic = "force-dynamic";

async function withRealCause(request: NextRequest, handler: (request: NextRequest) => Promise<Response>): Promise<Response> {
  const response = await handler(request);
  const requestId = request.headers.get(REQUEST_ID_HEADER_NAME);
  const failure = requestId ? takeSignInFailure(requestId) : undefined;
  const location = response.headers.get("location");
  const target = location ? new URL(location, request.nextUrl.origin) : null;
  const errorCode = target?.searchParams.get("error") ?? null;
  // An identity check that passed but ended on an error page is audited as such.
  if (requestId) await settleSignIn(requestId, errorCode === null ? null : (failure ?? errorCode));
  if (!failure || !target || errorCode === null) return response;
  target.searchParams.set("error", failure);
  const rewritten = new Response(null, { status: response.status, headers: response.headers });
  rewritten.headers.set("location", target.toString());
  return rewritten;
}

export function GET(request: NextRequest): Promise<Response> {
  return withRealCause(request, handlers.GET);
}

export function POST(request: NextRequest): Promise<Response> {
  return withRealCause(request, handlers.POST);
}
