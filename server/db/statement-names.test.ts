// Named prepared statements (server/db/connect.ts): one name per SQL text, the
// same text always the same name, and no new names past the bound (those run
// unnamed, parsed each time), so generated SQL cannot grow every backend's
// prepared statements without end.
import { describe, expect, it } from "vitest";
import { statementNames } from "./connect";

describe("statementNames", () => {
  it("gives the same text the same name and different texts different names", () => {
    const name = statementNames(10)!;
    const first = name({ sql: "SELECT 1" });
    expect(first).toMatch(/^tp_[0-9a-f]{24}$/);
    expect(name({ sql: "SELECT 1" })).toBe(first);
    expect(name({ sql: "SELECT 2" })).not.toBe(first);
    // another process (another instance) names the same text the same way
    expect(statementNames(10)!({ sql: "SELECT 1" })).toBe(first);
  });

  it("names at most `limit` texts; later ones run unnamed, earlier ones keep their names", () => {
    const name = statementNames(2)!;
    const a = name({ sql: "SELECT 'a'" });
    const b = name({ sql: "SELECT 'b'" });
    expect(name({ sql: "SELECT 'c'" })).toBeUndefined();
    expect(name({ sql: "SELECT 'a'" })).toBe(a);
    expect(name({ sql: "SELECT 'b'" })).toBe(b);
  });

  it("is off at 0", () => {
    expect(statementNames(0)).toBeUndefined();
  });
});
