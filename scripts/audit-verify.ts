// npm run audit:verify [-- --full] [--public-key <key or file>]
// npm run audit:verify -- --checkpoints <file.json>    (after a retention purge)
// npm run audit:verify -- --bundle <bundle.json> --public-key <key or file>
// npm run audit:verify -- --receipt <receipt.json> --public-key <key or file>
// Verifies the configured database's audit trail (DATABASE_URL, or the
// embedded PGlite under DATA_DIR — stop the portal first: one process per
// PGlite directory): INCREMENTALLY from the last successful verification by
// default, everything with --full (server/audit/verify-trail.ts says what
// each can see): the chains (streamed with COPY on PostgreSQL), the Merkle
// log against every signed checkpoint, in the database and in
// AUDIT_CHECKPOINT_DIR, with the public key given or the one of
// AUDIT_SIGNING_KEY_FILE, the witnesses' stored cosignatures, and then asks
// each witness of AUDIT_WITNESS_URLS to cosign the newest checkpoint (a
// witness that holds a larger or different log refuses: named).
// With --bundle: checks one offline bundle (a row's inclusion proof, or a
// consistency proof between two checkpoints) with the key alone, no database.
// Exit 0: intact. Exit 1: tampering found, each failure printed.
// Exit 2: unusable input (configuration, database, key, bundle, an unreachable
// witness), one sentence.
import fs from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import { z } from "zod";
import { ConfigError, parseEnv } from "../server/config/env";
import { ensureLocalSecrets } from "../server/config/local-secrets";
import { findAuditRowsPastRetention } from "../server/audit/retention";
import { verifyAuditChain, type AuditCheckpoint } from "../server/audit/verify-audit-chain";
import { SESSION_OPTIONS, connectDatabase, type Database } from "../server/db/connect";
import { checkpointDirectory, loadCheckpointConfig } from "../server/audit/checkpoints/checkpoint-config";
import { anyBundleSchema, verifyConsistencyBundle, verifyProofBundle } from "../server/audit/checkpoints/proof-bundle";
import { NoteError, parseVerifierKey, verifierOf, type NoteVerifier } from "../server/audit/checkpoints/signed-note";
import { verifyAuditCheckpoints } from "../server/audit/checkpoints/verify-checkpoints";
import { verifyAuditTrail, type TrailVerification } from "../server/audit/verify-trail";
import { loadWitnesses, type Witness } from "../server/audit/witness/witness-config";
import { submitToWitnesses } from "../server/audit/witness/submit-checkpoints";
import { ReceiptFileError, checkDisclosureIndex, describeReceiptVerdict, parseReceiptText, verifyDisclosureReceipt } from "../server/audit/checkpoints/disclosure-receipt";

const MAX_FAILURES_PRINTED = 20;

