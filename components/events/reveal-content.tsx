"use client";
// The Reveal button of an event's content. Rendered only when the person's
// groups grant `content` for the event's kind; the server checks again and
// audits the reveal (or its refusal). Code is shown as text in <pre>, never
// as HTML.
import { useState } from "react";
import type { RevealedContent } from "@/lib/telemetry/event-types";
import { HighlightedCode } from "./highlighted-code";

type State = { status: "hidden" } | { status: "loading" } | { status: "shown"; content: RevealedContent["content"] } | { status: "failed"; message: string };

/** `languageId`: the event's language (when the person may see it), for syntax highlighting. */
export function RevealContent({ eventId, languageId = null }: { eventId: string; languageId?: string | null }) {
  const [state, setState] = useState<State>({ status: "hidden" });

  async function reveal() {
    setState({ status: "loading" });
    try {
      const response = await fetch(`/api/v1/events/${encodeURIComponent(eventId)}/reveal`, {
        method: "POST",
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      const body = (await response.json().catch(() => null)) as (RevealedContent & { error?: { message?: string } }) | null;
      if (!response.ok || !body) {
        setState({ status: "failed", message: body?.error?.message ?? `The content could not be revealed (HTTP ${response.status}).` });
        return;
      }
      setState({ status: "shown", content: body.content });
    } catch {
      setState({ status: "failed", message: "The content could not be revealed: the portal did not answer." });
    }
  }

  if (state.status === "shown") return <ContentView content={state.content} languageId={languageId} onHide={() => setState({ status: "hidden" })} />;

  return (
    <div className="stack">
      <p className="subtle">
        Code snippets, editor state and suggestion text stay hidden until you reveal them. Revealing is recorded in the audit trail as its own
        access.
      </p>
      <div>
        <button type="button" className="button" onClick={reveal} disabled={state.status === "loading"}>
          {state.status === "loading" ? "Revealing…" : "Reveal content"}
        </button>
      </div>
      {state.status === "failed" ? (
        <p className="notice notice--error" role="alert">
          {state.message}
        </p>
      ) : null}
    </div>
  );
}

function ContentView({ content, languageId, onHide }: { content: RevealedContent["content"]; languageId: string | null; onHide: () => void }) {
  return (
    <div className="stack revealed" aria-live="polite">
      {content === null ? <p>This event carries no content.</p> : null}
      {content?.editorState ? (
        <dl className="props">
          <dt>File</dt>
          <dd className="mono">{content.editorState.relativePath ?? "—"}</dd>
          <dt>Cursor</dt>
          <dd>
            line {content.editorState.line + 1}, column {content.editorState.character + 1}
            {content.editorState.lineCount !== undefined ? ` of ${content.editorState.lineCount} lines` : ""}
          </dd>
        </dl>
      ) : null}
      {content?.prefix !== undefined ? <CodeBlock title="Code before the cursor" code={content.prefix} languageId={languageId} /> : null}
      {content?.suffix !== undefined ? <CodeBlock title="Code after the cursor" code={content.suffix} languageId={languageId} /> : null}
      {content?.suggestions?.map((suggestion, index) => (
        <CodeBlock
          key={index}
          title={content.suggestions && content.suggestions.length > 1 ? `Suggestion ${index + 1} of ${content.suggestions.length}` : "Suggestion"}
          code={suggestion}
          languageId={languageId}
        />
      ))}
      {content?.persistedText !== undefined ? <CodeBlock title="Still in the code at this check" code={content.persistedText} languageId={languageId} /> : null}
      {content?.unclassified && Object.keys(content.unclassified).length > 0 ? (
        <>
          <h3>Unclassified producer text</h3>
          <p className="subtle">Properties and values the producer sent that no admin has classified yet, as sent.</p>
          <dl className="props">
            {Object.entries(content.unclassified).map(([name, value]) => (
              <div key={name} style={{ display: "contents" }}>
                <dt className="mono">{name}</dt>
                <dd className="mono">{value === null ? "null" : String(value)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
      <div>
        <button type="button" className="button button--secondary" onClick={onHide}>
          Hide content
        </button>
      </div>
    </div>
  );
}

function CodeBlock({ title, code, languageId }: { title: string; code: string; languageId: string | null }) {
  return (
    <figure className="code-figure">
      <figcaption>{title}</figcaption>
      <pre className="code">
        {code.length > 0 ? <HighlightedCode code={code} languageId={languageId} /> : <code>(empty)</code>}
      </pre>
    </figure>
  );
}
