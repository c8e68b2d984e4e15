// The intake's smaller parts: body reading (limits, gzip), item splitting,
// geolocation, and the demo key. (The rate limiter keeps its buckets in the
// database: rate-limit.integration.test.ts.)
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { hashIngestionKey } from "@/server/data/admin/ingestion-key-secret";
import { DEMO_INGESTION_KEY, demoIngestionKeyRow } from "./demo-ingestion-key";
import { createGeoLocator, publicAddress, toGeoLocation } from "./geo";
import { parseItems } from "./parse-items";
import { batchStatus } from "./process-items";
import { readBody } from "./read-body";

const request = (body: BodyInit, headers: Record<string, string> = {}) => new Request("http://localhost/v2/track", { method: "POST", body, headers });

describe("readBody", () => {
  it("reads plain and gzip bodies", async () => {
    expect(await readBody(request("[1]"), 100)).toEqual({ ok: true, body: Buffer.from("[1]") });
    expect(await readBody(request(gzipSync("[1,2]"), { "content-encoding": "gzip" }), 100)).toEqual({ ok: true, body: Buffer.from("[1,2]") });
  });

  it("stops at the limit, before and after decompression", async () => {
    expect(await readBody(request("x".repeat(101)), 100)).toMatchObject({ ok: false, status: 413 });
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    const started = performance.now();
    expect(await readBody(request(bomb, { "content-encoding": "gzip" }), 100_000)).toMatchObject({ ok: false, status: 413 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("refuses broken gzip and unknown encodings", async () => {
    expect(await readBody(request("not gzip", { "content-encoding": "gzip" }), 100)).toMatchObject({ ok: false, status: 400 });
    expect(await readBody(request("x", { "content-encoding": "br" }), 100)).toMatchObject({ ok: false, status: 415 });
  });
});

describe("parseItems", () => {
  it("reads a JSON array, one object, or newline-delimited JSON", () => {
    expect(parseItems(Buffer.from('[{"a":1},{"a":2}]'))).toEqual({ ok: true, items: [{ index: 0, ok: true, value: { a: 1 } }, { index: 1, ok: true, value: { a: 2 } }] });
    expect(parseItems(Buffer.from('{\n  "a": 1\n}\n'))).toEqual({ ok: true, items: [{ index: 0, ok: true, value: { a: 1 } }] });
    expect(parseItems(Buffer.from('{"a":1}\r\n\n{"a":2}\n{oops\n'))).toEqual({
      ok: true,
      items: [
        { index: 0, ok: true, value: { a: 1 } },
        { index: 1, ok: true, value: { a: 2 } },
        { index: 2, ok: false, message: "Item 2 is not valid JSON." },
      ],
    });
    expect(parseItems(Buffer.from("   "))).toMatchObject({ ok: false });
    expect(parseItems(Buffer.from("[1,"))).toMatchObject({ ok: false });
    expect(parseItems(Buffer.from("[]"))).toMatchObject({ ok: false });
  });
});

describe("parseItems and nesting depth (issue 10, finding 6)", () => {
  const nested = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
  const TOO_DEEP = /nests arrays or objects deeper than 64 levels/;

  it("refuses an item nested 100,000 levels deep by its index, and keeps the others", () => {
    const good = '{"a":1}';
    const array = parseItems(Buffer.from(`[${good},{"deep":${nested(100_000)}},${good}]`));
    expect(array).toMatchObject({ ok: true, items: [{ index: 0, ok: true }, { index: 1, ok: false, message: expect.stringMatching(/^Item 1 nests/) }, { index: 2, ok: true }] });

    const ndjson = parseItems(Buffer.from(`${good}\n{"deep":${nested(100_000)}}\n${good}\n`));
    expect(ndjson).toMatchObject({ ok: true, items: [{ index: 0, ok: true }, { index: 1, ok: false, message: expect.stringMatching(TOO_DEEP) }, { index: 2, ok: true }] });
  });

  it("refuses a body that is one deep item, whether an array, an object or pretty-printed, naming the problem", () => {
    expect(parseItems(Buffer.from(nested(100_000)))).toMatchObject({ ok: true, items: [{ index: 0, ok: false, message: expect.stringMatching(TOO_DEEP) }] });
    expect(parseItems(Buffer.from(`{"a":${nested(100_000)}}`))).toEqual({ ok: false, message: expect.stringMatching(TOO_DEEP) });
    expect(parseItems(Buffer.from(`{\n"a":\n${nested(100_000)}\n}`))).toEqual({ ok: false, message: expect.stringMatching(TOO_DEEP) });
  });

  it("accepts an item exactly 64 levels deep", () => {
    const item = `{"a":${nested(63)}}`;
    expect(parseItems(Buffer.from(`[${item}]`))).toMatchObject({ ok: true, items: [{ index: 0, ok: true }] });
    expect(parseItems(Buffer.from(item))).toMatchObject({ ok: true, items: [{ index: 0, ok: true }] });
    expect(parseItems(Buffer.from(`{"a":${nested(64)}}`))).toMatchObject({ ok: false, message: expect.stringMatching(TOO_DEEP) });
  });
});

describe("batchStatus", () => {
  const error = (index: number, statusCode: number) => ({ index, statusCode, message: "" });
  it("is 200 for all, the shared status for none, 206 otherwise", () => {
    expect(batchStatus({ itemsReceived: 2, itemsAccepted: 2, errors: [] })).toBe(200);
    expect(batchStatus({ itemsReceived: 2, itemsAccepted: 1, errors: [error(1, 400)] })).toBe(206);
    expect(batchStatus({ itemsReceived: 2, itemsAccepted: 0, errors: [error(0, 400), error(1, 400)] })).toBe(400);
    expect(batchStatus({ itemsReceived: 2, itemsAccepted: 0, errors: [error(0, 429), error(1, 429)] })).toBe(429);
    // Mixed refusals: 206, so that SDKs retry the 429 and drop the 400.
    expect(batchStatus({ itemsReceived: 2, itemsAccepted: 0, errors: [error(0, 400), error(1, 429)] })).toBe(206);
  });
});

describe("geolocation", () => {
  it("finds the GeoLite2 test addresses and nothing for loopback or private ones", async () => {
    const geo = createGeoLocator();
    expect(await geo.locate("81.2.69.160")).toEqual({ country: "GB", region: "England", city: "Bracknell" });
    expect(await geo.locate("::ffff:2.125.160.216")).toEqual({ country: "GB", region: "England", city: "Plymouth" });
    for (const ip of ["127.0.0.1", "10.0.0.8", "192.168.1.1", "::1", "fe80::1", "fd00::1", "not an ip", null]) expect(await geo.locate(ip)).toBeNull();
    expect(publicAddress("8.8.8.8")).toEqual({ address: "8.8.8.8", family: "ipv4" });
  });

  it("reads MaxMind's own record shape too", () => {
    expect(toGeoLocation({ country: { iso_code: "de" }, subdivisions: [{ names: { en: "Bavaria" } }], city: { names: { en: "Munich" } } } as never)).toEqual({
      country: "DE",
      region: "Bavaria",
      city: "Munich",
    });
    expect(toGeoLocation({ country_code: "US", state1: "", city: "" } as never)).toEqual({ country: "US", region: null, city: null });
  });
});

describe("the demo ingestion key", () => {
  it("is stored as the hash the admin console's keys use", () => {
    expect(demoIngestionKeyRow().keyHash).toBe(hashIngestionKey(DEMO_INGESTION_KEY));
    expect(demoIngestionKeyRow().keyPrefix).not.toBe(DEMO_INGESTION_KEY);
  });
});
