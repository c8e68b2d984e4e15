// The harness the data layer's integration tests share (access requests,
// reviews, break-glass): the database under test behind the mocked
// @/server/db/client, a session cookie per call behind the mocked
// next/headers (AsyncLocalStorage, so two concurrent calls can be two
// people), the people signed in before the tests, and the refusal check.
//
// vi.mock stays in the test file (vitest hoists it there only); its factory
// takes the mock from here:
//   vi.mock("next/headers", async () => (await import("@/test/integration-harness")).mockedNextHeaders("vitest my area"));
//   vi.mock("@/server/db/client", async () => (await import("@/test/integration-harness")).mockedDatabaseClient());
// and the describe block calls useIntegrationDatabase(target, { signIn: [...] }).
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import type { Database } from "@/server/db/connect";
import { AppError } from "@/server/http/app-error";
import { signInForTest } from "./sessions";
import type { TestTarget } from "./test-databases";

const current = { db: null as Database | null, token: null as string | null };
const perCall = new AsyncLocalStorage<string>();

/** next/headers as the data layer reads it: the session of the call in flight (IntegrationDatabase.as), a fresh request id. */
export function mockedNextHeaders(userAgent: string) {
  return {
    cookies: async () => ({
      get: (name: string) => {
        const token = perCall.getStore() ?? current.token;
        return name === "authjs.session-token" && token ? { name, value: token } : undefined;
      },
    }),
    headers: async () => new Headers({ "user-agent": userAgent, "x-portal-request-id": randomUUID(), "x-portal-client-ip": "127.0.0.1" }),
  };
}

/** Runs `call` with this session token as the cookie (a session the test made itself, e.g. a stale one). */
export function asSession<T>(token: string, call: () => Promise<T>): Promise<T> {
  return perCall.run(token, call);
}

/** @/server/db/client answering with the database under test. */
export function mockedDatabaseClient() {
  const database = (): Database => {
    if (!current.db) throw new Error("no database under test");
    return current.db;
  };
  return { getDatabase: async () => database(), getPrisma: async () => database().prisma };
}

export type IntegrationDatabase = {
  /** the database under test (set once beforeAll ran) */
  readonly db: Database;
  /** session tokens by e-mail: those of `signIn`, and any test's later signIn() */
  readonly tokens: Record<string, string>;
  /** person ids by e-mail, of the people signed in */
  readonly people: Record<string, string>;
  /** runs `call` as the person's session */
  as<T>(email: string, call: () => Promise<T>): Promise<T>;
  /** opens a new session for the person (replacing the one `as` uses) */
  signIn(email: string): Promise<string>;
  sql<T>(text: string, ...values: unknown[]): Promise<T[]>;
};

/** Opens the target before the describe block's tests (signing in `signIn`'s people, in order) and closes and disposes of it after. */
export function useIntegrationDatabase(target: TestTarget, options: { signIn: readonly string[] }): IntegrationDatabase {
  let db: Database | null = null;
  const tokens: Record<string, string> = {};
  const people: Record<string, string> = {};
  const opened = (): Database => {
    if (!db) throw new Error("the database under test is not open yet (use it inside a test or hook)");
    return db;
  };
  const harness: IntegrationDatabase = {
    get db() {
      return opened();
    },
    tokens,
    people,
    // (no token: the call runs without a session)
    as: (email, call) => perCall.run(tokens[email]!, call),
    async signIn(email) {
      const prisma = opened().prisma;
      tokens[email] = await signInForTest(prisma, email);
      people[email] = (await prisma.person.findUniqueOrThrow({ where: { email } })).id;
      return tokens[email];
    },
    sql: (text, ...values) => opened().prisma.$queryRawUnsafe(text, ...values),
  };

  beforeAll(async () => {
    db = await target.open();
    current.db = db;
    for (const email of options.signIn) await harness.signIn(email);
  });

  afterAll(async () => {
    current.db = null;
    current.token = null;
    await db?.close();
    db = null;
    await target.dispose();
  });

  return harness;
}

/** Expects `call` to be refused with an AppError of `status` (and a message containing or matching `message`); returns it. */
export async function expectRefusal(call: () => Promise<unknown>, status: number, message?: string | RegExp): Promise<AppError> {
  const error = await call().then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, "expected a refusal").toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.status, appError.message).toBe(status);
  if (typeof message === "string") expect(appError.message).toContain(message);
  else if (message) expect(appError.message).toMatch(message);
  return appError;
}
