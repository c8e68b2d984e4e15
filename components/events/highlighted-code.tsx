// Revealed code with syntax highlighting: lib/telemetry/highlight.ts splits it
// into typed pieces, each rendered here as a React text node in a <span> —
// never as HTML, so markup in producer content (`<script>`, `<img onerror>`)
// is shown as the characters it is.
import { grammarFor, tokenizeCode } from "@/lib/telemetry/highlight";
import styles from "./highlighted-code.module.css";

/** Token types that get a colour (others inherit the text colour). */
const COLOURED = new Set([
  "comment",
  "prolog",
  "doctype",
  "keyword",
  "builtin",
  "string",
  "char",
  "template-string",
  "regex",
  "number",
  "boolean",
  "constant",
  "function",
  "class-name",
  "operator",
  "punctuation",
  "tag",
  "attr-name",
  "attr-value",
  "property",
  "decorator",
  "variable",
]);

function classFor(types: readonly string[]): string | undefined {
  // the innermost coloured type wins (a keyword inside a template string is a keyword)
  for (let index = types.length - 1; index >= 0; index--) {
    const type = types[index]!;
    if (COLOURED.has(type)) return styles[`t-${type}`];
  }
  return undefined;
}

export function HighlightedCode({ code, languageId }: { code: string; languageId: string | null | undefined }) {
  const grammar = grammarFor(languageId);
  return (
    <code className={styles.code} data-language={grammar ?? "plain"}>
      {tokenizeCode(code, languageId).map((token, index) => {
        const className = classFor(token.types);
        return className ? (
          <span key={index} className={className}>
            {token.text}
          </span>
        ) : (
          <span key={index}>{token.text}</span>
        );
      })}
    </code>
  );
}
