// The one filter form identity providers send to find a resource before
// creating it (RFC 7644 §3.4.2.2): `<attribute> eq "<value>"`. Anything else
// is a 400 invalidFilter naming what is supported. No "server-only": pure.
import { ScimError } from "./scim-error";

export type ScimFilter = { attribute: string; value: string };

const EQ = /^\s*([A-Za-z][A-Za-z0-9.:_-]*)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i;

export function parseScimFilter(filter: string | null, attributes: readonly string[]): ScimFilter | null {
  if (filter === null) return null;
  if (filter.length > 1000) throw new ScimError(400, "filter: must be at most 1000 characters", "invalidFilter");
  const match = EQ.exec(filter);
  const supported = attributes.map((name) => `${name} eq "…"`).join(" or ");
  if (!match) throw new ScimError(400, `filter: only ${supported} is supported`, "invalidFilter");
  const wanted = match[1] ?? "";
  const attribute = attributes.find((name) => name.toLowerCase() === wanted.toLowerCase());
  if (!attribute) throw new ScimError(400, `filter: cannot filter on ${wanted}; only ${supported} is supported`, "invalidFilter");
  let value: unknown;
  try {
    value = JSON.parse(match[2] ?? "");
  } catch {
    throw new ScimError(400, "filter: the value is not a valid string literal", "invalidFilter");
  }
  if (typeof value !== "string" || value.includes("\u0000")) throw new ScimError(400, "filter: the value is not a valid string literal", "invalidFilter");
  return { attribute, value };
}

/** startIndex (1-based) and count of a list request (RFC 7644 §3.4.2.4). */
export function parsePaging(params: URLSearchParams, maxCount: number): { startIndex: number; count: number } {
  const read = (name: string, fallback: number) => {
    const raw = params.get(name);
    if (raw === null || raw === "") return fallback;
    if (!/^-?\d{1,9}$/.test(raw.trim())) throw new ScimError(400, `${name}: must be an integer`, "invalidValue");
    return Number(raw.trim());
  };
  const startIndex = Math.max(1, read("startIndex", 1));
  const count = Math.min(maxCount, Math.max(0, read("count", maxCount)));
  return { startIndex, count };
}
