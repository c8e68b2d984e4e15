// The SIEM sinks the environment configures (server/config/env.ts:
// SIEM_SYSLOG_URL, SIEM_HEC_URL and friends). Names are stable — they key the
// delivery cursors — so a restart, or a new instance, continues where the
// last delivery stopped.
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import fs from "node:fs";
import type { PortalEnv } from "@/server/config/env";
import { createHecSink, hecDestination } from "./hec-sink";
import { SinkError, type SiemSink, type SiemSinkKind } from "./siem-sink";
import { createSyslogSink, syslogDestination } from "./syslog-sink";

export type ConfiguredSink = { name: string; kind: SiemSinkKind; destination: string };

type SiemEnv = Pick<
  PortalEnv,
  | "PORTAL_URL"
  | "SIEM_SYSLOG_URL"
  | "SIEM_SYSLOG_CA_FILE"
  | "SIEM_SYSLOG_NAME"
  | "SIEM_SYSLOG_SD_ID"
  | "SIEM_HEC_URL"
  | "SIEM_HEC_TOKEN"
  | "SIEM_HEC_CA_FILE"
  | "SIEM_HEC_INDEX"
  | "SIEM_HEC_NAME"
  | "SIEM_TIMEOUT_SECONDS"
>;

/** What the console lists: no file is read, no token shown. */
export function configuredSinks(env: SiemEnv): ConfiguredSink[] {
  const sinks: ConfiguredSink[] = [];
  if (env.SIEM_SYSLOG_URL) sinks.push({ name: env.SIEM_SYSLOG_NAME, kind: "syslog", destination: syslogDestination(env.SIEM_SYSLOG_URL) });
  if (env.SIEM_HEC_URL) sinks.push({ name: env.SIEM_HEC_NAME, kind: "hec", destination: hecDestination(env.SIEM_HEC_URL) });
  return sinks;
}

/** A sink that cannot be built (its CA file unreadable) fails each delivery with the reason, like an unreachable one. */
function brokenSink(sink: ConfiguredSink, reason: string): SiemSink {
  return {
    ...sink,
    deliver: () => Promise.reject(new SinkError(reason)),
    close() {},
  };
}

function readCa(variable: string, file: string | undefined): { ca?: Buffer; error?: string } {
  if (!file) return {};
  try {
    return { ca: fs.readFileSync(file) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { error: `${variable} (${file}) cannot be read${code ? `: ${code}` : ""}` };
  }
}

/** The configured sinks, ready to deliver; close each when done. */
export function createConfiguredSinks(env: SiemEnv): SiemSink[] {
  const host = new URL(env.PORTAL_URL).hostname;
  const timeoutMs = env.SIEM_TIMEOUT_SECONDS * 1000;
  const sinks: SiemSink[] = [];
  for (const sink of configuredSinks(env)) {
    if (sink.kind === "syslog" && env.SIEM_SYSLOG_URL) {
      const { ca, error } = readCa("SIEM_SYSLOG_CA_FILE", env.SIEM_SYSLOG_CA_FILE);
      sinks.push(error ? brokenSink(sink, error) : createSyslogSink({ name: sink.name, target: env.SIEM_SYSLOG_URL, ca, hostname: host, sdId: env.SIEM_SYSLOG_SD_ID, timeoutMs }));
    } else if (sink.kind === "hec" && env.SIEM_HEC_URL && env.SIEM_HEC_TOKEN) {
      const { ca, error } = readCa("SIEM_HEC_CA_FILE", env.SIEM_HEC_CA_FILE);
      sinks.push(
        error ? brokenSink(sink, error) : createHecSink({ name: sink.name, url: env.SIEM_HEC_URL, token: env.SIEM_HEC_TOKEN, ca, index: env.SIEM_HEC_INDEX, host, timeoutMs }),
      );
    }
  }
  return sinks;
}
