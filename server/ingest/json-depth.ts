// How deeply a JSON text nests arrays and objects, measured on the text itself
// before it is parsed: one pass, no recursion, strings skipped. The intake
// refuses an item nested deeper than MAX_ITEM_DEPTH before anything walks it
// (zod, the event-id canonicalization, JSON.stringify of property values), so
// a body of 100,000 "[" costs one linear scan and a 400, never a stack
// overflow. No Application Insights envelope or native event comes near the
// limit: an envelope is 4 levels deep with its properties.
import "server-only";

/** The deepest nesting an intake item (an envelope or a native event) may have. */
export const MAX_ITEM_DEPTH = 64;

export type JsonNesting = {
  /** the deepest nesting of arrays and objects in the text (0 for a scalar) */
  depth: number;
  /** when the text is an array: the nesting of each element (0 for a scalar element), in order */
  elementDepths: number[];
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * The index of the quote closing the string that opens at `start` (text.length
 * when it is never closed). Jumps from quote to quote with indexOf (strings are
 * most of an envelope's bytes); a quote preceded by an odd number of
 * backslashes is escaped.
 */
function stringEnd(text: string, start: number): number {
  let quote = start;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

/**
 * Measures `text` as JSON. It does not validate: on a text that is not JSON
 * the numbers mean little, and JSON.parse refuses it anyway.
 */
export function measureJsonNesting(text: string): JsonNesting {
  let depth = 0;
  let deepest = 0;
  let topLevelArray: boolean | null = null;
  const elementDepths: number[] = [];
  /** the deepest nesting seen in the current element of a top-level array; -1 before its first character */
  let element = -1;

  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (isJsonWhitespace(code)) continue;
    if (topLevelArray === null) topLevelArray = code === OPEN_ARRAY;
    const inTopArray = topLevelArray && depth === 1;

    if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (topLevelArray && depth >= 2) element = Math.max(element, depth - 1);
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      if (inTopArray && element >= 0) {
        elementDepths.push(element);
        element = -1;
      }
      depth = Math.max(0, depth - 1);
    } else if (inTopArray && code === COMMA) {
      elementDepths.push(Math.max(element, 0));
      element = -1;
    } else {
      if (code === QUOTE) index = stringEnd(text, index);
      if (inTopArray) element = Math.max(element, 0);
    }
  }
  return { depth: deepest, elementDepths: topLevelArray ? elementDepths : [] };
}

/** The refusal of an item nested too deeply, naming the limit. */
export function tooDeepMessage(what: string): string {
  return `${what} nests arrays or objects deeper than ${MAX_ITEM_DEPTH} levels.`;
}
