// isDatabaseUnavailable against the errors Prisma (with @prisma/adapter-pg)
// really throws, not hand-made look-alikes: a minimal PostgreSQL wire-protocol
// server answers the portal's real client with what a server says while it
// restarts, crashes, is full or is read-only — at connection time and at query
// time, for a transaction, a raw query and a model query. Errors that are the
// query's own fault (a missing table, bad bytes, a conflict) must stay
// unclassified: they are bugs or bad input, never "try again later".
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "./connect";
import { isDatabaseUnavailable } from "./unavailable";

type Answer = { sqlstate: string; message: string; severity: "FATAL" | "ERROR" };
type Mode = { when: "connect" | "query"; answer: Answer } | { when: "hang-up-on-connect" | "hang-up-on-query" | "never-answer" };

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "ascii");
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function errorResponse({ sqlstate, message: text, severity }: Answer): Buffer {
  const fields = [["S", severity], ["V", severity], ["C", sqlstate], ["M", text]];
  return message("E", Buffer.concat([...fields.map(([code, value]) => Buffer.from(`${code}${value}\0`, "utf8")), Buffer.from([0])]));
}

const AUTHENTICATION_OK = message("R", Buffer.from([0, 0, 0, 0]));
const READY_FOR_QUERY = message("Z", Buffer.from("I"));

