// Who is asking, from where: the request id, client IP and user agent that go
// into every audit row. The portal's own HTTP server (scripts/start.ts) sets
// x-portal-request-id and x-portal-client-ip after discarding any copies the
// client sent, so neither can be forged from outside.
import "server-only";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { CLIENT_IP_HEADER_NAME, REQUEST_ID_HEADER_NAME } from "./front-headers";


export type RequestContext = { requestId: string; ip: string | null; userAgent: string | null };

export async function getRequestContext(): Promise<RequestContext> {
  const incoming = await headers();
  return {
    requestId: incoming.get(REQUEST_ID_HEADER_NAME) ?? randomUUID(),
    ip: incoming.get(CLIENT_IP_HEADER_NAME),
    userAgent: incoming.get("user-agent")?.slice(0, 512) ?? null,
  };
}
