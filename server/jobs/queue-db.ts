// The job queue's connection to the database. pg-boss takes any `db` object
// with `executeSql(text, values)` returning node-postgres-shaped results; the
// portal gives it one of two:
//
//   - PostgreSQL: a small pg pool of its own (not the web requests' pool). A
//     failed "BEGIN; … COMMIT;" block (pg-boss sends its schema creation and
//     maintenance so; two instances starting on a new database race there by
//     design) is rolled back before its connection returns to the pool: pg
//     alone hands the connection back inside the aborted transaction, and
//     every later statement on it fails.
//   - the embedded database: the process's one PGlite instance, shared with
//     Prisma (PGlite serializes every query and transaction behind one lock).
//     Parameterised statements go through `pglite.query`; parameterless text,
//     which may hold several statements, through `pglite.exec`, and a
//     "BEGIN; … COMMIT;" block's body inside `pglite.transaction`, so a failure
//     rolls back before anyone else uses the single connection. Values are
//     prepared as node-postgres prepares them (objects as JSON, undefined as
//     NULL), and int8/numeric come back as strings, as pg returns them.
//
// No "server-only": the job runner, started by scripts/start.ts, imports it.
import type { PGlite, Results } from "@electric-sql/pglite";
import type pg from "pg";
import type PgBoss from "pg-boss";

/** What node-postgres returns for one statement (the parts pg-boss reads, and a few more). */
export type PgShapedResult = { rows: Record<string, unknown>[]; rowCount: number; fields: Array<{ name: string; dataTypeID: number }> };

export type QueueDb = PgBoss.Db & { executeSql(text: string, values?: unknown[]): Promise<PgShapedResult> };

/** pg-boss's `locked()` plans: "BEGIN; <statements>; COMMIT;" as one string. */
const TRANSACTION_BLOCK = /^\s*BEGIN\s*;([\s\S]*?);?\s*COMMIT\s*;?\s*$/i;

export function postgresQueueDb(pool: pg.Pool): QueueDb {
  return {
    async executeSql(text: string, values?: unknown[]): Promise<PgShapedResult> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        const result = await client.query(text, values);
        // Several statements: pg returns one result each; pg-boss reads none of them.
        const last = Array.isArray(result) ? (result.at(-1) as pg.QueryResult | undefined) : result;
        return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0, fields: last?.fields ?? [] };
      } catch (error) {
        if (!values?.length && TRANSACTION_BLOCK.test(text)) {
          // Out of the aborted block, or the connection is dropped rather than reused.
          await client.query("ROLLBACK").catch((rollbackError: unknown) => {
            broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          });
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
/** node-postgres leaves int8 and numeric as text; pg-boss calls parseInt/parseFloat on them. */
const PG_COMPATIBLE_PARSERS = { [INT8_OID]: (value: string) => value, [NUMERIC_OID]: (value: string) => value };

/** As node-postgres's prepareValue, for what pg-boss sends: NULL for undefined, JSON for plain objects. */
function prepareValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || value instanceof Date || value instanceof Uint8Array || Array.isArray(value)) return value;
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

function pgShaped(result: Results | undefined): PgShapedResult {
  if (!result) return { rows: [], rowCount: 0, fields: [] };
  const rows = result.rows as Record<string, unknown>[];
  // PGlite counts affected rows only for writes; pg's rowCount is the row count of a SELECT too.
  return { rows, rowCount: Math.max(rows.length, result.affectedRows ?? 0), fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) };
}

export function pgliteQueueDb(pglite: PGlite): QueueDb {
  const options = { parsers: PG_COMPATIBLE_PARSERS };
  return {
    async executeSql(text: string, values?: unknown[]): Promise<PgShapedResult> {
      if (values && values.length > 0) {
        return pgShaped(await pglite.query(text, values.map(prepareValue), options));
      }
      const block = TRANSACTION_BLOCK.exec(text);
      const results = block ? await pglite.transaction((tx) => tx.exec(block[1] ?? "", options)) : await pglite.exec(text, options);
      // Several statements: pg-boss reads rows only from single ones, so the last result stands for all.
      return pgShaped(results.at(-1));
    },
  };
}
