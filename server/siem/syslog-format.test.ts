import { describe, expect, it } from "vitest";
import { parseRfc5424, splitOctetCountedFrames } from "@/test/syslog-parse";
import { sampleSiemRow } from "@/test/siem-fixtures";
import { escapeSdValue, formatStructuredData, formatSyslogMessage, frameOctetCounted, headerField } from "./syslog-format";
import { toSyslogMessage } from "./syslog-sink";

const base = {
  facility: 13,
  severity: 6,
  timestamp: "2026-11-24T09:15:02.345Z",
  hostname: "portal.example.com",
  appName: "telemetry-portal",
  structuredData: [],
  message: "{}",
};

describe("RFC 5424 messages", () => {
  it("writes PRI (facility × 8 + severity), version 1, the header fields and a BOM before MSG", () => {
    const text = formatSyslogMessage({ ...base, msgId: "events.list", structuredData: [{ id: "audit@32473", params: [["id", "1"]] }] });
    expect(text).toBe('<110>1 2026-11-24T09:15:02.345Z portal.example.com telemetry-portal - events.list [audit@32473 id="1"] \uFEFF{}');
    const parsed = parseRfc5424(Buffer.from(text, "utf8"));
    expect(parsed).toMatchObject({ pri: 110, facility: 13, severity: 6, version: 1, hostname: "portal.example.com", appName: "telemetry-portal", procId: "-", msgId: "events.list", hasBom: true, msg: "{}" });
  });

  it("uses the NILVALUE for empty fields and no structured data", () => {
    const text = formatSyslogMessage({ ...base, hostname: "", appName: "", procId: null, msgId: "" });
    expect(text).toBe("<110>1 2026-11-24T09:15:02.345Z - - - - - \uFEFF{}");
    expect(parseRfc5424(Buffer.from(text)).structuredData).toEqual([]);
  });

  it("keeps header fields printable ASCII and within RFC 5424's lengths", () => {
    expect(headerField("host name\twith ünicode", 255)).toBe("host_name_with__nicode");
    expect(headerField("x".repeat(60), 48)).toHaveLength(48);
    const text = formatSyslogMessage({ ...base, msgId: "a very long message id that goes on and on" });
    expect(parseRfc5424(Buffer.from(text)).msgId).toBe("a_very_long_message_id_that_goes");
  });

  it("escapes \", \\ and ] in parameter values, and nothing else", () => {
    expect(escapeSdValue('a"b\\c]d[e=f')).toBe('a\\"b\\\\c\\]d[e=f');
    const nasty = 'x"]\\ [audit@1 forged="yes"] \u00e9\u{1F600}\nnext';
    const text = formatSyslogMessage({ ...base, structuredData: [{ id: "audit@32473", params: [["targetId", nasty], ["absent", null], ["n", 7]] }] });
    const parsed = parseRfc5424(Buffer.from(text, "utf8"));
    expect(parsed.structuredData).toEqual([{ id: "audit@32473", params: [["targetId", nasty], ["n", "7"]] }]);
  });

  it("refuses invalid SD-IDs, parameter names, facilities, severities and timestamps rather than write a broken message", () => {
    expect(() => formatStructuredData([{ id: "bad id", params: [] }])).toThrow(/SD-ID/);
    expect(() => formatStructuredData([{ id: "ok@1", params: [["na=me", "v"]] }])).toThrow(/PARAM-NAME/);
    expect(() => formatSyslogMessage({ ...base, facility: 24 })).toThrow(/facility/);
    expect(() => formatSyslogMessage({ ...base, severity: 8 })).toThrow(/severity/);
    expect(() => formatSyslogMessage({ ...base, timestamp: "2026-11-24 09:15:02" })).toThrow(/timestamp/);
  });
});

describe("RFC 6587 octet counting", () => {
  it("prefixes the message with its length in octets (UTF-8), so line breaks and multi-byte text survive", () => {
    const message = "ü\n😀";
    const frame = frameOctetCounted(message);
    expect(frame.toString("utf8")).toBe(`${Buffer.byteLength(message)} ${message}`);
    expect(frame.toString("utf8").startsWith("7 ")).toBe(true); // 2 + 1 + 4 octets for 3 characters
  });

  it("frames concatenate into a stream a reader splits back exactly, whatever the chunking", () => {
    const messages = ["first", "second\nwith a line break", "ünï©ødé ] \" \\", "x".repeat(5000)];
    const stream = Buffer.concat(messages.map(frameOctetCounted));
    const { frames, rest } = splitOctetCountedFrames(stream);
    expect(frames.map((frame) => frame.toString("utf8"))).toEqual(messages);
    expect(rest.length).toBe(0);
    const { frames: partial, rest: tail } = splitOctetCountedFrames(stream.subarray(0, stream.length - 10));
    expect(partial).toHaveLength(3);
    expect(tail.length).toBeGreaterThan(0);
  });
});

describe("an audit row as a syslog message", () => {
  it("carries the row's identity in structured data and the OCSF event as MSG, with severity from the outcome", () => {
    const row = sampleSiemRow({ outcome: "denied", reason: "forbidden: Your role does not allow this.", targetType: "event", targetId: 'id"with]odd\\chars' });
    const frame = frameOctetCounted(formatSyslogMessage(toSyslogMessage(row, { hostname: "portal.example.com", sdId: "audit@32473" })));
    const [only] = splitOctetCountedFrames(frame).frames;
    const parsed = parseRfc5424(only ?? Buffer.alloc(0));
    expect(parsed).toMatchObject({ facility: 13, severity: 4, timestamp: row.occurredAt, hostname: "portal.example.com", appName: "telemetry-portal", msgId: "events.list", hasBom: true });
    const params = Object.fromEntries(parsed.structuredData[0]?.params ?? []);
    expect(parsed.structuredData[0]?.id).toBe("audit@32473");
    expect(params).toMatchObject({ id: "4711", chain: "3", seq: "128", outcome: "denied", actor: row.actorEmail, src: "203.0.113.7", request: row.requestId, targetId: 'id"with]odd\\chars', hash: row.hash });
    const event = JSON.parse(parsed.msg) as { class_uid: number; metadata: { uid: string } };
    expect(event.class_uid).toBe(6003);
    expect(event.metadata.uid).toBe("4711");
  });

  it("maps allowed to informational and error to notice", () => {
    const severity = (outcome: "allowed" | "error") => toSyslogMessage(sampleSiemRow({ outcome }), { hostname: "h", sdId: "a@1" }).severity;
    expect(severity("allowed")).toBe(6);
    expect(severity("error")).toBe(5);
  });
});
