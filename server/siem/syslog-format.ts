// RFC 5424 syslog messages and RFC 6587 octet-counting frames (the framing
// RFC 5425 mandates over TLS, and the one that survives line breaks in a
// message). Pure functions; the transport is ./syslog-sink.ts.
//
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID k="v" …] BOM MSG
//
// Header fields are PRINTUSASCII (33–126) with RFC 5424's lengths; anything
// else is replaced by "_" and cut, and an empty field is the NILVALUE "-".
// SD-PARAM values are UTF-8 with `"`, `\` and `]` escaped by a backslash
// (RFC 5424 §6.3.3). MSG is UTF-8, so it starts with the BOM (§6.4).
//
// No "server-only": the job runner (scripts/start.ts) imports it.

/** RFC 5424 facility 13, "log audit". */
export const FACILITY_LOG_AUDIT = 13;

/** RFC 5424 severities this module uses. */
export const SEVERITY = { error: 3, warning: 4, notice: 5, informational: 6 } as const;

export type SdParam = readonly [name: string, value: string | number | null | undefined];
export type SdElement = { id: string; params: readonly SdParam[] };

export type SyslogMessage = {
  facility: number;
  severity: number;
  /** ISO 8601 UTC, e.g. 2026-11-24T01:02:03.456Z (RFC 5424 allows at most 6 fraction digits) */
  timestamp: string;
  hostname: string;
  appName: string;
  procId?: string | null;
  msgId?: string | null;
  structuredData: readonly SdElement[];
  /** the free-form part (here: JSON), sent as UTF-8 with a BOM */
  message: string;
};

const NILVALUE = "-";
const BOM = "\uFEFF";

/** A header field: PRINTUSASCII only, at most `max` characters, "-" when empty. */
export function headerField(value: string | null | undefined, max: number): string {
  if (!value) return NILVALUE;
  const printable = value.replace(/[^\x21-\x7e]/g, "_").slice(0, max);
  return printable === "" ? NILVALUE : printable;
}

/** SD-NAME (an SD-ID or a PARAM-NAME): 1–32 PRINTUSASCII except `=`, space, `]` and `"`. */
export function isSdName(name: string): boolean {
  return /^[!#-<>-\\^-~]{1,32}$/.test(name);
}

/** PARAM-VALUE escaping: `"`, `\` and `]` get a backslash (RFC 5424 §6.3.3). */
export function escapeSdValue(value: string): string {
  return value.replace(/["\\\]]/g, (character) => `\\${character}`);
}

export function formatStructuredData(elements: readonly SdElement[]): string {
  const parts: string[] = [];
  for (const element of elements) {
    if (!isSdName(element.id)) throw new RangeError(`"${element.id}" is not a valid RFC 5424 SD-ID`);
    const params = element.params
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([name, value]) => {
        if (!isSdName(name)) throw new RangeError(`"${name}" is not a valid RFC 5424 PARAM-NAME`);
        return ` ${name}="${escapeSdValue(String(value))}"`;
      });
    parts.push(`[${element.id}${params.join("")}]`);
  }
  return parts.length === 0 ? NILVALUE : parts.join("");
}

/** The message, without framing. */
export function formatSyslogMessage(message: SyslogMessage): string {
  if (!Number.isInteger(message.facility) || message.facility < 0 || message.facility > 23) throw new RangeError("facility must be 0–23");
  if (!Number.isInteger(message.severity) || message.severity < 0 || message.severity > 7) throw new RangeError("severity must be 0–7");
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(message.timestamp)) throw new RangeError("timestamp must be ISO 8601 UTC");
  const pri = message.facility * 8 + message.severity;
  const header = [
    `<${pri}>1`,
    message.timestamp,
    headerField(message.hostname, 255),
    headerField(message.appName, 48),
    headerField(message.procId, 128),
    headerField(message.msgId, 32),
  ].join(" ");
  return `${header} ${formatStructuredData(message.structuredData)} ${BOM}${message.message}`;
}

/** RFC 6587 §3.4.1 octet counting: "MSG-LEN SP SYSLOG-MSG", MSG-LEN in octets of the UTF-8 message. */
export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, "utf8");
  return Buffer.concat([Buffer.from(`${body.length} `, "ascii"), body]);
}
