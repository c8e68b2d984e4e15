// Raw SQL straight on node-postgres, for the hot audited read (GET
// /api/v1/events, the explorer's list): the person's look-up and the audited
// transaction run on a pooled pg connection without Prisma's query engine and
// interactive-transaction machinery, which cost about a fifth of the portal's
// CPU per read (issue 15). Only `$queryRaw` / `$queryRawUnsafe` /
// `$executeRaw` are offered: code that needs the ORM keeps Prisma.
//
// Statements are the same Prisma.Sql values the rest of the code builds
// (parameters, never interpolated text), named by the same statementNames()
// hash as the adapter's, so each connection prepares a statement once.
//
// No "server-only": scripts and tests use it too.
import type pg from "pg";
import { Prisma } from "./generated/client";

type Sql = Prisma.Sql;
type SqlInput = Sql | TemplateStringsArray;

/** What the raw readers need: Prisma's raw-query methods, nothing else. */
export type RawSqlClient = {
  $queryRaw<T = unknown>(query: SqlInput, ...values: unknown[]): Promise<T>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRaw(query: SqlInput, ...values: unknown[]): Promise<number>;
};

type Queryable = Pick<pg.PoolClient, "query">;
type Namer = ((query: { sql: string }) => string) | undefined;

function toSql(query: SqlInput, values: unknown[]): Sql {
  return query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);
}

async function run(db: Queryable, namer: Namer, text: string, values: unknown[]): Promise<pg.QueryResult> {
  const name = namer?.({ sql: text });
  return db.query(name ? { name, text, values } : { text, values });
}

/** A raw client on a pool (each statement on its own connection, autocommit) or on one checked-out connection. */
export function rawSqlClient(db: Queryable, namer?: Namer): RawSqlClient {
  return {
    async $queryRaw<T>(query: SqlInput, ...values: unknown[]) {
      const sql = toSql(query, values);
      return (await run(db, namer, sql.text, sql.values)).rows as T;
    },
    async $queryRawUnsafe<T>(query: string, ...values: unknown[]) {
      return (await run(db, undefined, query, values)).rows as T;
    },
    async $executeRaw(query: SqlInput, ...values: unknown[]) {
      const sql = toSql(query, values);
      return (await run(db, namer, sql.text, sql.values)).rowCount ?? 0;
    },
  };
}

/**
 * BEGIN … COMMIT on one pooled connection (READ COMMITTED, as Prisma's). Any
 * error rolls back and is rethrown; a connection whose ROLLBACK failed (a
 * broken socket) is destroyed rather than returned to the pool.
 */
export async function rawTransaction<T>(
  pool: pg.Pool,
  namer: Namer,
  work: (tx: RawSqlClient) => Promise<T>,
  /** as Prisma's interactive-transaction `timeout`: past it the transaction fails and its connection is closed (the server rolls back) */
  timeoutMs = 60_000,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out connection that breaks (server restart, terminated backend)
  // emits "error"; the pool listens only to idle ones, and an unheard "error"
  // would end the process. Heard here, it marks the connection for disposal;
  // the pending statement fails on its own and the transaction rolls back.
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RawTransactionTimeout(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([runTransaction(client, namer, work), expired]);
  } catch (error) {
    // A transaction past its budget may still hold locks (the audit chain's head): closing its
    // connection makes the server roll it back, whatever the abandoned work does next.
    if (error instanceof RawTransactionTimeout) broken = error;
    throw error;
  } finally {
    clearTimeout(timer);
    client.removeListener("error", onError);
    client.release(broken);
  }

  async function runTransaction(db: pg.PoolClient, names: Namer, body: (tx: RawSqlClient) => Promise<T>): Promise<T> {
    await db.query("BEGIN");
    try {
      const value = await body(rawSqlClient(db, names));
      if (broken) throw broken;
      await db.query("COMMIT");
      return value;
    } catch (error) {
      if (!broken) {
        await db.query("ROLLBACK").catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
      }
      throw error;
    }
  }
}

/** A raw transaction ran past its budget: it was abandoned and rolled back, nothing served. */
export class RawTransactionTimeout extends Error {
  override name = "RawTransactionTimeout";
  constructor(readonly timeoutMs: number) {
    super(`The transaction did not finish within ${timeoutMs} ms and was rolled back.`);
  }
}
