// The formula guard every CSV cell the portal writes passes through, and its
// exact inverse for the files it reads back (OWASP "CSV injection").
//
// A spreadsheet runs a cell as a formula when it starts with = + - @ (or their
// full-width forms, which some normalize), and a leading tab or CR has carried
// DDE payloads. Leading blanks, zero-width characters and quotes do not make a
// cell safe: some spreadsheets trim them and run what follows. So the guard
// looks through them, and a dangerous cell gets a leading apostrophe — the mark
// spreadsheets read as "this is text".
//
// A cell does not only start at the start of a field. A spreadsheet that splits
// on semicolons (many European locales' list separator) starts a new cell after
// every ";" — and list values are joined with ";" — and one that does not see a
// field as quoted starts a new row after every line break inside it. So the
// guard applies to every segment of the text between ";", CR and LF. Where a
// segment starts a field (the cell's start, or after a ";"), a CR right after
// blanks counts as a leading CR; after a line break it is just another one.
//
// Round trip: unguardFormula(guardFormula(text)) === text for every string. A
// segment that already starts with an apostrophe followed by something
// dangerous is itself dangerous (the apostrophe is looked through), so it gets
// a second one, and the inverse never strips an apostrophe that was data.
import "server-only";

/** blanks (\s includes the BOM and NBSP), zero-width characters and quotes, then a character that starts a formula */
const DANGEROUS_START = /^[\s'"\u200B-\u200D\u2060]*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/u;
const SEGMENT_BREAK = /(;|\r\n|\r|\n)/;
const HAS_SEGMENT_BREAK = /[;\r\n]/;
const GUARD = "'";

export const LIST_SEPARATOR = ";";

/**
 * Rewrites each segment of `text`; `next` is the character right after the
 * segment when the segment starts a field (it may be a CR), else "".
 */
function eachSegment(text: string, rewrite: (segment: string, next: string) => string): string {
  if (!HAS_SEGMENT_BREAK.test(text)) return rewrite(text, "");
  // split() with a capturing group keeps the separators at the odd indexes
  const parts = text.split(SEGMENT_BREAK);
  let result = "";
  for (let index = 0; index < parts.length; index += 2) {
    const before = parts[index - 1];
    const after = parts[index + 1] ?? "";
    const startsField = before === undefined || before === ";";
    result += rewrite(parts[index]!, startsField ? after.charAt(0) : "") + after;
  }
  return result;
}

const isDangerous = (segment: string, next: string) => DANGEROUS_START.test(segment + next);

/** The text with an apostrophe before every segment a spreadsheet could run as a formula. */
export function guardFormula(text: string): string {
  return eachSegment(text, (segment, next) => (isDangerous(segment, next) ? GUARD + segment : segment));
}

/** Undoes guardFormula exactly; text the portal did not guard comes back unchanged unless it looks guarded. */
export function unguardFormula(text: string): string {
  return eachSegment(text, (segment, next) => (segment.startsWith(GUARD) && isDangerous(segment.slice(GUARD.length), next) ? segment.slice(GUARD.length) : segment));
}
