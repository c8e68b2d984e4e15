// The syslog sink: RFC 5424 messages in RFC 6587 octet-counting frames over
// TCP, or over TLS (RFC 5425), one connection per batch.
//
// Syslog over TCP has no application-level acknowledgement: a write that
// "succeeded" only reached our kernel, and a receiver that dies loses what sat
// in its socket buffer. So a batch counts as delivered only when, after we
// sent all of it and closed our side (FIN; over TLS close_notify first), the
// receiver closes its side in an orderly way — which a receiver does once it
// has read the stream to its end (rsyslog, syslog-ng and Node's net servers
// all do). A reset, an error, the receiver closing first, or no close within
// SIEM_TIMEOUT_SECONDS: the batch failed, and the next attempt sends it again
// from the cursor. Duplicates are possible (at least once), losses are not,
// short of a receiver that read the data and then lost it itself.
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import net from "node:net";
import tls from "node:tls";
import type { SyslogTarget } from "@/server/config/env";
import { toOcsfApiActivity } from "./ocsf";
import type { SiemAuditRow } from "./siem-audit-row";
import { SinkError, type SiemSink } from "./siem-sink";
import { FACILITY_LOG_AUDIT, SEVERITY, formatSyslogMessage, frameOctetCounted, type SyslogMessage } from "./syslog-format";

export const SYSLOG_APP_NAME = "telemetry-portal";

export type SyslogSinkOptions = {
  name: string;
  target: SyslogTarget;
  /** PEM CA certificates trusted for tls:// (default: Node's roots) */
  ca?: string | Buffer;
  /** the HOSTNAME field: the portal's public host */
  hostname: string;
  /** the SD-ID of the audit element, e.g. audit@32473 */
  sdId: string;
  timeoutMs: number;
};

const SEVERITY_OF_OUTCOME = { allowed: SEVERITY.informational, error: SEVERITY.notice, denied: SEVERITY.warning } as const;

/** An audit row as one RFC 5424 message: the OCSF event as MSG, the row's identity in structured data. */
export function toSyslogMessage(row: SiemAuditRow, options: { hostname: string; sdId: string }): SyslogMessage {
  return {
    facility: FACILITY_LOG_AUDIT,
    severity: SEVERITY_OF_OUTCOME[row.outcome],
    timestamp: row.occurredAt,
    hostname: options.hostname,
    appName: SYSLOG_APP_NAME,
    procId: null,
    msgId: row.action,
    structuredData: [
      {
        id: options.sdId,
        params: [
          ["id", row.id],
          ["chain", row.chainId],
          ["seq", row.seq],
          ["outcome", row.outcome],
          ["actor", row.actorEmail],
          ["src", row.actorIp],
          ["request", row.requestId],
          ["purpose", row.purpose],
          ["targetType", row.targetType],
          ["targetId", row.targetId],
          ["hash", row.hash],
        ],
      },
    ],
    message: JSON.stringify(toOcsfApiActivity(row)),
  };
}

export function syslogDestination(target: SyslogTarget): string {
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  return `${target.transport}://${host}:${target.port}`;
}

export function createSyslogSink(options: SyslogSinkOptions): SiemSink {
  const destination = syslogDestination(options.target);
  return {
    name: options.name,
    kind: "syslog",
    destination,
    async deliver(rows) {
      if (rows.length === 0) return 0;
      const frames = rows.map((row) => frameOctetCounted(formatSyslogMessage(toSyslogMessage(row, options))));
      await sendSession(options, Buffer.concat(frames));
      return rows.length;
    },
    close() {},
  };
}

/** Connects, sends `payload`, closes our side and waits for the receiver's orderly close (see the top of this file). */
function sendSession(options: SyslogSinkOptions, payload: Buffer): Promise<void> {
  const { target, timeoutMs } = options;
  return new Promise<void>((resolve, reject) => {
    const socket =
      target.transport === "tls"
        ? tls.connect({ host: target.host, port: target.port, ca: options.ca, servername: net.isIP(target.host) ? undefined : target.host })
        : net.connect({ host: target.host, port: target.port });
    let sent = false; // all of the payload and our FIN handed to the kernel
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve();
      }
    };
    const timer = setTimeout(
      () =>
        finish(
          new SinkError(
            sent
              ? `the receiver did not close the connection within ${timeoutMs / 1000} s of the batch's end, so its receipt is unconfirmed (a syslog receiver closes its side when the sender closes)`
              : `no connection or the batch not sent within ${timeoutMs / 1000} s`,
          ),
        ),
      timeoutMs,
    );
    socket.on("error", (error) => finish(error));
    // A syslog receiver says nothing; whatever it says is read and ignored, so that its close is seen.
    socket.on("data", () => undefined);
    socket.on("end", () => {
      if (!sent) finish(new SinkError("the receiver closed the connection before the batch was complete"));
    });
    socket.on("close", (hadError) => {
      if (!sent || hadError) finish(new SinkError("the connection closed before the batch was confirmed"));
      else finish();
    });
    socket.once(target.transport === "tls" ? "secureConnect" : "connect", () => {
      socket.end(payload, () => {
        sent = true;
      });
    });
  });
}
