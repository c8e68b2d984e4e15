// npm run audit:public-key
// Prints the audit log's verifier key (C2SP vkey: <name>+<key id>+<base64>),
// derived from AUDIT_SIGNING_KEY_FILE (or, outside production, the key
// generated into DATA_DIR). Give it to auditors through a channel the database
// operator does not control; they check checkpoints and proof bundles with it
// (npm run audit:verify -- --bundle FILE --public-key KEY).
// Exit 2 with one sentence when there is no usable key.
import { ConfigError, parseEnv } from "../server/config/env";
import { loadCheckpointConfig } from "../server/audit/checkpoints/checkpoint-config";
import { NoteError, formatVerifierKey } from "../server/audit/checkpoints/signed-note";

try {
  const config = loadCheckpointConfig(parseEnv());
  if (!config.enabled) throw new NoteError(config.reason);
  console.log(formatVerifierKey(config.signer));
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof NoteError)) throw error;
  console.error(error.message);
  process.exit(2);
}
