// The fuzz stage's HTTP client: node:http over a keep-alive agent (a few
// connections, reused), because the requests must go out exactly as
// generated — a raw path with bad percent-encoding or dot segments, repeated
// headers, any bytes as the body — which fetch() and Playwright's request
// context would normalize or refuse to send.
import http from "node:http";

export type RawRequest = {
  method: string;
  /** the path and query string, sent as they are */
  path: string;
  /** in order; a name may repeat */
  headers: Array<[string, string]>;
  body?: Buffer;
};

export type RawResponse = {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** the first MAX_KEPT_BODY bytes of the body */
  body: Buffer;
  /** the whole body's length */
  bodyLength: number;
  durationMs: number;
};

/** More than any error body; an export's CSV is read to the end but not kept. */
const MAX_KEPT_BODY = 64 * 1024;

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    baseURL: string,
    readonly concurrency: number,
    private readonly timeoutMs = 60_000,
  ) {
    this.base = new URL(baseURL);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  }

  send(request: RawRequest): Promise<RawResponse> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const headers: string[] = [];
      for (const [name, value] of request.headers) headers.push(name, value);
      if (!request.headers.some(([name]) => name.toLowerCase() === "host")) headers.push("Host", this.base.host);
      if (request.body !== undefined && !request.headers.some(([name]) => name.toLowerCase() === "content-length")) {
        headers.push("Content-Length", String(request.body.length));
      }
      const outgoing = http.request({
        host: this.base.hostname,
        port: this.base.port,
        method: request.method,
        path: request.path,
        agent: this.agent,
        // an array keeps repeated names and their order
        headers: headers as unknown as http.OutgoingHttpHeaders,
        // the portal must cope with what a client sends, whatever Node's own client would insist on
        insecureHTTPParser: true,
        // a redirect may carry a long URL back in its Location header
        maxHeaderSize: 256 * 1024,
      });
      outgoing.setTimeout(this.timeoutMs, () => outgoing.destroy(new Error(`no answer within ${this.timeoutMs / 1000} s`)));
      outgoing.on("error", reject);
      outgoing.on("response", (response) => {
        const kept: Buffer[] = [];
        let keptLength = 0;
        let length = 0;
        response.on("data", (chunk: Buffer) => {
          length += chunk.length;
          if (keptLength < MAX_KEPT_BODY) {
            kept.push(chunk);
            keptLength += chunk.length;
          }
        });
        response.on("error", reject);
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(kept).subarray(0, MAX_KEPT_BODY),
            bodyLength: length,
            durationMs: performance.now() - started,
          }),
        );
      });
      outgoing.end(request.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
