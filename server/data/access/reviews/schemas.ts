// zod schemas for the access reviews' inputs. Decisions and settings answer
// 422 naming the field; ids and search params 400. Parsed inside the gate, so
// an anonymous caller hears 401 first.
import "server-only";
import { z } from "zod";
import { idSchema, justificationSchema, reasonSchema } from "@/server/data/admin/schemas";
import { groupKeySchema } from "@/server/data/access/schemas";

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

export const campaignIdInputSchema = z.strictObject({ campaignId: idSchema });

/** A reviewer's decision on one grant: keep or revoke, always with a reason. */
export const decideReviewItemInputSchema = z.strictObject({
  itemId: idSchema,
  decision: z.enum(["keep", "revoke"], "Choose keep or revoke."),
  reason: reasonSchema,
});

export const startReviewCampaignInputSchema = z.strictObject({ groupKey: groupKeySchema, reason: reasonSchema });

export const closeReviewCampaignInputSchema = z.strictObject({ campaignId: idSchema, reason: reasonSchema });

/** A group's cadence and consequence; blank means "the default". */
export const updateReviewSettingsInputSchema = z.strictObject({
  groupKey: groupKeySchema,
  cadenceDays: z.preprocess(
    (value) => {
      const blank = blankToUndefined(value);
      return typeof blank === "string" && /^\s*\d+\s*$/.test(blank) ? Number(blank) : blank;
    },
    z.int("must be a whole number of days from 7 to 730, or blank for the default").min(7, "must be at least 7 days").max(730, "must be at most 730 days").optional(),
  ),
  consequence: z.preprocess(blankToUndefined, z.enum(["revoke", "flag"], "Choose revoke or flag, or the default.").optional()),
  justification: justificationSchema,
});

export const REPORT_FORMATS = ["csv", "json"] as const;
export const exportReviewReportInputSchema = z.strictObject({
  campaignId: idSchema,
  format: z.preprocess((value) => (value === undefined || value === "" ? "csv" : value), z.enum(REPORT_FORMATS, "must be csv or json")),
});
