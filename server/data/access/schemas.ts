// zod schemas for the request area's inputs (forms and search params). Parsed
// inside the gate, so an anonymous caller hears 401 before any 400.
import "server-only";
import { z } from "zod";
import { refineStorableText } from "@/lib/http/input-values";
import { GROUP_KEYS } from "@/lib/telemetry/vocabulary";
import { durationDaysSchema, idSchema, justificationSchema, reasonSchema } from "@/server/data/admin/schemas";

export const ACCESS_REQUEST_STATUSES = ["pending", "approved", "denied", "cancelled", "expired"] as const;

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const ticketRefSchema = z.preprocess(
  blankToUndefined,
  z
    .string("must be text")
    .trim()
    .max(100, "must be at most 100 characters")
    .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._:/#-]*$/u, "Use letters, digits and . _ : / # - (e.g. SEC-1234 or a URL path).")
    .superRefine(refineStorableText)
    .optional(),
);

export const groupKeySchema = z.enum(GROUP_KEYS, "Choose a group.");

/** A new request: telemetry access to a group, or an extension of one's own grant (exactly one of the two). */
export const createAccessRequestInputSchema = z
  .strictObject({
    groupKey: z.preprocess(blankToUndefined, groupKeySchema.optional()),
    grantId: z.preprocess(blankToUndefined, idSchema.optional()),
    durationDays: z.preprocess((value) => (value === undefined ? "" : value), durationDaysSchema),
    justification: justificationSchema,
    ticketRef: ticketRefSchema,
  })
  .superRefine((value, ctx) => {
    if ((value.groupKey === undefined) === (value.grantId === undefined)) {
      ctx.addIssue({ code: "custom", path: ["groupKey"], message: "Choose a group (or extend one of your grants)." });
    }
  });

export const requestIdInputSchema = z.strictObject({ requestId: idSchema });

export const approveInputSchema = z.strictObject({
  requestId: idSchema,
  comment: z.preprocess(blankToUndefined, z.string("must be text").trim().max(2000, "must be at most 2000 characters").superRefine(refineStorableText).optional()),
});

export const denyInputSchema = z.strictObject({ requestId: idSchema, reason: reasonSchema });

const searchText = z.preprocess(
  blankToUndefined,
  z.string("must be text").trim().max(200, "must be at most 200 characters").superRefine(refineStorableText).optional(),
);
const dateParam = z.preprocess(blankToUndefined, z.iso.date("Enter a date as YYYY-MM-DD.").optional());

/** The search over every request and decision: by requester, approver, group, outcome and time. */
export const searchAccessRequestsInputSchema = z.strictObject({
  requester: searchText,
  approver: searchText,
  group: z.preprocess(blankToUndefined, groupKeySchema.optional()),
  status: z.preprocess(blankToUndefined, z.enum(ACCESS_REQUEST_STATUSES, "Choose an outcome.").optional()),
  from: dateParam,
  to: dateParam,
});
export type SearchAccessRequestsInput = z.infer<typeof searchAccessRequestsInputSchema>;

/** A group's named approvers and approval counts, as an admin sets them. */
export const updateGroupApproversInputSchema = z.strictObject({
  groupKey: groupKeySchema,
  approverEmails: z.preprocess(
    (value) => (typeof value === "string" ? value.split(/[\s,;]+/).filter(Boolean) : value === undefined ? [] : value),
    z.array(z.string().trim().toLowerCase().pipe(z.email("Enter the approvers' email addresses, separated by commas."))).max(50, "at most 50 approvers"),
  ),
  approvalsRequired: z.preprocess((value) => (typeof value === "string" ? Number(value) : value), z.int("must be 1, 2 or 3").min(1, "must be 1, 2 or 3").max(3, "must be 1, 2 or 3")),
  sensitiveApprovalsRequired: z.preprocess((value) => (typeof value === "string" ? Number(value) : value), z.int("must be 2 or 3").min(2, "must be 2 or 3").max(3, "must be 2 or 3")),
  justification: justificationSchema,
});
