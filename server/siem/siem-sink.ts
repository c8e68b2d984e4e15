// What a SIEM sink is to the delivery loop (./deliver-audit-rows.ts): a stable
// name (its cursors are kept under it), where it delivers (for the console and
// the logs: never a token), and `deliver`, which sends rows in order and
// resolves once the sink has acknowledged a leading part of them.
//
// No "server-only": the job runner (scripts/start.ts) imports it.
import type { SiemAuditRow } from "./siem-audit-row";

export type SiemSinkKind = "syslog" | "hec";

export type SiemSink = {
  name: string;
  kind: SiemSinkKind;
  /** tcp://host:port, tls://host:port or the HEC URL without query: shown to auditors and in logs */
  destination: string;
  /**
   * Sends `rows` (in this order) and resolves with how many of them, from the
   * first, the sink acknowledged (at least 1 when `rows` is not empty).
   * Rejects with a SinkError when none was; the caller sends them again later.
   */
  deliver(rows: readonly SiemAuditRow[]): Promise<number>;
  /** Frees connections (keep-alive agents); the sink is not used afterwards. */
  close(): void;
};

/** A delivery that failed, with a sentence fit for the logs, the metrics' neighbours and the auditor console. */
export class SinkError extends Error {
  override name = "SinkError";
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the receiver",
  EPIPE: "the receiver closed the connection while we were sending",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed (temporary)",
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS: the receiver's certificate is self-signed and not trusted (set the CA file)",
  SELF_SIGNED_CERT_IN_CHAIN: "TLS: the receiver's certificate chain ends in an untrusted self-signed certificate (set the CA file)",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS: the receiver's certificate cannot be verified (set the CA file)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "TLS: the issuer of the receiver's certificate is not trusted (set the CA file)",
  CERT_HAS_EXPIRED: "TLS: the receiver's certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS: the receiver's certificate does not name this host",
};

/** One sentence for a failure of `destination`, naming the cause (never a token: destinations carry none). */
export function describeSinkFailure(destination: string, error: unknown): string {
  if (error instanceof SinkError) return `${destination}: ${error.message}`;
  const code = (error as { code?: unknown } | null)?.code;
  const words = typeof code === "string" ? NETWORK_WORDS[code] : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return `${destination}: ${words ? `${words} (${typeof code === "string" ? code : ""})` : message}`;
}
