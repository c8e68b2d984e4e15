// Shared by the portal's HTTP front (server/http/front.ts) and the request
// context reader: the names of the headers the front asserts, and how the
// client address is chosen. No "server-only": the start script imports it.
import net from "node:net";
import type { TrustedProxy } from "@/server/config/env";

export const REQUEST_ID_HEADER_NAME = "x-portal-request-id";
export const CLIENT_IP_HEADER_NAME = "x-portal-client-ip";
/** set by the front when it refuses a request that Next.js then audits (app/portal-front/refusal) */
export const REFUSAL_HEADER_NAME = "x-portal-refusal";
/** "1" when the client itself is loopback (connecting directly, relaying nobody) or a trusted proxy (the metrics endpoint's scrape rule) */
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
 * An X-Forwarded-For entry as a plain address ("198.51.100.1", "198.51.100.1:4711",
 * "2001:db8::1", "[2001:db8::1]:4711", "::ffff:198.51.100.1"), or null when it is none.
 */
function forwardedAddress(entry: string): string | null {
  let text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(":"));
  const plain = normalizeAddress(text);
  return net.isIP(plain) !== 0 ? plain : null;
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy;
 * then the right-most X-Forwarded-For entry that is not itself a trusted
 * proxy (what the nearest untrusted hop told our proxies). Entries left of
 * that are client-supplied and never believed — also when the entry our
 * proxies wrote is not an address ("unknown"): then the client is unknown and
 * the nearest trusted proxy is named instead.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trust: ProxyTrust): string | null {
  if (!socketAddress) return null;
  const peer = normalizeAddress(socketAddress);
  if (!trust.isTrusted(peer)) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const entries = header
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  let nearest = peer;
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const hop = forwardedAddress(entries[index]!);
    if (hop === null) return nearest;
    if (!trust.isTrusted(hop)) return hop;
    nearest = hop;
  }
  return nearest;
}
