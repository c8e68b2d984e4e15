// Splits a request body into items: a JSON array of envelopes, a single JSON
// object, or newline-delimited JSON (one envelope per non-empty line, as
// Application Insights SDKs send with `application/x-json-stream`). A line
// that is not JSON is one failed item; the other lines still count. So is an
// item nested deeper than MAX_ITEM_DEPTH (json-depth.ts), measured on the text
// before it is parsed: nothing downstream ever walks such an item.
import "server-only";
import { MAX_ITEM_DEPTH, measureJsonNesting, tooDeepMessage } from "./json-depth";

export type ParsedItem = { index: number; ok: true; value: unknown } | { index: number; ok: false; message: string };

export type ParsedBody = { ok: true; items: ParsedItem[] } | { ok: false; message: string };

export function parseItems(body: Buffer): ParsedBody {
  const text = body.toString("utf8").replace(/^\uFEFF/, "");
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, message: "The request body is empty." };

  const nesting = measureJsonNesting(trimmed);

  if (trimmed.startsWith("[")) {
    // The array itself is one level; each element may have MAX_ITEM_DEPTH more.
    const tooDeep = new Set<number>();
    nesting.elementDepths.forEach((depth, index) => {
      if (depth > MAX_ITEM_DEPTH) tooDeep.add(index);
    });
    let parsed: unknown;
    try {
      // JSON.parse itself does not recurse (V8's parser keeps its own stack); what walks the items later does.
      parsed = JSON.parse(trimmed);
    } catch {
      return { ok: false, message: "The request body is not valid JSON." };
    }
    if (!Array.isArray(parsed)) return { ok: false, message: "The request body is not valid JSON." };
    if (parsed.length === 0) return { ok: false, message: "The request body holds no items." };
    if (tooDeep.size > 0 && nesting.elementDepths.length !== parsed.length) return { ok: false, message: tooDeepMessage("The request body") };
    return {
      ok: true,
      items: parsed.map((value: unknown, index) => (tooDeep.has(index) ? { index, ok: false, message: tooDeepMessage(`Item ${index}`) } : { index, ok: true, value })),
    };
  }

  if (trimmed.startsWith("{") && nesting.depth <= MAX_ITEM_DEPTH) {
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
    if (measureJsonNesting(line).depth > MAX_ITEM_DEPTH) {
      items.push({ index, ok: false, message: tooDeepMessage(`Item ${index}`) });
      continue;
    }
    try {
      items.push({ index, ok: true, value: JSON.parse(line) as unknown });
    } catch {
      items.push({ index, ok: false, message: `Item ${index} is not valid JSON.` });
    }
  }
  if (items.every((item) => !item.ok)) {
    // One object nested too deeply (on one line or pretty-printed over many) says so, rather than "not JSON".
    if (nesting.depth > MAX_ITEM_DEPTH) return { ok: false, message: tooDeepMessage("The request body") };
    return { ok: false, message: "The request body is neither JSON nor newline-delimited JSON." };
  }
  return { ok: true, items };
}
