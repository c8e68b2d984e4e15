import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { HighlightedCode } from "@/components/events/highlighted-code";
import { grammarFor, tokenizeCode } from "./highlight";

const HOSTILE = 'const x = "<script>alert(1)</script>"; // <img src=x onerror=alert(2)>\nlet y = `<b>${x}</b>`;';

describe("tokenizeCode", () => {
  it("maps VS Code language ids to bundled grammars, and unknown ones to plain text", () => {
    expect(grammarFor("typescriptreact")).toBe("tsx");
    expect(grammarFor("python")).toBe("python");
    expect(grammarFor("shellscript")).toBe("bash");
    expect(grammarFor("cobol-but-not-really")).toBeNull();
    expect(grammarFor("__proto__")).toBeNull();
    expect(tokenizeCode("x = 1", null)).toEqual([{ types: [], text: "x = 1" }]);
  });

  it("splits code into typed pieces that put back together are exactly the input", () => {
    const tokens = tokenizeCode(HOSTILE, "typescript");
    expect(tokens.map((token) => token.text).join("")).toBe(HOSTILE);
    expect(tokens).toEqual(expect.arrayContaining([{ types: ["keyword"], text: "const" }, expect.objectContaining({ types: ["comment"] })]));
    const python = tokenizeCode("def f(n):\n    return n + 1  # next", "python");
    expect(python).toEqual(expect.arrayContaining([{ types: ["keyword"], text: "def" }, { types: ["function"], text: "f" }]));
  });
});

describe("HighlightedCode", () => {
  it("renders producer markup as text, never as elements", () => {
    const html = renderToStaticMarkup(createElement(HighlightedCode, { code: HOSTILE, languageId: "typescript" }));
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=alert(2)&gt;");
    // only the component's own spans and code element
    expect([...html.matchAll(/<([a-z]+)/g)].map((match) => match[1]).every((tag) => tag === "span" || tag === "code")).toBe(true);
  });
});
