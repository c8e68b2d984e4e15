// Shared by the portal's HTTP front (scripts/start.ts) and the request
// context reader: the names of the headers the front asserts, and how the
// client address is chosen. No "server-only": the start script imports it.
import net from "node:net";

export const REQUEST_ID_HEADER_NAME = "x-portal-request-id";
export const CLIENT_IP_HEADER_NAME = "x-portal-client-ip";

/**
 * The socket's peer address, unless the operator names a header set by a
 * trusted reverse proxy (TRUSTED_PROXY_HEADER, e.g. x-forwarded-for), whose
 * right-most valid address is taken (the one the proxy itself appended).
 */
export function clientAddress(socketAddress: string | undefined, trusted: string | string[] | undefined): string | null {
  const header = Array.isArray(trusted) ? trusted.join(",") : trusted;
  if (header) {
    const candidates = header.split(",").map((part) => part.trim()).filter((part) => net.isIP(part) !== 0);
    const last = candidates.at(-1);
    if (last) return last;
  }
  if (!socketAddress) return null;
  return socketAddress.startsWith("::ffff:") ? socketAddress.slice(7) : socketAddress;
}
