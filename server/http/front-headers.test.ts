import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/config/env";
import { clientAddress, isLoopback, normalizeAddress, proxyTrust, TRUST_NO_PROXY } from "./front-headers";

/** TRUSTED_PROXIES as an operator writes it, through the configuration schema. */
const trusting = (list: string) => proxyTrust(parseEnv({ TRUSTED_PROXIES: list }).TRUSTED_PROXIES);

describe("proxyTrust", () => {
  it("trusts nobody without TRUSTED_PROXIES", () => {
    expect(proxyTrust(undefined)).toBe(TRUST_NO_PROXY);
    expect(proxyTrust([]).isTrusted("127.0.0.1")).toBe(false);
    expect(parseEnv({}).TRUSTED_PROXIES).toBeUndefined();
  });

  it("matches single IPv4 addresses exactly", () => {
    const trust = trusting("10.0.0.1, 192.0.2.7");
    expect(trust.isTrusted("10.0.0.1")).toBe(true);
    expect(trust.isTrusted("192.0.2.7")).toBe(true);
    expect(trust.isTrusted("10.0.0.2")).toBe(false);
    expect(trust.isTrusted("10.0.0.10")).toBe(false);
    expect(trust.isTrusted("110.0.0.1")).toBe(false);
  });

  it("matches IPv4 CIDR blocks at their edges", () => {
    const trust = trusting("10.1.0.0/16,172.16.0.0/12");
    expect(trust.isTrusted("10.1.0.0")).toBe(true);
    expect(trust.isTrusted("10.1.255.255")).toBe(true);
    expect(trust.isTrusted("10.2.0.0")).toBe(false);
    expect(trust.isTrusted("10.0.255.255")).toBe(false);
    expect(trust.isTrusted("172.31.255.255")).toBe(true);
    expect(trust.isTrusted("172.32.0.0")).toBe(false);
    expect(trusting("0.0.0.0/0").isTrusted("203.0.113.9")).toBe(true);
  });

  it("matches IPv6 addresses and blocks, however the address is written", () => {
    const trust = trusting("::1, 2001:db8:1::/48");
    expect(trust.isTrusted("::1")).toBe(true);
    expect(trust.isTrusted("0:0:0:0:0:0:0:1")).toBe(true);
    expect(trust.isTrusted("::2")).toBe(false);
    expect(trust.isTrusted("2001:db8:1:ffff::5")).toBe(true);
    expect(trust.isTrusted("2001:DB8:1::5")).toBe(true);
    expect(trust.isTrusted("2001:db8:2::5")).toBe(false);
    // IPv6 entries never match IPv4 addresses that merely look alike.
    expect(trust.isTrusted("127.0.0.1")).toBe(false);
  });

  it("treats ::ffff:-mapped IPv4 peers (a dual-stack socket) as the IPv4 address, both ways round", () => {
    const v4 = trusting("10.0.0.0/8");
    expect(v4.isTrusted("::ffff:10.2.3.4")).toBe(true);
    expect(v4.isTrusted("::ffff:11.2.3.4")).toBe(false);
    const mapped = trusting("::ffff:10.0.0.0/104, ::ffff:192.0.2.7");
    expect(mapped.isTrusted("10.9.9.9")).toBe(true);
    expect(mapped.isTrusted("::ffff:10.9.9.9")).toBe(true);
    expect(mapped.isTrusted("192.0.2.7")).toBe(true);
    expect(mapped.isTrusted("11.0.0.1")).toBe(false);
  });

  it("never trusts something that is not an address", () => {
    const trust = trusting("0.0.0.0/0, ::/0");
    for (const value of ["", "unknown", "localhost", "10.0.0.1:80", "[::1]", "10.0.0.256"]) expect(trust.isTrusted(value)).toBe(false);
  });
});

describe("isLoopback and normalizeAddress", () => {
  it("knows loopback in both families and in mapped form", () => {
    for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) expect(isLoopback(address)).toBe(true);
    for (const address of ["10.0.0.1", "::2", "::ffff:10.0.0.1", "128.0.0.1", "fe80::1"]) expect(isLoopback(address)).toBe(false);
  });

  it("unwraps only real mapped IPv4 addresses", () => {
    expect(normalizeAddress("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeAddress("::ffff:abc")).toBe("::ffff:abc");
    expect(normalizeAddress("2001:db8::1")).toBe("2001:db8::1");
  });
});

describe("clientAddress", () => {
  const proxies = trusting("10.0.0.0/8, fd00::/8");

  it("is the socket peer when the peer is not a trusted proxy, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.7", "198.51.100.1", proxies)).toBe("203.0.113.7");
    expect(clientAddress("::ffff:203.0.113.7", "10.0.0.2", proxies)).toBe("203.0.113.7");
    expect(clientAddress("127.0.0.1", "198.51.100.1", TRUST_NO_PROXY)).toBe("127.0.0.1");
    expect(clientAddress(undefined, "198.51.100.1", proxies)).toBeNull();
  });

  it("behind trusted proxies is the right-most hop that is not a proxy", () => {
    expect(clientAddress("10.0.0.2", "198.51.100.1", proxies)).toBe("198.51.100.1");
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.1", proxies)).toBe("198.51.100.1");
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.3.0.1, 10.4.0.1", proxies)).toBe("198.51.100.1");
    expect(clientAddress("fd00::2", "2001:db8::7, fd00::9", proxies)).toBe("2001:db8::7");
    // Several header lines are one list, in order.
    expect(clientAddress("10.0.0.2", ["6.6.6.6", "198.51.100.1"], proxies)).toBe("198.51.100.1");
  });

  it("never believes a forged left-most entry, also when a trusted-looking address is forged", () => {
    expect(clientAddress("10.0.0.2", "10.9.9.9, 198.51.100.1", proxies)).toBe("198.51.100.1");
    expect(clientAddress("10.0.0.2", "127.0.0.1,198.51.100.1", proxies)).toBe("198.51.100.1");
  });

  it("reads the address out of entries that carry a port or brackets", () => {
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.1:4711", proxies)).toBe("198.51.100.1");
    expect(clientAddress("10.0.0.2", "6.6.6.6, [2001:db8::7]:443", proxies)).toBe("2001:db8::7");
    expect(clientAddress("10.0.0.2", "6.6.6.6, ::ffff:198.51.100.1", proxies)).toBe("198.51.100.1");
  });

  it("names the nearest trusted proxy when the entry our proxies wrote is not an address, never an entry left of it", () => {
    expect(clientAddress("10.0.0.2", "6.6.6.6, unknown", proxies)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "6.6.6.6, garbage, 10.3.0.1", proxies)).toBe("10.3.0.1");
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.1:port", proxies)).toBe("10.0.0.2");
  });

  it("is the trusted peer itself when nothing is forwarded, or only proxies are", () => {
    expect(clientAddress("10.0.0.2", undefined, proxies)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "", proxies)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", " , ", proxies)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "10.3.0.1, 10.4.0.1", proxies)).toBe("10.3.0.1");
  });
});
