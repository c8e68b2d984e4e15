// zod schemas for every admin input (form data, JSON bodies, search params); text
// fields refuse what PostgreSQL cannot store (lib/http/input-values.ts).
// Parsed inside the gate, so an anonymous caller hears 401 before any 400.
import "server-only";
import { z } from "zod";
import { refineStorableText } from "@/lib/http/input-values";
import { EMPLOYERS, EMPLOYMENT_TYPES, EVENT_KINDS, FIELD_CLASSES, GROUP_KEYS, ROLES } from "@/lib/telemetry/vocabulary";
import type { AccessCode } from "./types";

export const JUSTIFICATION_MIN_LENGTH = 10;
const TEXT_MAX_LENGTH = 2000;

/** Form fields arrive as "" when left empty: treat that as absent. */
const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

export const idSchema = z.guid("must be an id");

export const personNameSchema = z
  .string("is required")
  .trim()
  .min(1, "Enter the person's name.")
  .max(200, "must be at most 200 characters")
  .superRefine(refineStorableText);

export const emailSchema = z
  .string("is required")
  .trim()
  .toLowerCase()
  .max(320, "must be at most 320 characters")
  .pipe(z.email("Enter a valid email address."));

export const employerSchema = z.enum(EMPLOYERS, "Choose GitHub, Microsoft or OpenAI.");
export const employmentTypeSchema = z.enum(EMPLOYMENT_TYPES, "Choose employee or contractor.");

/** Why a change is made: required, a real sentence rather than "ok". */
export const justificationSchema = z.preprocess(
  (value) => (value === undefined || value === null ? "" : value),
  z
    .string("must be text")
    .trim()
    .min(JUSTIFICATION_MIN_LENGTH, `Write at least ${JUSTIFICATION_MIN_LENGTH} characters: who needs this and why.`)
    .max(TEXT_MAX_LENGTH, `must be at most ${TEXT_MAX_LENGTH} characters`)
    .superRefine(refineStorableText),
);

export const reasonSchema = z.preprocess(
  (value) => (value === undefined || value === null ? "" : value),
  z
    .string("must be text")
    .trim()
    .min(JUSTIFICATION_MIN_LENGTH, `Write at least ${JUSTIFICATION_MIN_LENGTH} characters explaining why.`)
    .max(TEXT_MAX_LENGTH, `must be at most ${TEXT_MAX_LENGTH} characters`)
    .superRefine(refineStorableText),
);

export const ACCESS_CODES: readonly AccessCode[] = [
  ...GROUP_KEYS.map((key) => `telemetry:${key}` as const),
  ...GROUP_KEYS.map((key) => `group:${key}` as const),
  ...ROLES.map((role) => `role:${role}` as const),
];

export const accessCodeSchema = z.enum(ACCESS_CODES as [AccessCode, ...AccessCode[]], "Choose telemetry access for a group, or a role.");

/** The grant lengths offered as one click: 30 days is the default, not the maximum. */
export const DURATION_PRESETS = [30, 60, 90] as const;
export const DEFAULT_DURATION_DAYS = 30;

export const durationDaysSchema = z.preprocess(
  (value) => (typeof value === "string" && value.trim() !== "" ? Number(value) : value === "" ? undefined : value),
  z.union(DURATION_PRESETS.map((days) => z.literal(days)) as unknown as [z.ZodLiteral<30>, z.ZodLiteral<60>, z.ZodLiteral<90>], "Choose 30, 60 or 90 days."),
);

/**
 * An expiry: a date (YYYY-MM-DD, meaning 00:00 UTC that day — access ends as
 * the day starts) or an ISO date-time with a zone.
 */
export const expirySchema = z.preprocess(
  blankToUndefined,
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], "Enter the expiry date as YYYY-MM-DD.")
    .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00.000Z` : value))
    .refine((date) => !Number.isNaN(date.getTime()), "Enter a real date."),
);

export const createPersonInputSchema = z.strictObject({
  name: personNameSchema,
  email: emailSchema,
  employer: employerSchema,
  employmentType: employmentTypeSchema,
});

export const updatePersonInputSchema = createPersonInputSchema.extend({ personId: idSchema });

export const personReasonInputSchema = z.strictObject({ personId: idSchema, reason: reasonSchema });

/** An expiry as a date, or as one of the presets counted from now: exactly one of them. */
export const grantAccessInputSchema = z
  .strictObject({
    personId: idSchema,
    access: accessCodeSchema,
    expiresAt: expirySchema.optional(),
    durationDays: durationDaysSchema.optional(),
    justification: justificationSchema,
  })
  .superRefine((value, ctx) => {
    if ((value.expiresAt === undefined) === (value.durationDays === undefined)) {
      ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "Choose 30, 60 or 90 days, or an expiry date." });
    }
  });

export const extendGrantInputSchema = z.strictObject({
  grantId: idSchema,
  expiresAt: expirySchema,
  justification: justificationSchema,
});

export const revokeGrantInputSchema = z.strictObject({ grantId: idSchema, reason: reasonSchema });

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(item).max(32));

export const updateGroupScopeInputSchema = z.strictObject({
  groupKey: z.enum(GROUP_KEYS, "Unknown group."),
  eventKinds: oneOrMany(z.enum(EVENT_KINDS, "Unknown event kind.")),
  fieldClasses: oneOrMany(z.enum(FIELD_CLASSES, "Unknown field class.")),
  justification: justificationSchema,
});

// The access list's query lives in lib/ with the other lists' queries (one parameter and cursor module).
export { DEFAULT_PEOPLE_PAGE_SIZE, PEOPLE_SORTS, PEOPLE_STATUSES, listPeopleQuerySchema, type ListPeopleQuery, type PeopleSort } from "@/lib/admin/people-query";

export const getPersonInputSchema = z.strictObject({ personId: idSchema });

export const importAccessListInputSchema = z.strictObject({
  csv: z.string("Choose a CSV file.").min(1, "The file is empty.").max(1_000_000, "The file is larger than 1 MB; split it."),
});

export const createIngestionKeyInputSchema = z.strictObject({
  name: z.string("is required").trim().min(3, "Name the producer (at least 3 characters).").max(100, "must be at most 100 characters").superRefine(refineStorableText),
});

export const revokeIngestionKeyInputSchema = z.strictObject({ keyId: idSchema, reason: reasonSchema });
