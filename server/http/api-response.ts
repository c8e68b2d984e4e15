// JSON responses for /api/v1: private, never cached, errors as JSON with the
// status the AppError code maps to — never an HTML page or a redirect.
import "server-only";
import { NextResponse } from "next/server";
import type { AuditAction } from "@/lib/audit/actions";
import { recordRefusal } from "@/server/access/audited";
import { AppError, isAppError } from "./app-error";

const PRIVATE_HEADERS = { "Cache-Control": "private, no-store, max-age=0" } as const;

export function jsonOk(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): NextResponse {
  return NextResponse.json(body, { status: init.status ?? 200, headers: { ...PRIVATE_HEADERS, ...init.headers } });
}

export function jsonError(error: unknown): NextResponse {
  if (isAppError(error)) {
    const headers: Record<string, string> = { ...PRIVATE_HEADERS };
    if (error.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="telemetry-portal"';
    if (error.status === 503) headers["Retry-After"] = "5";
    return NextResponse.json(
      { error: { code: error.code, message: error.message, ...(error.detail ? { reason: error.detail } : {}), issues: error.issues } },
      { status: error.status, headers },
    );
  }
  console.error("Unhandled error in API route", error);
  return NextResponse.json({ error: { code: "internal", message: "Something went wrong on our side." } }, { status: 500, headers: PRIVATE_HEADERS });
}

/** Wraps a route handler body: its result as JSON, or its error as JSON. */
export async function respond(handler: () => Promise<unknown>): Promise<NextResponse> {
  try {
    return jsonOk(await handler());
  } catch (error) {
    return jsonError(error);
  }
}

/**
 * Reads a JSON body; a body that is not JSON is a 400, not a 500, and is
 * audited as a refusal of `action` (the body is read before the data layer's
 * gate, which audits everything after it).
 */
export async function readJson(request: Request, action: AuditAction): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw await recordRefusal({ action, permission: null }, new AppError("invalid_input", "The request body must be JSON.", [{ path: "(body)", message: "is not JSON" }]));
  }
}