const checkpointsSchema = z.array(
  z.strictObject({
    chainId: z.number().int().min(0).max(63),
    seq: z.union([z.string().regex(/^\d+$/), z.number().int().min(0)]).transform((seq) => BigInt(seq)),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);

class UsageError extends Error {}

function readCheckpoints(file: string | undefined): AuditCheckpoint[] | undefined {
  if (!file) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`Cannot read checkpoints from ${file}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const parsed = checkpointsSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${file} is not a JSON array of { chainId, seq, hash } checkpoints.`);
  return parsed.data;
}

function progressPrinter(): ((rows: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let lastPrinted = 0;
  return (rows) => {
    const now = Date.now();
    if (now - lastPrinted < 1000) return;
    lastPrinted = now;
    process.stderr.write(`\rverified ${rows.toLocaleString("en-US")} rows…`);
  };
}

/** `--public-key`: the verifier key itself, or a file holding it. */
function readPublicKey(value: string | undefined): NoteVerifier | undefined {
  if (value === undefined) return undefined;
  let text = value;
  if (!value.includes("+") && fs.existsSync(value)) text = fs.readFileSync(value, "utf8");
  try {
    return parseVerifierKey(text);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function verifyBundleFile(file: string, verifier: NoteVerifier | undefined): number {
  if (!verifier) throw new UsageError("--bundle needs --public-key (the key printed by npm run audit:public-key, obtained from someone other than the database's operator).");
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      error instanceof SyntaxError ? "it is not complete JSON (truncated?)" : code === "ENOENT" ? "there is no such file" : code ? `${code}` : error instanceof Error ? error.message : String(error);
    throw new UsageError(`Cannot read the proof bundle ${file}: ${reason}.`);
  }
  const parsed = anyBundleSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const what = issue?.path.length ? `${issue.path.join(".")} ${issue.message}` : "its format is neither an inclusion nor a consistency bundle";
    throw new UsageError(`${file} is not a proof bundle (truncated or altered?): ${what}.`);
  }
  const bundle = parsed.data;
  if (bundle.format === "telemetry-portal-audit-consistency/1") {
    const verdict = verifyConsistencyBundle(bundle, verifier);
    if (!verdict.ok) {
      console.log(`Consistency bundle FAILED: ${verdict.reason}.`);
      return 1;
    }
    console.log(`Consistency bundle verified: the log checkpointed at size ${verdict.oldSize} is a prefix of the log checkpointed at size ${verdict.newSize}, both signed by ${verifier.name}.`);
    return 0;
  }
  const verdict = verifyProofBundle(bundle, verifier);
  if (!verdict.ok) {
    console.log(`Proof bundle FAILED: ${verdict.reason}.`);
    return 1;
  }
  const time = verdict.time ? `, signed ${verdict.time.toISOString()}` : "";
  console.log(`Proof bundle verified: audit row ${bundle.auditEventId} is leaf ${verdict.leafIndex} of the log checkpointed at size ${verdict.treeSize}${time}, signed by ${verifier.name}.`);
  return 0;
}

/** --receipt: a disclosure receipt (GET /api/v1/audit/disclosures) checked with the key alone, no database. */
function verifyReceiptFile(file: string, verifier: NoteVerifier | undefined): number {
  if (!verifier) throw new UsageError("--receipt needs --public-key (the key printed by npm run audit:public-key, obtained from someone other than the database's operator).");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read the disclosure receipt ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  const { code, lines } = describeReceiptVerdict(verifyDisclosureReceipt(parseReceiptText(text, file), verifier), verifier);
  for (const line of lines) console.log(line);
  return code;
}

async function run(): Promise<number> {
  const { values } = parseArgs({
    options: {
      checkpoints: { type: "string" },
      "public-key": { type: "string" },
      bundle: { type: "string" },
      receipt: { type: "string" },
      full: { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  const publicKey = readPublicKey(values["public-key"]);
  if (values.bundle !== undefined) return verifyBundleFile(values.bundle, publicKey);
  if (values.receipt !== undefined) return verifyReceiptFile(values.receipt, publicKey);
  const checkpoints = readCheckpoints(values.checkpoints);
  ensureLocalSecrets();
  const env = parseEnv();
  let verifier = publicKey;
  if (!verifier) {
    const config = loadCheckpointConfig(env);
    if (config.enabled) verifier = verifierOf(config.signer);
    else console.log(`WARNING: ${config.reason}`);
  }
  const witnesses = loadWitnesses(env);
  const directory = checkpointDirectory(env);

  let database: Database | undefined;
  let copyClient: pg.Client | undefined;
  try {
    database = await connectDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.pgliteDataDir });
    if (checkpoints) return await verifyFromRetentionCheckpoints(database, checkpoints, verifier, directory);
    if (env.DATABASE_URL) {
      copyClient = new pg.Client({ connectionString: env.DATABASE_URL, options: SESSION_OPTIONS });
      await copyClient.connect();
    }
    const onProgress = progressPrinter();
    const result = await verifyAuditTrail(database.prisma, { verifier: verifier ?? null, directory, witnesses, full: values.full, copyClient, onProgress });
    if (onProgress) process.stderr.write("\r\x1b[K");
    printTrail(result, verifier, directory);

    // The witnesses' view: each is asked to cosign the newest checkpoint (as the audit.witness job does).
    let code = result.ok ? 0 : 1;
    if (verifier && witnesses.length > 0) code = Math.max(code, await askWitnesses(database, witnesses, code));
    // The portal's side of disclosure receipts' completeness: the index they are built from finds what a scan finds.
    const index = await checkDisclosureIndex(database.prisma);
    if (!index.ok) {
      console.log(`Disclosure index check FAILED (${index.failures.length} machines):`);
      for (const failure of index.failures.slice(0, MAX_FAILURES_PRINTED)) console.log(`  - ${failure}.`);
      code = Math.max(code, 1);
    } else {
      console.log(
        `Disclosure receipts complete: for each of the ${index.machines} machine${index.machines === 1 ? "" : "s"} named in the trail, the indexed query finds the same rows as a full scan (${index.pairs} disclosures).`,
      );
    }
    if (code !== 0) return code;
    const retention = await findAuditRowsPastRetention(database.prisma, env.AUDIT_RETENTION_DAYS);
    if (retention && retention.rowsPastRetention > 0) {
      console.log(
        `${retention.rowsPastRetention} rows are older than the ${retention.retentionDays}-day retention window; nothing was purged (see server/audit/retention.ts for the archive procedure).`,
      );
    }
    return 0;
  } finally {
    await copyClient?.end().catch(() => undefined);
    await database?.close();
  }
}

function printTrail(result: TrailVerification, verifier: NoteVerifier | undefined, directory: string | null): void {
  const seconds = result.durationMs / 1000;
  const rows = result.chains.rowsChecked;
  const how =
    result.mode === "incremental" && result.resumedFrom
      ? `incremental from the verification of ${result.resumedFrom.verifiedAt} (checkpoint ${result.resumedFrom.treeSize}, ${result.resumedFrom.rowCount} rows); --full re-checks every row`
      : "full";
  if (result.chains.ok) {
    const rate = seconds > 0 ? Math.round(rows / seconds) : rows;
    console.log(`Audit trail intact: ${rows} rows in ${result.chains.chains} chains verified in ${seconds.toFixed(2)} s (${rate} rows/s), ${how}.`);
  } else {
    console.log(`Audit trail verification FAILED after ${rows} rows (${how}): ${result.chains.firstFailure?.reason ?? "unknown failure"}.`);
  }
  const others = result.chains.ok ? result.failures : result.failures.slice(1);
  if (others.length > 0) {
    console.log(`Checkpoint verification FAILED (${others.length} problems${verifier ? `, key ${verifier.name}+${verifier.keyId.toString("hex")}` : ""}):`);
    for (const failure of others.slice(0, MAX_FAILURES_PRINTED)) console.log(`  - ${failure}.`);
    if (others.length > MAX_FAILURES_PRINTED) console.log(`  … and ${others.length - MAX_FAILURES_PRINTED} more.`);
  } else if (verifier) {
    if (result.treeSize === 0) console.log(`No signed checkpoints yet (the audit.checkpoint job signs one a minute).`);
    else
      console.log(
        `Merkle log consistent with the signed checkpoints up to size ${result.treeSize} (${result.checkpointsChecked} checked, ${result.leavesChecked} leaves recomputed; files in ${directory ?? "no directory"})` +
          `${result.cosignaturesChecked > 0 ? `; ${result.cosignaturesChecked} witness cosignatures verified` : ""}.`,
      );
  }
}

async function askWitnesses(database: Database, witnesses: Witness[], code: number): Promise<number> {
  const outcomes = await submitToWitnesses(database.prisma, witnesses);
  let worst = 0;
  for (const outcome of outcomes) {
    if (outcome.result === "cosigned" || outcome.result === "already") console.log(`Witness ${outcome.witness} cosigned checkpoint ${outcome.treeSize}.`);
    else if (outcome.result === "refused") {
      console.log(`Witness check FAILED: ${outcome.message}.`);
      worst = Math.max(worst, 1);
    } else if (outcome.result === "unreachable") {
      // Not a detection, but the check did not happen: say which, and exit 2 unless tampering was found.
      console.error(`Witness check incomplete: ${outcome.message}.`);
      if (code === 0) worst = Math.max(worst, 2);
    }
  }
  return worst;
}

/** After an operator purge (server/audit/retention.ts): chains from the archived checkpoints, every signed checkpoint; nothing recorded. */
async function verifyFromRetentionCheckpoints(database: Database, checkpoints: AuditCheckpoint[], verifier: NoteVerifier | undefined, directory: string | null): Promise<number> {
  const onProgress = progressPrinter();
  const started = performance.now();
  const result = await verifyAuditChain(database.prisma, { checkpoints, onProgress });
  const seconds = (performance.now() - started) / 1000;
  if (onProgress) process.stderr.write("\r\x1b[K");
  let code = 0;
  if (!result.ok) {
    console.log(`Audit trail verification FAILED after ${result.rowsChecked} rows: ${result.firstFailure?.reason ?? "unknown failure"}.`);
    code = 1;
  } else {
    const rate = seconds > 0 ? Math.round(result.rowsChecked / seconds) : result.rowsChecked;
    console.log(`Audit trail intact: ${result.rowsChecked} rows in ${result.chains} chains verified in ${seconds.toFixed(2)} s (${rate} rows/s), from the retention checkpoints.`);
  }
  if (verifier) {
    const proof = await verifyAuditCheckpoints(database.prisma, { verifier, directory });
    if (!proof.ok) {
      console.log(`Checkpoint verification FAILED (${proof.failures.length} problems, key ${verifier.name}+${verifier.keyId.toString("hex")}):`);
      for (const failure of proof.failures.slice(0, MAX_FAILURES_PRINTED)) console.log(`  - ${failure}.`);
      code = 1;
    }
  }
  return code;
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(describeFailure(error));
    process.exit(2);
  },
);

/** One sentence for the operator. Prisma puts the database's own words on its message's last line. */
function describeFailure(error: unknown): string {
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof NoteError || error instanceof ReceiptFileError) return error.message;
  const message = error instanceof Error ? (error.message.split("\n").findLast((line) => line.trim() !== "")?.trim() ?? error.name) : String(error);
  const missingTable = (error as { code?: unknown } | null)?.code === "P2021";
  return `Audit verification could not run: ${message.replace(/\.$/, "")}${missingTable ? " (run npm run db:migrate first)" : ""}.`;
}
