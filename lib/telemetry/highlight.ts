// Syntax highlighting of revealed code (issue 14 item 6) as TOKENS, never as
// HTML: Prism's tokenizer (prismjs, with the grammars imported below bundled
// into the page — nothing is fetched at runtime) splits the text, and
// components/events/highlighted-code.tsx renders each token as a React text
// node inside a <span>, so producer content such as `<script>` stays text.
// Prism's own highlight()/highlightElement() (which build HTML strings) are
// never called. Safe on both sides.
import Prism from "prismjs";
import "prismjs/components/prism-markup-templating";
import "prismjs/components/prism-typescript";
import "prismjs/components/prism-jsx";
import "prismjs/components/prism-tsx";
import "prismjs/components/prism-python";
import "prismjs/components/prism-go";
import "prismjs/components/prism-rust";
import "prismjs/components/prism-java";
import "prismjs/components/prism-csharp";
import "prismjs/components/prism-c";
import "prismjs/components/prism-cpp";
import "prismjs/components/prism-ruby";
import "prismjs/components/prism-php";
import "prismjs/components/prism-json";
import "prismjs/components/prism-yaml";
import "prismjs/components/prism-bash";
import "prismjs/components/prism-markdown";
import "prismjs/components/prism-sql";
import "prismjs/components/prism-kotlin";
import "prismjs/components/prism-swift";

/** VS Code language ids → Prism grammar names (ids not listed here and not a grammar name are shown plain). */
const GRAMMAR_OF: Record<string, string> = {
  typescriptreact: "tsx",
  javascriptreact: "jsx",
  shellscript: "bash",
  html: "markup",
  xml: "markup",
  csharp: "csharp",
  "c++": "cpp",
  jsonc: "json",
};

/** One highlighted piece: its token types (empty for plain text) and its text. */
export type CodeToken = { types: string[]; text: string };

export function grammarFor(languageId: string | null | undefined): string | null {
  if (!languageId) return null;
  const name = GRAMMAR_OF[languageId] ?? languageId;
  return Object.prototype.hasOwnProperty.call(Prism.languages, name) && typeof Prism.languages[name] === "object" ? name : null;
}

function flatten(stream: Prism.TokenStream, types: string[], out: CodeToken[]): void {
  if (typeof stream === "string") {
    if (stream) out.push({ types, text: stream });
    return;
  }
  if (Array.isArray(stream)) {
    for (const part of stream) flatten(part, types, out);
    return;
  }
  const aliases = stream.alias ? (Array.isArray(stream.alias) ? stream.alias : [stream.alias]) : [];
  flatten(stream.content, [...types, stream.type, ...aliases], out);
}

/** The code as a flat list of typed text pieces (concatenated, exactly the input); plain when the language is unknown. */
export function tokenizeCode(code: string, languageId: string | null | undefined): CodeToken[] {
  const grammar = grammarFor(languageId);
  if (!grammar) return code ? [{ types: [], text: code }] : [];
  const out: CodeToken[] = [];
  flatten(Prism.tokenize(code, Prism.languages[grammar]!), [], out);
  return out;
}
