// The raw pg transaction the hot audited read runs in (./raw-sql.ts): it
// commits the work, rolls everything back and rethrows on any error (so the
// audit row and the data stand or fall together), hands a healthy connection
// back to the pool with no transaction left open, and destroys one whose
// ROLLBACK failed. Statements are Prisma.Sql with bound parameters.
//
// PostgreSQL only (TEST_DATABASE_URL): on PGlite the gate keeps Prisma's transaction.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "./generated/client";
import { RawTransactionTimeout, rawSqlClient, rawTransaction } from "./raw-sql";
import { isDatabaseUnavailable } from "./unavailable";
import { SESSION_OPTIONS, statementNames } from "./connect";

const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)("rawTransaction on PostgreSQL", () => {
  let pool: pg.Pool;
  const names = statementNames(10);

  beforeAll(async () => {
    // One connection: the temporary table lives in its session.
    pool = new pg.Pool({ connectionString: serverUrl, max: 1, options: SESSION_OPTIONS });
    // As server/db/connect.ts does: an idle connection that breaks is dropped, not fatal.
    pool.on("error", () => undefined);
    await pool.query("CREATE TEMPORARY TABLE tp_raw_probe (id integer PRIMARY KEY, note text)");
  });
  afterAll(async () => {
    await pool.end();
  });

  const notes = async () => (await pool.query<{ id: number; note: string }>("SELECT id, note FROM tp_raw_probe ORDER BY id")).rows;

  it("commits the work and returns its value; parameters are bound, never spliced", async () => {
    const hostile = "x'); DROP TABLE tp_raw_probe; --";
    const value = await rawTransaction(pool, names, async (tx) => {
      await tx.$executeRaw`INSERT INTO tp_raw_probe (id, note) VALUES (${1}, ${hostile})`;
      const rows = await tx.$queryRaw<Array<{ n: number }>>(Prisma.sql`SELECT count(*)::integer AS n FROM tp_raw_probe WHERE note = ${hostile}`);
      return rows[0]?.n;
    });
    expect(value).toBe(1);
    expect(await notes()).toEqual([{ id: 1, note: hostile }]);
  });

  it("plans every run of a prepared statement for its own parameters (SESSION_OPTIONS: no generic plan after five runs)", async () => {
    // a generic plan cannot see a time bound: over the partitioned events it once turned a 5 ms count into 180 ms
    for (let run = 0; run < 8; run++) {
      await rawTransaction(pool, names, (tx) => tx.$queryRaw(Prisma.sql`SELECT count(*) FROM tp_raw_probe WHERE id >= ${run}`));
    }
    const plans = await pool.query<{ generic_plans: string; custom_plans: string }>(
      "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%FROM tp_raw_probe WHERE id >=%'",
    );
    expect(plans.rows).toEqual([{ generic_plans: "0", custom_plans: "8" }]);
  });

  it("rolls back everything and rethrows when the work fails after writing, and leaves no transaction open", async () => {
    const failure = new Error("the audit row could not be written");
    await expect(
      rawTransaction(pool, names, async (tx) => {
        await tx.$executeRaw`INSERT INTO tp_raw_probe (id, note) VALUES (${2}, ${"data read"})`;
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await notes()).toEqual([{ id: 1, note: expect.any(String) }]);
    // Back in the pool outside any transaction: inside one, now() would be the transaction's start, not this statement's.
    const fresh = await pool.query<{ fresh: boolean }>("SELECT pg_sleep(0.01), now() = statement_timestamp() AS fresh");
    expect(fresh.rows[0]?.fresh).toBe(true);
    expect(pool.totalCount).toBe(1);
  });

  it("rolls back when a statement fails (SQLSTATE on the error)", async () => {
    await expect(
      rawTransaction(pool, names, async (tx) => {
        await tx.$executeRaw`INSERT INTO tp_raw_probe (id, note) VALUES (${3}, ${"first"})`;
        await tx.$executeRaw`INSERT INTO tp_raw_probe (id, note) VALUES (${3}, ${"duplicate"})`;
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect((await notes()).map((row) => row.id)).toEqual([1]);
  });

  it("destroys a connection whose ROLLBACK failed instead of pooling it", async () => {
    const other = new pg.Client({ connectionString: serverUrl });
    await other.connect();
    try {
      await expect(
        rawTransaction(pool, names, async (tx) => {
          const [backend] = await tx.$queryRaw<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid`;
          await other.query("SELECT pg_terminate_backend($1)", [backend?.pid]);
          await tx.$queryRaw`SELECT 1`;
        }),
      ).rejects.toBeInstanceOf(Error);
    } finally {
      await other.end();
    }
    expect(pool.totalCount).toBe(0);
    // The pool opens a fresh connection for the next caller.
    expect((await rawSqlClient(pool).$queryRaw<Array<{ one: number }>>`SELECT 1 AS one`)[0]?.one).toBe(1);
  });
  it("abandons a transaction past its budget: rejected as unavailable, its connection closed, its locks released", async () => {
    const table = `tp_raw_timeout_${process.pid}`;
    await pool.query(`CREATE TABLE ${table} (id integer)`);
    const other = new pg.Client({ connectionString: serverUrl });
    await other.connect();
    try {
      let failure: unknown;
      await rawTransaction(
        pool,
        names,
        async (tx) => {
          await tx.$queryRawUnsafe(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
          await tx.$queryRawUnsafe(`INSERT INTO ${table} VALUES (1)`);
          await new Promise((resolve) => setTimeout(resolve, 3_000));
        },
        200,
      ).catch((error: unknown) => {
        failure = error;
      });
      expect(failure).toBeInstanceOf(RawTransactionTimeout);
      expect(isDatabaseUnavailable(failure)).toBe(true);
      expect(pool.totalCount).toBe(0);
      // The server rolls the abandoned transaction back once its connection is gone: the lock frees, the row never lands.
      await expect.poll(async () => (await other.query(`SELECT count(*)::int AS n FROM pg_locks WHERE relation = '${table}'::regclass`)).rows[0].n, { timeout: 10_000 }).toBe(0);
      expect((await other.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(0);
    } finally {
      await other.query(`DROP TABLE IF EXISTS ${table}`);
      await other.end();
    }
  });
});
