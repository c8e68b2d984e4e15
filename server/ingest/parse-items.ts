// Splits a request body into items: a JSON array of envelopes, a single JSON
// object, or newline-delimited JSON (one envelope per non-empty line, as
// Application Insights SDKs send with `application/x-json-stream`). A line
// that is not JSON is one failed item; the other lines still count.
import "server-only";

export type ParsedItem = { index: number; ok: true; value: unknown } | { index: number; ok: false; message: string };

export type ParsedBody = { ok: true; items: ParsedItem[] } | { ok: false; message: string };

export function parseItems(body: Buffer): ParsedBody {
  const text = body.toString("utf8").replace(/^\uFEFF/, "");
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, message: "The request body is empty." };

  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return { ok: false, message: "The request body is not valid JSON." };
    }
    if (!Array.isArray(parsed)) return { ok: false, message: "The request body is not valid JSON." };
    if (parsed.length === 0) return { ok: false, message: "The request body holds no items." };
    return { ok: true, items: parsed.map((value, index) => ({ index, ok: true, value })) };
  }

  if (trimmed.startsWith("{")) {
    // One object, possibly pretty-printed over several lines.
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return { ok: true, items: [{ index: 0, ok: true, value: parsed }] };
    } catch {
      // not one object: read it as newline-delimited JSON below
    }
  }

  const items: ParsedItem[] = [];
  for (const line of trimmed.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const index = items.length;
    try {
      items.push({ index, ok: true, value: JSON.parse(line) as unknown });
    } catch {
      items.push({ index, ok: false, message: `Item ${index} is not valid JSON.` });
    }
  }
  if (items.every((item) => !item.ok)) return { ok: false, message: "The request body is neither JSON nor newline-delimited JSON." };
  return { ok: true, items };
}
