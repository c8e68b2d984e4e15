// The audit log's signed checkpoints for auditors: the newest one and its
// signature status, its copies outside the database (the checkpoint
// directory, the witnesses that cosigned it), the public key to keep, and a
// consistency proof between two checkpoints to download. Renders; does not fetch.
import { formatUtc } from "@/lib/telemetry/format";
import type { CheckpointStatusDto } from "@/server/data/audit/get-audit-checkpoints";

const FILE_STATUS: Record<NonNullable<CheckpointStatusDto["latest"]>["file"]["status"], { text: string; ok: boolean }> = {
  identical: { text: "present and identical", ok: true },
  missing: { text: "missing from the checkpoint directory", ok: false },
  different: { text: "DIFFERENT from the stored checkpoint — the log was rewound or forked", ok: false },
  no_directory: { text: "no checkpoint directory is configured", ok: false },
};

export function CheckpointPanel({ status }: { status: CheckpointStatusDto }) {
  const latest = status.latest;
  return (
    <section className="card" aria-labelledby="checkpoints-heading">
      <h2 id="checkpoints-heading" style={{ marginTop: 0 }}>
        Signed checkpoints
      </h2>
      <p className="subtle">
        Every minute the audit log&apos;s Merkle root is signed and copied outside the database, so that rows cut or rewritten by whoever runs the database are
        detected against the copies.
      </p>
      {!status.enabled ? (
        <p className="notice notice--warn" role="status">
          {status.disabledReason}
        </p>
      ) : null}
      {latest ? (
        <dl className="props">
          <dt>Newest checkpoint</dt>
          <dd>
            {latest.treeSize.toLocaleString("en-US")} rows, signed {formatUtc(latest.issuedAt, false)} UTC ({status.checkpointCount.toLocaleString("en-US")} checkpoints in all)
          </dd>
          <dt>Root hash</dt>
          <dd className="mono break">{latest.rootHex}</dd>
          <dt>Signature</dt>
          <dd>
            {latest.signature.valid ? (
              <span className="notice--ok">
                Valid signature by key id <span className="mono">{latest.signature.keyId}</span> ({latest.signature.keyName})
              </span>
            ) : (
              <strong role="alert">Signature does not verify: {latest.signature.reason}</strong>
            )}
          </dd>
          <dt>Directory copy</dt>
          <dd>
            <span className="mono break">{latest.file.name}</span>: {FILE_STATUS[latest.file.status].ok ? FILE_STATUS[latest.file.status].text : <strong>{FILE_STATUS[latest.file.status].text}</strong>}
          </dd>
          <dt>Witnesses</dt>
          <dd>
            {latest.witnesses.length === 0 ? (
              "none configured (AUDIT_WITNESS_URLS)"
            ) : (
              <ul style={{ margin: 0, paddingLeft: "1.1rem" }}>
                {latest.witnesses.map((witness) => (
                  <li key={`${witness.name} ${witness.url}`}>
                    <span className="mono break">{witness.name}</span>:{" "}
                    {witness.cosigned
                      ? witness.valid
                        ? `cosigned this checkpoint ${witness.at ? `at ${formatUtc(witness.at, false)} UTC` : ""}`
                        : "its stored cosignature does NOT verify"
                      : `has not cosigned it yet${witness.lastCosignedSize !== null ? ` (last cosigned ${witness.lastCosignedSize.toLocaleString("en-US")} rows)` : ""}`}
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>Last recorded verification</dt>
          <dd>
            {status.lastVerification
              ? `${status.lastVerification.kind} at ${formatUtc(status.lastVerification.at, false)} UTC, up to checkpoint ${status.lastVerification.treeSize.toLocaleString("en-US")} (${status.lastVerification.rowCount.toLocaleString("en-US")} rows)`
              : "none yet"}
          </dd>
        </dl>
      ) : (
        <p className="notice">No checkpoint has been signed yet: the audit.checkpoint job signs one within a minute.</p>
      )}
      {status.publicKey ? (
        <>
          <h3>Public key for auditors</h3>
          <p className="subtle" style={{ marginTop: 0 }}>
            Key id <span className="mono">{status.keyId}</span>. Keep it, and compare it with the one the operator gives you out of band (
            <code>npm run audit:public-key</code>); then check any proof with <code>npm run audit:verify -- --bundle FILE --public-key KEY</code>.
          </p>
          <p className="mono break" style={{ margin: 0 }}>
            {status.publicKey}
          </p>
        </>
      ) : null}
      {latest && latest.treeSize > 1 ? (
        <form method="get" action="/api/v1/audit/checkpoints/consistency" aria-labelledby="consistency-heading" style={{ marginTop: "1rem" }}>
          <h3 id="consistency-heading">Consistency proof between two checkpoints</h3>
          <div style={{ display: "flex", flexWrap: "wrap", gap: "0.75rem", alignItems: "flex-end" }}>
            <div className="field">
              <label htmlFor="consistency-from">From checkpoint (rows)</label>
              <input id="consistency-from" name="from" type="number" min={1} max={latest.treeSize} required inputMode="numeric" />
            </div>
            <div className="field">
              <label htmlFor="consistency-to">To checkpoint (rows)</label>
              <input id="consistency-to" name="to" type="number" min={1} max={latest.treeSize} defaultValue={latest.treeSize} inputMode="numeric" />
            </div>
            <button type="submit" className="button button--secondary">
              Download proof
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
