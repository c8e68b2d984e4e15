// Any value a CSV cell may hold, as the guarded text that goes into the file.
// Every cell of every export passes through cellText, whatever its type:
// strings (numbers-as-strings included), lists (joined with ";", then guarded,
// so every element is guarded where a spreadsheet could start a cell), objects
// (JSON, then guarded), dates (ISO 8601), booleans, null and undefined (empty).
// Only a finite number or a bigint is written as is: its decimal form cannot
// hold a formula, and "-3.5" must stay a number in a spreadsheet.
import "server-only";
import { guardFormula, LIST_SEPARATOR } from "./formula-guard";

function plainText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
  if (Array.isArray(value)) return value.map(plainText).join(LIST_SEPARATOR);
  if (typeof value === "object") return JSON.stringify(value) ?? "";
  return String(value);
}

export function cellText(value: unknown): string {
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "bigint") return String(value);
  return guardFormula(plainText(value));
}
