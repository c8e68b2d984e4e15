"use client";
// The Reveal button of an event's content. Rendered only when the person's
// groups grant `content` for the event's kind; the server checks again and
// audits the reveal (or its refusal). Code is shown as text in <pre>, never
// as HTML. Focus follows the content: to the revealed content after Reveal
// (announced), back to the Reveal button after Hide.
import { useEffect, useRef, useState, type Ref } from "react";
import type { RevealedContent } from "@/lib/telemetry/event-types";
import { HighlightedCode } from "./highlighted-code";

type State = { status: "hidden" } | { status: "loading" } | { status: "shown"; content: RevealedContent["content"] } | { status: "failed"; message: string };

/** `languageId`: the event's language (when the person may see it), for syntax highlighting. */
export function RevealContent({ eventId, languageId = null }: { eventId: string; languageId?: string | null }) {
  const [state, setState] = useState<State>({ status: "hidden" });
  const revealButton = useRef<HTMLButtonElement>(null);
  const revealed = useRef<HTMLDivElement>(null);
  // set by Reveal and Hide, so focus moves only after the person's own action (never on first render)
  const moveFocus = useRef(false);
  useEffect(() => {
    if (!moveFocus.current) return;
    if (state.status === "shown") revealed.current?.focus();
    else if (state.status === "hidden") revealButton.current?.focus();
    else return;
    moveFocus.current = false;
  }, [state.status]);

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
      moveFocus.current = true;
      setState({ status: "shown", content: body.content });
    } catch {
      setState({ status: "failed", message: "The content could not be revealed: the portal did not answer." });
    }
  }

  if (state.status === "shown") {
    const hide = () => {
      moveFocus.current = true;
      setState({ status: "hidden" });
    };
    return <ContentView ref={revealed} content={state.content} languageId={languageId} onHide={hide} />;
  }

  return (
    <div className="stack">
      <p className="subtle">
        Code snippets, editor state and suggestion text stay hidden until you reveal them. Revealing is recorded in the audit trail as its own
        access.
      </p>
      <div>
        <button ref={revealButton} type="button" className="button" onClick={reveal} disabled={state.status === "loading"}>
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

function ContentView({ ref, content, languageId, onHide }: { ref: Ref<HTMLDivElement>; content: RevealedContent["content"]; languageId: string | null; onHide: () => void }) {
  return (
    <div className="stack revealed" aria-live="polite" ref={ref} tabIndex={-1} role="region" aria-label="Revealed content">
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
      {/* focusable, so a keyboard can scroll a long line into view */}
      <pre className="code" tabIndex={0}>
        {code.length > 0 ? <HighlightedCode code={code} languageId={languageId} /> : <code>(empty)</code>}
      </pre>
    </figure>
  );
}