/** Speaks just enough of the protocol: startup, then the chosen failure on connect or on the first query (simple or extended). */
async function fakePostgres(mode: Mode): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on("data", (chunk: Buffer) => {
      if (mode.when === "never-answer") return;
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 4) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          buffer = buffer.subarray(length);
          started = true;
          if (mode.when === "hang-up-on-connect") return void socket.destroy();
          if (mode.when === "connect") return void socket.end(errorResponse(mode.answer));
          socket.write(Buffer.concat([AUTHENTICATION_OK, READY_FOR_QUERY]));
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]!);
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        buffer = buffer.subarray(length + 1);
        if (type === "X") return void socket.end();
        // A simple query, or the Sync that ends an extended-protocol query: answer it.
        if (type !== "Q" && type !== "S") continue;
        if (mode.when === "hang-up-on-query") return void socket.destroy();
        if (mode.when !== "query") continue;
        if (mode.answer.severity === "FATAL") return void socket.end(errorResponse(mode.answer));
        socket.write(Buffer.concat([errorResponse(mode.answer), READY_FOR_QUERY]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `postgresql://portal@127.0.0.1:${port}/portal`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The three ways the portal reaches the database, each with the error it got. */
async function errorsFrom(mode: Mode): Promise<Record<"transaction" | "raw" | "model", unknown>> {
  const server = await fakePostgres(mode);
  let database: Database | undefined;
  try {
    database = await connectDatabase({ databaseUrl: server.url, pgliteDataDir: "(unused)", poolSize: 1 });
    const prisma = database.prisma;
    const caught = async (work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        return error;
      }
      throw new Error("expected the query to fail");
    };
    return {
      transaction: await caught(() => prisma.$transaction(async (tx) => tx.$queryRaw`SELECT 1`)),
      raw: await caught(() => prisma.$queryRaw`SELECT ${1}::int`),
      model: await caught(() => prisma.session.findFirst({ where: { sessionToken: "x" } })),
    };
  } finally {
    await database?.close();
    await server.close();
  }
}

async function expectClassified(mode: Mode, expected: boolean): Promise<void> {
  const errors = await errorsFrom(mode);
  for (const [path, error] of Object.entries(errors)) {
    const shape = `${path}: ${(error as Error)?.name} ${(error as { code?: string })?.code ?? ""} ${String((error as Error)?.message).split("\n").at(-1)}`;
    expect(isDatabaseUnavailable(error), shape).toBe(expected);
  }
}

const STARTING_UP: Answer = { sqlstate: "57P03", message: "the database system is starting up", severity: "FATAL" };
const SHUTTING_DOWN: Answer = { sqlstate: "57P03", message: "the database system is shutting down", severity: "FATAL" };
const TOO_MANY: Answer = { sqlstate: "53300", message: "sorry, too many clients already", severity: "FATAL" };
const RESERVED: Answer = { sqlstate: "53300", message: "remaining connection slots are reserved for roles with the SUPERUSER attribute", severity: "FATAL" };
const ADMIN_SHUTDOWN: Answer = { sqlstate: "57P01", message: "terminating connection due to administrator command", severity: "FATAL" };
const CRASH_SHUTDOWN: Answer = { sqlstate: "57P02", message: "terminating connection because of crash of another server process", severity: "FATAL" };
const CONNECTION_FAILURE: Answer = { sqlstate: "08006", message: "could not receive data from client", severity: "FATAL" };
const READ_ONLY: Answer = { sqlstate: "25006", message: "cannot execute UPDATE in a read-only transaction", severity: "ERROR" };

describe("isDatabaseUnavailable with real client errors", () => {
  // Quiet: the pg pool reports broken idle clients, which is expected here.
  const original = console.error;
  beforeAll(() => {
    console.error = () => undefined;
  });
  afterAll(() => {
    console.error = original;
  });

  it.each([
    ["starting up", STARTING_UP],
    ["shutting down", SHUTTING_DOWN],
    ["full (too many clients)", TOO_MANY],
    ["full (slots reserved)", RESERVED],
  ])("is true when the server refuses the connection: %s", async (_name, answer) => {
    await expectClassified({ when: "connect", answer }, true);
  });

  it.each([
    ["an administrator's shutdown (a restart, pg_terminate_backend)", ADMIN_SHUTDOWN],
    ["a crash of another backend", CRASH_SHUTDOWN],
    ["a connection failure", CONNECTION_FAILURE],
    ["a read-only database (a standby during failover)", READ_ONLY],
  ])("is true when the server ends or refuses the session at query time: %s", async (_name, answer) => {
    await expectClassified({ when: "query", answer }, true);
  });

  it("is true when the server hangs up, before or during a query, and when nothing listens", async () => {
    await expectClassified({ when: "hang-up-on-connect" }, true);
    await expectClassified({ when: "hang-up-on-query" }, true);
    const closed = await fakePostgres({ when: "hang-up-on-connect" });
    await closed.close();
    const database = await connectDatabase({ databaseUrl: closed.url, pgliteDataDir: "(unused)", poolSize: 1 });
    try {
      const error = await database.prisma.$queryRaw`SELECT 1`.catch((caught: unknown) => caught);
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await database.close();
    }
  });

  it("is true, within the connect timeout, when the server accepts connections but never answers", async () => {
    const silent = await fakePostgres({ when: "never-answer" });
    const database = await connectDatabase({ databaseUrl: silent.url, pgliteDataDir: "(unused)", poolSize: 1, connectTimeoutMs: 500 });
    try {
      const started = Date.now();
      const error = await database.prisma.$queryRaw`SELECT 1`.catch((caught: unknown) => caught);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(isDatabaseUnavailable(error), String(error)).toBe(true);
    } finally {
      await database.close();
      await silent.close();
    }
  }, 20_000);

  it.each([
    ["a missing table (a bug, or a missing migration)", { sqlstate: "42P01", message: 'relation "x" does not exist', severity: "ERROR" } as const],
    ["bytes PostgreSQL cannot store (bad input)", { sqlstate: "22021", message: 'invalid byte sequence for encoding "UTF8": 0x00', severity: "ERROR" } as const],
    ["a unique violation", { sqlstate: "23505", message: 'duplicate key value violates unique constraint "x_pkey"', severity: "ERROR" } as const],
    ["a serialization conflict", { sqlstate: "40001", message: "could not serialize access due to concurrent update", severity: "ERROR" } as const],
    ["a refused privilege", { sqlstate: "42501", message: "permission denied for table audit_event", severity: "ERROR" } as const],
    ["a wrong password", { sqlstate: "28P01", message: 'password authentication failed for user "portal"', severity: "FATAL" } as const],
  ])("is false for the query's or the configuration's own fault: %s", async (_name, answer) => {
    await expectClassified({ when: answer.severity === "FATAL" ? "connect" : "query", answer }, false);
  });

  it("is false for things that are not errors of the database at all", () => {
    for (const value of [null, undefined, "ECONNREFUSED", 42, new Error("boom"), new TypeError("x is not a function"), { code: "P2002" }]) {
      expect(isDatabaseUnavailable(value)).toBe(false);
    }
  });

  it("sees through wrapping (an audit write's cause, an AggregateError) but not forever", () => {
    const inner = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    expect(isDatabaseUnavailable(new Error("audit row", { cause: inner }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([new Error("x"), inner]))).toBe(true);
    let deep: unknown = inner;
    for (let index = 0; index < 20; index += 1) deep = new Error("wrapped", { cause: deep });
    expect(isDatabaseUnavailable(deep)).toBe(false);
    const cyclic: { message: string; cause?: unknown } = { message: "cycle" };
    cyclic.cause = cyclic;
    expect(isDatabaseUnavailable(cyclic)).toBe(false);
  });
});
