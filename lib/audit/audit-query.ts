// The audit console's query: filters, order, page size and keyset cursor,
// shared by /audit and GET /api/v1/audit (and its CSV export). Parameters are
// read as on every list (lib/http/query-params.ts): unknown or repeated
// parameters and bad values are 400s that name the parameter.
import { z } from "zod";
import { cursorBigint, cursorCodec, cursorTimestamp } from "@/lib/http/cursor";
import { bigintIdString } from "@/lib/http/input-values";
import {
  cursorParam,
  dateTimeParam,
  enumParam,
  fromSearchParams,
  integerParam,
  queryObject,
  refuseCursorOfAnotherSort,
  repeatedEnumParam,
  textParam,
  uuidParam,
} from "@/lib/http/query-params";
import { MAX_METADATA_LENGTH } from "@/lib/telemetry/metadata";
import { AUDIT_OUTCOMES, PURPOSES } from "@/lib/telemetry/vocabulary";
import { AUDIT_ACTIONS } from "./actions";

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

const dateTime = dateTimeParam("is not a date or date-time (use ISO 8601, e.g. 2026-11-24T09:30Z)");

const filterShape = {
  actor: textParam(320),
  action: repeatedEnumParam(AUDIT_ACTIONS, "audit action"),
  outcome: repeatedEnumParam(AUDIT_OUTCOMES, "outcome"),
  purpose: repeatedEnumParam(PURPOSES, "purpose"),
  from: dateTime,
  to: dateTime,
  eventId: uuidParam("must be an event id (a UUID)"),
  machineId: textParam(MAX_METADATA_LENGTH),
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
