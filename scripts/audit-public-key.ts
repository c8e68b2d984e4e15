// npm run audit:public-key [-- --witness]
// Prints the audit log's verifier key (C2SP vkey: <name>+<key id>+<base64>),
// derived from AUDIT_SIGNING_KEY_FILE (or, outside production, the key
// generated into DATA_DIR). Give it to auditors through a channel the database
// operator does not control; they check checkpoints and proof bundles with it
// (npm run audit:verify -- --bundle FILE --public-key KEY).
// With --witness: this portal's cosigner key as a witness (cosignature/v1,
// from AUDIT_WITNESS_SIGNING_KEY_FILE), for the other portal's AUDIT_WITNESS_KEYS.
// Exit 2 with one sentence when there is no usable key.
import { parseArgs } from "node:util";
import { ConfigError, parseEnv } from "../server/config/env";
import { loadCheckpointConfig } from "../server/audit/checkpoints/checkpoint-config";
import { NoteError, formatVerifierKey } from "../server/audit/checkpoints/signed-note";
import { formatCosignerVerifierKey } from "../server/audit/witness/cosignature";
import { loadCosigner } from "../server/audit/witness/witness-config";

try {
  const { values } = parseArgs({ options: { witness: { type: "boolean", default: false } }, allowPositionals: false });
  const env = parseEnv();
  if (values.witness) {
    console.log(formatCosignerVerifierKey(loadCosigner(env)));
  } else {
    const config = loadCheckpointConfig(env);
    if (!config.enabled) throw new NoteError(config.reason);
    console.log(formatVerifierKey(config.signer));
  }
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof NoteError || (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")) throw error;
  console.error((error as Error).message);
  process.exit(2);
}
