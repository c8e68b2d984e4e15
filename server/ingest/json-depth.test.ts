// Nesting measured on the text, before parsing: one linear pass, strings skipped.
import { describe, expect, it } from "vitest";
import { MAX_ITEM_DEPTH, measureJsonNesting } from "./json-depth";

const nested = (levels: number, inner = "1") => "[".repeat(levels) + inner + "]".repeat(levels);

describe("measureJsonNesting", () => {
  it.each([
    ["1", 0, []],
    ['"[[[{{{"', 0, []],
    ["[]", 1, []],
    ["[1, 2]", 1, [0, 0]],
    ['[1, [2], {"a": {"b": [3]}}, "x,]", {}]', 4, [0, 1, 3, 0, 1]],
    ['{"a": [1, {"b": 2}]}', 3, []],
    ['["\\"]]]", [["\\\\"]]]', 3, [0, 2]],
    ['[1, "x\\\\\\"]]", [2], "\\\\", {}]', 2, [0, 0, 1, 0, 1]],
    ['["unclosed [[[', 1, []],
  ])("measures %s", (text, depth, elementDepths) => {
    expect(measureJsonNesting(text)).toEqual({ depth, elementDepths });
  });

  it("measures 100,000 levels in one pass, without recursion", () => {
    const started = performance.now();
    expect(measureJsonNesting(nested(100_000))).toEqual({ depth: 100_000, elementDepths: [99_999] });
    expect(measureJsonNesting(`[{"ok":1}, ${nested(100_000)}]`)).toEqual({ depth: 100_001, elementDepths: [1, 100_000] });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("allows an item MAX_ITEM_DEPTH deep and no deeper", () => {
    expect(measureJsonNesting(nested(MAX_ITEM_DEPTH)).depth).toBe(MAX_ITEM_DEPTH);
    expect(MAX_ITEM_DEPTH).toBe(64);
  });
});
