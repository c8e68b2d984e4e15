// The audit console's query: filters, order, page size and keyset cursor,
// shared by /audit and GET /api/v1/audit (and its CSV export). Unknown
// parameters and bad values are 400s that name the parameter.
import { z } from "zod";
import { fromBase64Url, toBase64Url } from "@/lib/base64url";
import { normalizeSearchParams, parseDateTime } from "@/lib/telemetry/event-query";
import { AUDIT_OUTCOMES, PURPOSES } from "@/lib/telemetry/vocabulary";
import { AUDIT_ACTIONS } from "./actions";

export const AUDIT_SORTS = ["time_desc", "time_asc"] as const;
export type AuditSort = (typeof AUDIT_SORTS)[number];
export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_MAX_PAGE_SIZE = 500;

/** Keyset position: the last row's time and id. */
export type AuditCursor = { sort: AuditSort; occurredAt: string; id: string };

const cursorPayload = z.strictObject({ s: z.enum(AUDIT_SORTS), t: z.string().max(40), i: z.string().regex(/^\d{1,19}$/) });

export function encodeAuditCursor(cursor: AuditCursor): string {
  return toBase64Url(JSON.stringify({ s: cursor.sort, t: cursor.occurredAt, i: cursor.id }));
}

export function decodeAuditCursor(encoded: string): AuditCursor | null {
  if (encoded.length > 200) return null;
  const json = fromBase64Url(encoded);
  if (json === null) return null;
  try {
    const parsed = cursorPayload.safeParse(JSON.parse(json));
    if (!parsed.success || parseDateTime(parsed.data.t) === null) return null;
    return { sort: parsed.data.s, occurredAt: parsed.data.t, id: parsed.data.i };
  } catch {
    return null;
  }
}

const single = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value, ctx) => {
    if (!Array.isArray(value)) return value;
    if (value.length === 1) return value[0];
    ctx.addIssue({ code: "custom", message: "may be given only once" });
    return z.NEVER;
  }, schema.optional());

const many = <T extends readonly [string, ...string[]]>(values: T, noun: string) =>
  z.preprocess(
    (value) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]),
    z.array(z.enum(values, { error: `is not a known ${noun}` })).optional(),
  );

const dateTime = single(
  z.string().transform((value, ctx) => {
    const date = parseDateTime(value);
    if (!date) {
      ctx.addIssue({ code: "custom", message: "is not a date or date-time (use ISO 8601, e.g. 2026-11-24T09:30Z)" });
      return z.NEVER;
    }
    return date;
  }),
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const filterShape = {
  actor: single(z.string().trim().min(1).max(320)),
  action: many(AUDIT_ACTIONS, "audit action"),
  outcome: many(AUDIT_OUTCOMES, "outcome"),
  purpose: many(PURPOSES, "purpose"),
  from: dateTime,
  to: dateTime,
  eventId: single(z.string().trim().regex(UUID, "must be an event id (a UUID)").transform((id) => id.toLowerCase())),
  machineId: single(z.string().trim().min(1).max(128)),
};

const withRangeCheck = <T extends { from?: Date; to?: Date }>(value: T, ctx: z.RefinementCtx) => {
  if (value.from && value.to && value.from > value.to) ctx.addIssue({ code: "custom", path: ["from"], message: "must be before `to`" });
};

export const auditFilterSchema = z.preprocess(normalizeSearchParams, z.strictObject(filterShape).superRefine(withRangeCheck));
export type AuditFilters = z.output<typeof auditFilterSchema>;

export const auditSearchSchema = z.preprocess(
  normalizeSearchParams,
  z
    .strictObject({
      ...filterShape,
      sort: single(z.enum(AUDIT_SORTS, { error: `must be one of ${AUDIT_SORTS.join(", ")}` })).default("time_desc"),
      limit: single(
        z.coerce
          .number({ error: "must be a number" })
          .int("must be a whole number")
          .min(1, "must be at least 1")
          .max(AUDIT_MAX_PAGE_SIZE, `must be at most ${AUDIT_MAX_PAGE_SIZE}`),
      ).default(AUDIT_PAGE_SIZE),
      cursor: single(
        z.string().transform((value, ctx) => {
          const cursor = decodeAuditCursor(value.trim());
          if (!cursor) {
            ctx.addIssue({ code: "custom", message: "is not valid; start again from the first page" });
            return z.NEVER;
          }
          return cursor;
        }),
      ),
    })
    .superRefine((value, ctx) => {
      withRangeCheck(value, ctx);
      if (value.cursor && value.cursor.sort !== value.sort) {
        ctx.addIssue({ code: "custom", path: ["cursor"], message: "belongs to another sort order; start again from the first page" });
      }
    }),
);
export type AuditSearch = z.output<typeof auditSearchSchema>;
