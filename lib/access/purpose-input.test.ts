// The purpose form and PUT /api/v1/me/purpose: the detail is stored on the
// session, so it must be text PostgreSQL can store (issue 10, finding 6).
import { describe, expect, it } from "vitest";
import { purposeInputSchema } from "./purpose-input";

const messages = (input: unknown) => purposeInputSchema.safeParse(input).error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);

describe("purposeInputSchema", () => {
  it("takes a listed purpose, and a sentence for other", () => {
    expect(purposeInputSchema.parse({ purpose: "improve_product" })).toEqual({ purpose: "improve_product" });
    expect(purposeInputSchema.parse({ purpose: "other", detail: " Checking latency after the rollout. " })).toEqual({ purpose: "other", detail: "Checking latency after the rollout." });
  });

  it("refuses NUL and unpaired surrogates in the detail, naming it", () => {
    expect(messages({ purpose: "other", detail: "Checking latency\u0000 after the rollout." })).toEqual(["detail: must not contain NUL characters"]);
    expect(messages({ purpose: "improve_product", detail: "a\uD800b" })).toEqual(["detail: must not contain unpaired UTF-16 surrogates"]);
  });
});
