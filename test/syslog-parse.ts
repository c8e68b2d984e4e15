// A strict reader of RFC 6587 octet-counted frames and RFC 5424 messages, for
// tests: what a SIEM's syslog input would have to accept. Written from the
// RFCs' ABNF, independently of server/siem/syslog-format.ts, so a formatting
// mistake there fails here instead of being read back by its own inverse.

export type Rfc5424Message = {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: Array<{ id: string; params: Array<[string, string]> }>;
  /** MSG without its BOM */
  msg: string;
  hasBom: boolean;
};

/** Splits a byte stream into octet-counted frames ("LEN SP MSG"); `rest` is an incomplete tail. */
export function splitOctetCountedFrames(stream: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const space = stream.indexOf(0x20, offset);
    if (space === -1) break;
    const lengthText = stream.subarray(offset, space).toString("ascii");
    if (!/^[1-9]\d{0,8}$/.test(lengthText)) throw new Error(`not an octet-counted frame: MSG-LEN "${lengthText.slice(0, 20)}" at byte ${offset}`);
    const length = Number(lengthText);
    if (stream.length < space + 1 + length) break;
    frames.push(stream.subarray(space + 1, space + 1 + length));
    offset = space + 1 + length;
  }
  return { frames, rest: stream.subarray(offset) };
}

const SD_NAME = /^[!#-<>-\\^-~]{1,32}$/;
const PRINTUSASCII = /^[!-~]+$/;

function headerToken(text: string, position: { at: number }, name: string, max: number): string {
  const end = text.indexOf(" ", position.at);
  if (end === -1) throw new Error(`${name}: missing`);
  const token = text.slice(position.at, end);
  if (token.length < 1 || token.length > max || !PRINTUSASCII.test(token)) throw new Error(`${name}: "${token}" is not 1–${max} printable ASCII characters`);
  position.at = end + 1;
  return token;
}

export function parseRfc5424(bytes: Buffer): Rfc5424Message {
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) throw new Error("the message is not valid UTF-8");
  const head = /^<(\d{1,3})>([1-9]\d{0,2}) /.exec(text);
  if (!head) throw new Error(`no PRI and VERSION at the start: ${JSON.stringify(text.slice(0, 20))}`);
  const pri = Number(head[1]);
  if (pri > 191 || (head[1]!.length > 1 && head[1]!.startsWith("0"))) throw new Error(`PRI ${head[1]} out of range`);
  const position = { at: head[0].length };
  const timestamp = headerToken(text, position, "TIMESTAMP", 64);
  if (timestamp !== "-" && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.test(timestamp)) throw new Error(`TIMESTAMP "${timestamp}" is not RFC 3339`);
  const hostname = headerToken(text, position, "HOSTNAME", 255);
  const appName = headerToken(text, position, "APP-NAME", 48);
  const procId = headerToken(text, position, "PROCID", 128);
  const msgId = headerToken(text, position, "MSGID", 32);

  const structuredData: Rfc5424Message["structuredData"] = [];
  let at = position.at;
  if (text[at] === "-") {
    at += 1;
  } else {
    if (text[at] !== "[") throw new Error(`STRUCTURED-DATA must be "-" or start with "[" at ${at}`);
    while (text[at] === "[") {
      at += 1;
      const idEnd = text.slice(at).search(/[ \]]/);
      if (idEnd === -1) throw new Error("SD-ELEMENT not closed");
      const id = text.slice(at, at + idEnd);
      if (!SD_NAME.test(id)) throw new Error(`SD-ID "${id}" is not valid`);
      at += idEnd;
      const params: Array<[string, string]> = [];
      while (text[at] === " ") {
        at += 1;
        const equals = text.indexOf("=", at);
        if (equals === -1) throw new Error("SD-PARAM without =");
        const name = text.slice(at, equals);
        if (!SD_NAME.test(name)) throw new Error(`PARAM-NAME "${name}" is not valid`);
        at = equals + 1;
        if (text[at] !== '"') throw new Error(`PARAM-VALUE of ${name} must start with a quote`);
        at += 1;
        let value = "";
        for (;;) {
          const character = text[at];
          if (character === undefined) throw new Error(`PARAM-VALUE of ${name} not closed`);
          if (character === "\\") {
            const next = text[at + 1];
            if (next === '"' || next === "\\" || next === "]") {
              value += next;
              at += 2;
            } else {
              value += "\\"; // RFC 5424 §6.3.3: a backslash before anything else is kept
              at += 1;
            }
            continue;
          }
          if (character === '"') break;
          if (character === "]") throw new Error(`PARAM-VALUE of ${name} has an unescaped "]"`);
          value += character;
          at += 1;
        }
        at += 1; // closing quote
        params.push([name, value]);
      }
      if (text[at] !== "]") throw new Error(`SD-ELEMENT ${id} not closed at ${at}`);
      at += 1;
      structuredData.push({ id, params });
    }
  }
  let msg = "";
  let hasBom = false;
  if (at < text.length) {
    if (text[at] !== " ") throw new Error(`expected SP before MSG at ${at}`);
    msg = text.slice(at + 1);
    if (msg.startsWith("\uFEFF")) {
      hasBom = true;
      msg = msg.slice(1);
    }
  }
  return { pri, facility: Math.floor(pri / 8), severity: pri % 8, version: Number(head[2]), timestamp, hostname, appName, procId, msgId, structuredData, msg, hasBom };
}
