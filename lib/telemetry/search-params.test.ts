// Compact URLs: what the filter form sends.
import { describe, expect, it } from "vitest";
import { compactFormParams, compactSearchParams } from "./search-params";

describe("compactFormParams", () => {
  it("drops blank fields, joins list parameters and leaves defaults out", () => {
    const entries: Array<[string, string]> = [
      ["range", "7d"],
      ["from", ""],
      ["to", " "],
      ["kind", "error"],
      ["kind", "completion_shown"],
      ["limit", "50"],
      ["os", "Linux"],
      ["city", ""],
      ["columns", "kind"],
      ["columns", "time"],
    ];
    const params = compactFormParams(entries, { limit: "50", columns: "time,kind" });
    expect(params.toString()).toBe("range=7d&kind=error%2Ccompletion_shown&os=Linux");
    expect(compactFormParams([["limit", "100"], ["columns", "time"]], { limit: "50", columns: "time,kind" }).toString()).toBe("limit=100&columns=time");
  });

  it("keeps a page's query as it is, less its empty values", () => {
    expect(compactSearchParams({ os: "", kind: ["error", "other"], city: "Paris" }).toString()).toBe("kind=error&kind=other&city=Paris");
  });
});
