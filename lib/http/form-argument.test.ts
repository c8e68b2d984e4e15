import { describe, expect, it } from "vitest";
import { formArgument } from "./form-argument";

describe("formArgument", () => {
  it("passes a form through", () => {
    const form = new FormData();
    form.append("name", "x");
    expect(formArgument(form)).toBe(form);
  });

  it.each([undefined, null, 0, "name=x", { get: () => "x" }, [["name", "x"]]])("reads %j as an empty form", (value) => {
    const form = formArgument(value);
    expect(form).toBeInstanceOf(FormData);
    expect([...form.keys()]).toEqual([]);
  });
});
