// Real receivers for notification tests: an SMTP server (smtp-server, the
// relay nodemailer talks to) and an HTTP server (a webhook), both on
// loopback. They record what arrived; nothing is mocked on the portal's side.
import http from "node:http";
import net from "node:net";
import { SMTPServer } from "smtp-server";

export type ReceivedMail = {
  from: string;
  to: string[];
  /** header names lower-cased, folded lines unfolded */
  headers: Record<string, string>;
  /** the text body, quoted-printable decoded */
  text: string;
};

export type SmtpReceiver = {
  port: number;
  messages: ReceivedMail[];
  close(): Promise<void>;
};

/** A port free right now on 127.0.0.1 (for a receiver started later, "after it comes back"). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function parseMail(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = split === -1 ? raw : raw.slice(0, split);
  let body = split === -1 ? "" : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (/quoted-printable/i.test(headers["content-transfer-encoding"] ?? "")) {
    const bytes = body.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    body = Buffer.from(bytes, "latin1").toString("utf8");
  }
  return { headers, text: body.replace(/\r\n/g, "\n") };
}

/** An SMTP relay on 127.0.0.1 (no TLS, no auth); `reject` names recipients it refuses with 550. */
export async function startSmtpReceiver(options: { port?: number; reject?: readonly string[] } = {}): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = [];
  const reject = new Set((options.reject ?? []).map((address) => address.toLowerCase()));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (reject.has(address.address.toLowerCase())) {
        const error = Object.assign(new Error("5.1.1 Mailbox unavailable"), { responseCode: 550 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const { headers, text } = parseMail(Buffer.concat(chunks).toString("utf8"));
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        messages.push({ from, to: session.envelope.rcptTo.map((item) => item.address), headers, text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type ReceivedRequest = { method: string; path: string; headers: http.IncomingHttpHeaders; body: string };

export type HttpReceiver = {
  port: number;
  url: string;
  requests: ReceivedRequest[];
  /** the status the next requests are answered with (default 200) */
  respondWith(status: number): void;
  close(): Promise<void>;
};

/** An HTTP server on 127.0.0.1 that records every request and answers `respondWith`'s status. */
export async function startHttpReceiver(options: { port?: number; path?: string } = {}): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  let status = 200;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(status, { "Content-Type": "text/plain" });
      response.end(status < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}${options.path ?? "/hook"}`,
    requests,
    respondWith(next) {
      status = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
