// Shared by the portal's HTTP front (server/http/front.ts) and the request
// context reader: the names of the headers the front asserts, and how the
// client address is chosen. No "server-only": the start script imports it.
import net from "node:net";
import type { TrustedProxy } from "@/server/config/env";

export const REQUEST_ID_HEADER_NAME = "x-portal-request-id";
export const CLIENT_IP_HEADER_NAME = "x-portal-client-ip";
/** set by the front when it refuses a request that Next.js then audits (app/portal-front/refusal) */
export const REFUSAL_HEADER_NAME = "x-portal-refusal";
/** "1" when the client (see clientAddress: not a trusted proxy forwarding someone else) is loopback or a trusted proxy — the metrics endpoint's scrape rule */
export const PEER_TRUSTED_HEADER_NAME = "x-portal-peer-trusted";
export const REFUSED_METHOD_HEADER_NAME = "x-portal-refused-method";
export const REFUSED_PATH_HEADER_NAME = "x-portal-refused-path";
/** the response header that joins a user's report, a log line and an audit row */
export const RESPONSE_REQUEST_ID_HEADER = "X-Request-Id";

export type ProxyTrust = { isTrusted(address: string): boolean };

/** No proxy is trusted: the socket peer is the client. */
export const TRUST_NO_PROXY: ProxyTrust = { isTrusted: () => false };

export function proxyTrust(proxies: readonly TrustedProxy[] | undefined): ProxyTrust {
  if (!proxies?.length) return TRUST_NO_PROXY;
  const list = new net.BlockList();
  for (const proxy of proxies) {
    if (proxy.prefix === (proxy.family === "ipv6" ? 128 : 32)) list.addAddress(proxy.address, proxy.family);
    else list.addSubnet(proxy.address, proxy.prefix, proxy.family);
  }
  return {
    isTrusted(address) {
      const plain = normalizeAddress(address);
      const family = net.isIP(plain);
      if (family === 0) return false;
      return list.check(plain, family === 6 ? "ipv6" : "ipv4");
    },
  };
}

export function isLoopback(address: string): boolean {
  const plain = normalizeAddress(address);
  return plain === "::1" || (net.isIPv4(plain) && plain.startsWith("127."));
}

/** "::ffff:10.0.0.1" → "10.0.0.1" */
export function normalizeAddress(address: string): string {
  return address.startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy;
 * then the right-most X-Forwarded-For entry that is not itself a trusted
 * proxy (what the nearest untrusted hop told our proxies). Entries left of
 * that are client-supplied and never believed.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trust: ProxyTrust): string | null {
  if (!socketAddress) return null;
  const peer = normalizeAddress(socketAddress);
  if (!trust.isTrusted(peer)) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const hops = header
    .split(",")
    .map((part) => normalizeAddress(part.trim()))
    .filter((part) => net.isIP(part) !== 0);
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index]!;
    if (!trust.isTrusted(hop)) return hop;
  }
  return hops[0] ?? peer;
}
