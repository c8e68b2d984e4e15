// The access list's query (/admin/people and GET /api/v1/admin/people):
// filters, sort, page size and keyset cursor, read as on every list
// (lib/http/query-params.ts): unknown or repeated parameters and bad values
// are 400s that name the parameter. Safe on both sides.
import { z } from "zod";
import { cursorCodec, cursorText, cursorTimestamp, cursorUuid } from "@/lib/http/cursor";
import { cursorParam, enumParam, fromSearchParams, integerParam, queryObject, refuseCursorOfAnotherSort, textParam } from "@/lib/http/query-params";
import { EMPLOYERS, EMPLOYMENT_TYPES, GROUP_KEYS, ROLES } from "@/lib/telemetry/vocabulary";

export const PEOPLE_SORTS = ["name_asc", "name_desc", "email_asc", "email_desc", "expiry_asc", "expiry_desc", "created_desc", "created_asc"] as const;
export type PeopleSort = (typeof PEOPLE_SORTS)[number];
export const PEOPLE_STATUSES = ["active", "no_access", "disabled"] as const;
export const DEFAULT_PEOPLE_PAGE_SIZE = 50;
export const MAX_PEOPLE_PAGE_SIZE = 200;

/** Sorts by text (lower(name), email) and by time (next expiry, created). */
export const PEOPLE_TEXT_SORTS = ["name_asc", "name_desc", "email_asc", "email_desc"] as const satisfies readonly PeopleSort[];
export const PEOPLE_TIME_SORTS = ["expiry_asc", "expiry_desc", "created_desc", "created_asc"] as const satisfies readonly PeopleSort[];

/** Keyset position: the last row's sort value (as text) and id. */
export type PeopleCursor = { sort: PeopleSort; value: string; id: string };

/** Names are at most 200 characters and emails 320 (server/data/admin/schemas.ts). */
const MAX_SORT_TEXT = 400;

const peopleCursorCodec = cursorCodec(
  z.union([
    z.strictObject({ s: z.enum(PEOPLE_TEXT_SORTS), v: cursorText(MAX_SORT_TEXT), i: cursorUuid }),
    // People with nothing in force sort at ±infinity (server/data/admin/list-people.ts).
    z.strictObject({ s: z.enum(PEOPLE_TIME_SORTS), v: z.union([z.literal("infinity"), z.literal("-infinity"), cursorTimestamp]), i: cursorUuid }),
  ]),
);

export function encodePeopleCursor(cursor: PeopleCursor): string {
  return peopleCursorCodec.encode({ s: cursor.sort, v: cursor.value, i: cursor.id } as never);
}

export function decodePeopleCursor(encoded: string): PeopleCursor | null {
  const payload = peopleCursorCodec.decode(encoded);
  return payload ? { sort: payload.s, value: payload.v, id: payload.i } : null;
}

export const listPeopleQuerySchema = fromSearchParams(
  queryObject({
    q: textParam(200),
    employer: enumParam(EMPLOYERS, "Choose GitHub, Microsoft or OpenAI."),
    type: enumParam(EMPLOYMENT_TYPES, "Choose employee or contractor."),
    group: enumParam(GROUP_KEYS, "Unknown group."),
    role: enumParam(ROLES, "Unknown role."),
    status: enumParam(PEOPLE_STATUSES, "Unknown status."),
    sort: enumParam(PEOPLE_SORTS, "Unknown sort order.").transform((sort) => sort ?? "name_asc"),
    cursor: cursorParam(decodePeopleCursor),
    limit: integerParam(1, MAX_PEOPLE_PAGE_SIZE).transform((limit) => limit ?? DEFAULT_PEOPLE_PAGE_SIZE),
  }).superRefine((query, ctx) => {
    if (query.cursor && query.cursor.sort !== query.sort) refuseCursorOfAnotherSort(ctx);
  }),
);
export type ListPeopleQuery = z.output<typeof listPeopleQuerySchema>;
