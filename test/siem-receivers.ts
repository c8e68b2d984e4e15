// Real SIEM receivers for tests, on loopback ports: a syslog listener (TCP, or
// TLS with a certificate made for the test by openssl) that reads RFC 6587
// octet-counted frames, and a Splunk HEC-compatible HTTP(S) endpoint. Both can
// be killed mid-stream — every connection destroyed without reading what is
// still buffered, the listener closed — and started again on the same port.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { splitOctetCountedFrames } from "./syslog-parse";

export type TestCertificate = { key: string; cert: string; dir: string };

/** A self-signed certificate for localhost and 127.0.0.1 (P-256), made now with openssl. */
export function makeTestCertificate(): TestCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tp-siem-cert-"));
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    { stdio: "ignore" },
  );
  return { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8"), dir };
}

type Killable = {
  port: number;
  /** resets every connection (nothing more is read) and stops listening */
  kill(): Promise<void>;
  /** listens again on the same port */
  restart(): Promise<void>;
  close(): Promise<void>;
};

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/**
 * A server that can be killed like a crashed process with data still unread:
 * every connection is reset (RST, as the kernel does when a socket closes
 * with unread data), so the sender can never mistake the kill for an orderly
 * close. The raw TCP sockets are tracked (for TLS too, beneath the TLS layer).
 */
function killable(makeServer: () => net.Server): { port: () => number; start(port: number): Promise<void>; kill(): Promise<void> } {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  return {
    port: () => port,
    async start(wanted: number) {
      server = makeServer();
      server.on("connection", (socket: net.Socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      port = await listen(server, wanted);
    },
    async kill() {
      const current = server;
      server = null;
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
}

export type SyslogReceiver = Killable & {
  /** every complete frame received, in arrival order, across connections and restarts */
  frames: Buffer[];
  connections: number;
  /** kill the receiver once this many frames have arrived in total (after the chunk that reached it) */
  killAfterFrames(count: number): Promise<void>;
};

export async function startSyslogReceiver(options: { tls?: TestCertificate } = {}): Promise<SyslogReceiver> {
  let killAt: { count: number; done: () => void } | null = null;
  const receiver: SyslogReceiver = {
    port: 0,
    frames: [],
    connections: 0,
    kill: async () => undefined,
    restart: async () => undefined,
    close: async () => undefined,
    killAfterFrames(count) {
      return new Promise<void>((resolve) => {
        killAt = { count, done: resolve };
      });
    },
  };
  const onConnection = (socket: net.Socket) => {
    receiver.connections += 1;
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      const { frames, rest } = splitOctetCountedFrames(Buffer.concat([pending, chunk]));
      pending = Buffer.from(rest);
      receiver.frames.push(...frames);
      if (killAt && receiver.frames.length >= killAt.count) {
        const { done } = killAt;
        killAt = null;
        void life.kill().then(() => done());
      }
    });
    // allowHalfOpen is false: when the sender closes, this side closes too, once everything was read.
    socket.on("error", () => undefined);
  };
  const life = killable(() => (options.tls ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onConnection) : net.createServer(onConnection)));
  await life.start(0);
  receiver.port = life.port();
  receiver.kill = () => life.kill();
  receiver.restart = () => life.start(receiver.port);
  receiver.close = () => life.kill();
  return receiver;
}

export type HecRequest = { authorization: string | undefined; contentType: string | undefined; lines: string[] };

export type HecReceiver = Killable & {
  url: string;
  /** every event line of every request, in arrival order */
  events: Array<Record<string, unknown>>;
  requests: HecRequest[];
  /** answer the next requests with this status (and a Splunk-like JSON body) instead of 200; null for 200 */
  answerWith: number | null;
  /** answer 413 to a request with more events than this (Splunk's max_content_length), null for no limit */
  maxEventsPerRequest: number | null;
  /** kill the receiver in the middle of the request that brings the event count to `count` (its first events are kept) */
  killAfterEvents(count: number): Promise<void>;
};

export async function startHecReceiver(options: { token: string; tls?: TestCertificate }): Promise<HecReceiver> {
  let killAt: { count: number; done: () => void } | null = null;
  const receiver: HecReceiver = {
    port: 0,
    url: "",
    events: [],
    requests: [],
    answerWith: null,
    maxEventsPerRequest: null,
    kill: async () => undefined,
    restart: async () => undefined,
    close: async () => undefined,
    killAfterEvents(count) {
      return new Promise<void>((resolve) => {
        killAt = { count, done: resolve };
      });
    },
  };
  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const lines = Buffer.concat(chunks).toString("utf8").split("\n").filter((line) => line.trim() !== "");
      receiver.requests.push({ authorization: request.headers.authorization, contentType: request.headers["content-type"], lines });
      if (request.headers.authorization !== `Splunk ${options.token}`) {
        response.writeHead(401, { "content-type": "application/json" }).end('{"text":"Invalid authorization","code":3}');
        return;
      }
      if (receiver.maxEventsPerRequest !== null && lines.length > receiver.maxEventsPerRequest) {
        response.writeHead(413, { "content-type": "application/json" }).end('{"text":"Content too large","code":27}');
        return;
      }
      if (receiver.answerWith !== null) {
        response.writeHead(receiver.answerWith, { "content-type": "application/json" }).end(`{"text":"Server is busy","code":9}`);
        return;
      }
      for (const line of lines) {
        receiver.events.push(JSON.parse(line) as Record<string, unknown>);
        if (killAt && receiver.events.length >= killAt.count) {
          // Dies in the middle of the request: what it took so far is kept, no answer is sent.
          const { done } = killAt;
          killAt = null;
          void life.kill().then(() => done());
          return;
        }
      }
      response.writeHead(200, { "content-type": "application/json" }).end('{"text":"Success","code":0}');
    });
  };
  const life = killable(() => (options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler)));
  await life.start(0);
  receiver.port = life.port();
  receiver.url = `${options.tls ? "https" : "http"}://${options.tls ? "localhost" : "127.0.0.1"}:${receiver.port}/services/collector/event`;
  receiver.kill = () => life.kill();
  receiver.restart = () => life.start(receiver.port);
  receiver.close = () => life.kill();
  return receiver;
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, 0);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
