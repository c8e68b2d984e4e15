import { afterEach, describe, expect, it, vi } from "vitest";
import type { Database } from "./connect";

const connect = vi.hoisted(() => ({ calls: 0, results: [] as Array<"fail" | "ok"> }));

vi.mock("./connect", () => ({
  connectDatabase: async (): Promise<Database> => {
    connect.calls += 1;
    if (connect.results.shift() === "fail") throw new Error("The embedded database at /x is in use by another process (pid 1).");
    return { prisma: {} as Database["prisma"], kind: "postgresql", close: async () => undefined };
  },
}));

const { closeSharedDatabase, getSharedDatabase } = await import("./shared");

afterEach(async () => {
  await closeSharedDatabase();
  connect.calls = 0;
  connect.results = [];
});

describe("the shared database connection", () => {
  it("is opened once per process, however many callers ask at once", async () => {
    const [first, second] = await Promise.all([getSharedDatabase(), getSharedDatabase()]);
    expect(first).toBe(second);
    expect(await getSharedDatabase()).toBe(first);
    expect(connect.calls).toBe(1);
  });

  it("retries a connection that failed on the next call instead of remembering the failure", async () => {
    connect.results = ["fail", "ok"];
    await expect(getSharedDatabase()).rejects.toThrow(/in use by another process/);
    const database = await getSharedDatabase();
    expect(database.kind).toBe("postgresql");
    expect(connect.calls).toBe(2);
  });

  it("opens a new connection after closeSharedDatabase", async () => {
    const first = await getSharedDatabase();
    await closeSharedDatabase();
    expect(await getSharedDatabase()).not.toBe(first);
    expect(connect.calls).toBe(2);
  });
});
