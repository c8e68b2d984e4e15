// The HTTP Event Collector sink: batches of Splunk HEC-compatible JSON events
// (https://docs.splunk.com/Documentation/Splunk/latest/Data/FormateventsforHTTPEventCollector)
// POSTed with `Authorization: Splunk <token>`, one event object per line:
//
//   {"time":1732410123.456,"host":"portal.example.com","source":"telemetry-portal:audit",
//    "sourcetype":"ocsf:api_activity","index":"…","event":{ …OCSF API Activity… }}
//
// A 2xx answer acknowledges the whole batch. A batch is cut at
// HEC_MAX_BATCH_BYTES (Splunk Cloud's limit per request); a 413 halves it and
// tries again, down to one event. Anything else fails the batch, with the
// status and the first 200 characters of the answer in the message (the
// token is never part of a message). Splunk's optional indexer
// acknowledgement (channels, /services/collector/ack) is not used: the HEC's
// own 2xx is the acknowledgement.
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import http from "node:http";
import https from "node:https";
import { toOcsfApiActivity } from "./ocsf";
import type { SiemAuditRow } from "./siem-audit-row";
import { SinkError, type SiemSink } from "./siem-sink";

export const HEC_SOURCE = "telemetry-portal:audit";
export const HEC_SOURCETYPE = "ocsf:api_activity";
export const HEC_MAX_BATCH_BYTES = 1_000_000;

export type HecSinkOptions = {
  name: string;
  url: string;
  token: string;
  /** PEM CA certificates trusted for https:// (default: Node's roots) */
  ca?: string | Buffer;
  index?: string;
  /** the `host` field: the portal's public host */
  host: string;
  timeoutMs: number;
  maxBatchBytes?: number;
};

/** One HEC event line for a row. `time` is epoch seconds with milliseconds, as HEC takes it. */
export function toHecEvent(row: SiemAuditRow, options: { host: string; index?: string }): string {
  const time = Date.parse(row.occurredAt) / 1000;
  return JSON.stringify({
    time,
    host: options.host,
    source: HEC_SOURCE,
    sourcetype: HEC_SOURCETYPE,
    ...(options.index ? { index: options.index } : {}),
    event: toOcsfApiActivity(row),
  });
}

/** The URL shown to auditors and in logs: no query (some put tokens there), no credentials (refused by env.ts anyway). */
export function hecDestination(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export function createHecSink(options: HecSinkOptions): SiemSink {
  const url = new URL(options.url);
  const isHttps = url.protocol === "https:";
  const agent = isHttps ? new https.Agent({ keepAlive: true, maxSockets: 1, ca: options.ca }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  const destination = hecDestination(options.url);
  const maxBytes = options.maxBatchBytes ?? HEC_MAX_BATCH_BYTES;

  async function post(body: Buffer): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const request = (isHttps ? https : http).request(
        url,
        {
          method: "POST",
          agent,
          headers: {
            authorization: `Splunk ${options.token}`,
            "content-type": "application/json",
            "content-length": String(body.length),
            "user-agent": "telemetry-portal-siem",
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            if (size < 4096) chunks.push(chunk);
            size += chunk.length;
          });
          response.on("end", () => {
            clearTimeout(timer);
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
          });
          response.on("error", (error) => {
            clearTimeout(timer);
            reject(error);
          });
        },
      );
      const timer = setTimeout(() => request.destroy(new SinkError(`no answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
      request.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(body);
    });
  }

  return {
    name: options.name,
    kind: "hec",
    destination,
    async deliver(rows) {
      if (rows.length === 0) return 0;
      // As many leading rows as fit (at least one), one event per line.
      const lines: Buffer[] = [];
      let bytes = 0;
      for (const row of rows) {
        const line = Buffer.from(`${toHecEvent(row, options)}\n`, "utf8");
        if (lines.length > 0 && bytes + line.length > maxBytes) break;
        lines.push(line);
        bytes += line.length;
      }
      let count = lines.length;
      for (;;) {
        const { status, text } = await post(Buffer.concat(lines.slice(0, count)));
        if (status >= 200 && status < 300) return count;
        if (status === 413 && count > 1) {
          count = Math.ceil(count / 2);
          continue;
        }
        const answer = text.replace(/\s+/g, " ").trim().slice(0, 200);
        throw new SinkError(`the HEC answered ${status}${answer ? `: ${answer}` : ""}`);
      }
    },
    close() {
      agent.destroy();
    },
  };
}
