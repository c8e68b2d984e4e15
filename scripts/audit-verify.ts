// npm run audit:verify [-- --checkpoints <file.json>]
// Verifies every audit chain of the configured database (DATABASE_URL, or the
// embedded PGlite under DATA_DIR — stop the portal first: one process per
// PGlite directory). Exit 0: intact. Exit 1: tampering found, first failure
// printed. Exit 2: configuration or database error, one sentence.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError, parseEnv } from "../server/config/env";
import { ensureLocalSecrets } from "../server/config/local-secrets";
import { findAuditRowsPastRetention } from "../server/audit/retention";
import { verifyAuditChain, type AuditCheckpoint } from "../server/audit/verify-audit-chain";
import { connectDatabase, type Database } from "../server/db/connect";

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

async function run(): Promise<number> {
  const { values } = parseArgs({ options: { checkpoints: { type: "string" } }, allowPositionals: false });
  const checkpoints = readCheckpoints(values.checkpoints);
  ensureLocalSecrets();
  const env = parseEnv();

  let database: Database | undefined;
  try {
    database = await connectDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.pgliteDataDir });
    const onProgress = progressPrinter();
    const started = performance.now();
    const result = await verifyAuditChain(database.prisma, { checkpoints, onProgress });
    const seconds = (performance.now() - started) / 1000;
    if (onProgress) process.stderr.write("\r\x1b[K");

    if (!result.ok) {
      console.log(`Audit trail verification FAILED after ${result.rowsChecked} rows: ${result.firstFailure?.reason ?? "unknown failure"}.`);
      return 1;
    }
    const rate = seconds > 0 ? Math.round(result.rowsChecked / seconds) : result.rowsChecked;
    console.log(
      `Audit trail intact: ${result.rowsChecked} rows in ${result.chains} chains verified in ${seconds.toFixed(2)} s (${rate} rows/s).`,
    );
    const retention = await findAuditRowsPastRetention(database.prisma, env.AUDIT_RETENTION_DAYS);
    if (retention && retention.rowsPastRetention > 0) {
      console.log(
        `${retention.rowsPastRetention} rows are older than the ${retention.retentionDays}-day retention window; nothing was purged (see server/audit/retention.ts for the archive procedure).`,
      );
    }
    return 0;
  } finally {
    await database?.close();
  }
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
  if (error instanceof ConfigError || error instanceof UsageError) return error.message;
  const message = error instanceof Error ? (error.message.split("\n").findLast((line) => line.trim() !== "")?.trim() ?? error.name) : String(error);
  const missingTable = (error as { code?: unknown } | null)?.code === "P2021";
  return `Audit verification could not run: ${message.replace(/\.$/, "")}${missingTable ? " (run npm run db:migrate first)" : ""}.`;
}
