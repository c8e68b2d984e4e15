// zod schemas for break-glass inputs (forms). Parsed inside the gate, so an
// anonymous caller hears 401 before any 400.
import "server-only";
import { z } from "zod";
import { idSchema, justificationSchema, reasonSchema } from "@/server/data/admin/schemas";
import { groupKeySchema } from "../schemas";

export const BREAK_GLASS_REVIEW_OUTCOMES = ["appropriate", "inappropriate"] as const;
export type BreakGlassReviewOutcome = (typeof BREAK_GLASS_REVIEW_OUTCOMES)[number];

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** Taking break-glass: the group, a mandatory reason, and optionally fewer minutes than BREAK_GLASS_MAX_MINUTES. */
export const takeBreakGlassInputSchema = z.strictObject({
  groupKey: groupKeySchema,
  reason: reasonSchema,
  minutes: z.preprocess(
    (value) => (typeof value === "string" ? (value.trim() === "" ? undefined : Number(value)) : value),
    z.int("must be a whole number of minutes").min(5, "must be at least 5 minutes").optional(),
  ),
});

export const breakGlassIdInputSchema = z.strictObject({ breakGlassId: idSchema });

export const reviewBreakGlassInputSchema = z.strictObject({
  breakGlassId: idSchema,
  outcome: z.preprocess(blankToUndefined, z.enum(BREAK_GLASS_REVIEW_OUTCOMES, "Choose appropriate or inappropriate.")),
  notes: reasonSchema,
});

export const updateOnCallInputSchema = z.strictObject({
  groupKey: groupKeySchema,
  onCallEmails: z.preprocess(
    (value) => (typeof value === "string" ? value.split(/[\s,;]+/).filter(Boolean) : value === undefined ? [] : value),
    z.array(z.string().trim().toLowerCase().pipe(z.email("Enter the on-call people's email addresses, separated by commas."))).max(50, "at most 50 people"),
  ),
  justification: justificationSchema,
});
