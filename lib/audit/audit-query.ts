// The audit console's query: filters, order, page size and keyset cursor,
// shared by /audit and GET /api/v1/audit (and its CSV export). Parameters are
// read as on every list (lib/http/query-params.ts): unknown or repeated
// parameters and bad values are 400s that name the parameter.
import { z } from "zod";
import { cursorBigint, cursorCodec, cursorTimestamp } from "@/lib/http/cursor";
import { bigintIdString, uuidString } from "@/lib/http/input-values";
import {
  cursorParam,
  dateTimeParam,
  enumParam,
  fromSearchParams,
  integerParam,
  queryObject,
  refuseCursorOfAnotherSort,
  repeatedEnumParam,
  single,
  textParam,
  uuidParam,
} from "@/lib/http/query-params";
import { MAX_METADATA_LENGTH } from "@/lib/telemetry/metadata";
import { AUDIT_OUTCOMES, EMPLOYERS, PURPOSES } from "@/lib/telemetry/vocabulary";
import { AUDIT_ACTIONS } from "./actions";
import { ROUTINE_MODES } from "./routine";

export const AUDIT_SORTS = ["time_desc", "time_asc"] as const;
export type AuditSort = (typeof AUDIT_SORTS)[number];
export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_MAX_PAGE_SIZE = 500;

/** An audit row's id (a bigint) as it appears in /audit/{id} and /api/v1/audit/{id}. */
export const auditRowIdSchema = bigintIdString("must be an audit row number");

/** Keyset position: the last row's time and id. */
export type AuditCursor = { sort: AuditSort; occurredAt: string; id: string };

const auditCursorCodec = cursorCodec(z.strictObject({ s: z.enum(AUDIT_SORTS), t: cursorTimestamp, i: cursorBigint }));

export function encodeAuditCursor(cursor: AuditCursor): string {
  return auditCursorCodec.encode({ s: cursor.sort, t: cursor.occurredAt, i: cursor.id });
}

export function decodeAuditCursor(encoded: string): AuditCursor | null {
  const payload = auditCursorCodec.decode(encoded);
  return payload ? { sort: payload.s, occurredAt: payload.t, id: payload.i } : null;
}

/** `person=`: an access-list person's id, or "anonymous" for rows with no actor at all. */
export const ANONYMOUS_ACTOR = "anonymous";
/** `purpose=none` / `employer=none`: rows that recorded none. */
export const NONE_RECORDED = "none";
export const PURPOSE_FILTER_VALUES = [...PURPOSES, NONE_RECORDED] as const;
export type PurposeFilterValue = (typeof PURPOSE_FILTER_VALUES)[number];
export const EMPLOYER_FILTER_VALUES = [...EMPLOYERS, NONE_RECORDED] as const;
export type EmployerFilterValue = (typeof EMPLOYER_FILTER_VALUES)[number];

const PERSON_MESSAGE = `must be a person id (a UUID) or "${ANONYMOUS_ACTOR}"`;
const personValue = z.string({ error: PERSON_MESSAGE }).transform((value, ctx) => {
  const text = value.trim().toLowerCase();
  if (text === ANONYMOUS_ACTOR) return text;
  const parsed = uuidString(PERSON_MESSAGE).safeParse(text);
  if (!parsed.success) {
    ctx.addIssue({ code: "custom", message: PERSON_MESSAGE });
    return z.NEVER;
  }
  return parsed.data;
});
const personParam = z.preprocess(
  (value) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]),
  z.array(personValue).max(50, "at most 50 people at once").optional(),
);

/** `breakGlass=any`: rows made under any break-glass access; `breakGlass=<id>`: under that one (its mark in actor_groups). */
export const ANY_BREAK_GLASS = "any";
const BREAK_GLASS_MESSAGE = `must be "${ANY_BREAK_GLASS}" or a break-glass access id (a UUID)`;
const breakGlassParam = single(
  z.string({ error: BREAK_GLASS_MESSAGE }).transform((value, ctx) => {
    const text = value.trim().toLowerCase();
    if (text === ANY_BREAK_GLASS) return text;
    const parsed = uuidString(BREAK_GLASS_MESSAGE).safeParse(text);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: BREAK_GLASS_MESSAGE });
      return z.NEVER;
    }
    return parsed.data.toLowerCase();
  }),
);

const dateTime = dateTimeParam("is not a date or date-time (use ISO 8601, e.g. 2026-11-24T09:30Z)");

const filterShape = {
  actor: textParam(320),
  action: repeatedEnumParam(AUDIT_ACTIONS, "audit action"),
  outcome: repeatedEnumParam(AUDIT_OUTCOMES, "outcome"),
  purpose: repeatedEnumParam(PURPOSE_FILTER_VALUES, "purpose"),
  person: personParam,
  employer: repeatedEnumParam(EMPLOYER_FILTER_VALUES, "employer"),
  from: dateTime,
  to: dateTime,
  eventId: uuidParam("must be an event id (a UUID)"),
  machineId: textParam(MAX_METADATA_LENGTH),
  breakGlass: breakGlassParam,
  /** routine rows (lib/audit/routine.ts) are hidden unless `routine=show` */
  routine: enumParam(ROUTINE_MODES).transform((mode) => mode ?? "hide"),
};

const withRangeCheck = <T extends { from?: Date; to?: Date }>(value: T, ctx: z.RefinementCtx) => {
  if (value.from && value.to && value.from > value.to) ctx.addIssue({ code: "custom", path: ["from"], message: "must be before `to`" });
};

export const auditFilterSchema = fromSearchParams(queryObject(filterShape).superRefine(withRangeCheck));
export type AuditFilters = z.output<typeof auditFilterSchema>;

export const auditSearchSchema = fromSearchParams(
  queryObject({
    ...filterShape,
    sort: enumParam(AUDIT_SORTS).transform((sort) => sort ?? "time_desc"),
    limit: integerParam(1, AUDIT_MAX_PAGE_SIZE).transform((limit) => limit ?? AUDIT_PAGE_SIZE),
    cursor: cursorParam(decodeAuditCursor),
  }).superRefine((value, ctx) => {
    withRangeCheck(value, ctx);
    if (value.cursor && value.cursor.sort !== value.sort) refuseCursorOfAnotherSort(ctx);
  }),
);
export type AuditSearch = z.output<typeof auditSearchSchema>;
