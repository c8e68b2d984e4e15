// One codec for the opaque keyset cursors of every list (events, audit rows,
// people): base64url of a small JSON object, checked on the way back in by a
// strict zod schema. A cursor is only a position — the last row's sort value
// and id — so each field is checked to be exactly what the portal writes and
// PostgreSQL will read: timestamps with every part existing and an offset of
// Z or at most ±15:59, UUIDs in 8-4-4-4-12 form, bigints within range,
// integers within int4, text without NUL. Anything else decodes to null, and
// the list answers 400 "start again from the first page".
// Safe on both sides.
import { z } from "zod";
import { fromBase64Url, toBase64Url } from "@/lib/base64url";
import { INT4_MAX, INT4_MIN, isBigintId, isStrictTimestamp, textProblem } from "./input-values";

export type CursorCodec<T> = {
  encode(payload: T): string;
  /** the payload, or null for anything that is not a cursor this codec made */
  decode(token: string): T | null;
};

/** Longer tokens are refused before decoding. */
export const MAX_CURSOR_LENGTH = 2048;

export function cursorCodec<T extends z.ZodType<Record<string, unknown>>>(payload: T): CursorCodec<z.output<T>> {
  return {
    encode: (value) => toBase64Url(JSON.stringify(value)),
    decode: (token) => {
      if (token.length === 0 || token.length > MAX_CURSOR_LENGTH) return null;
      const json = fromBase64Url(token);
      if (json === null) return null;
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch {
        return null;
      }
      const result = payload.safeParse(parsed);
      return result.success ? result.data : null;
    },
  };
}

// ─── Payload fields ──────────────────────────────────────────────────────────

/** A timestamp as the portal writes it (ISO 8601, Z or an offset within ±15:59). */
export const cursorTimestamp = z.string().max(40).refine(isStrictTimestamp);

/** A UUID in canonical form, lower-cased. */
export const cursorUuid = z.guid().transform((id) => id.toLowerCase());

/** A positive bigint id as decimal text, within range. */
export const cursorBigint = z.string().refine(isBigintId);

/** A PostgreSQL integer. */
export const cursorInt4 = z.number().int().min(INT4_MIN).max(INT4_MAX);

/** A finite double. */
export const cursorNumber = z.number().refine(Number.isFinite);

/** A text sort value PostgreSQL can compare (no NUL, no unpaired surrogates). */
export function cursorText(max: number) {
  return z
    .string()
    .max(max)
    .refine((text) => textProblem(text) === null);
}
