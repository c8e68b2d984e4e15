import { z } from "zod";
import { refineStorableText } from "@/lib/http/input-values";
import { PURPOSES } from "@/lib/telemetry/vocabulary";

/** The purpose form and PUT /api/v1/me/purpose body. "other" needs a sentence. */
export const purposeInputSchema = z
  .strictObject({
    purpose: z.enum(PURPOSES, { error: "Choose one of the listed purposes." }),
    detail: z.string().trim().max(500, "Keep the description under 500 characters.").superRefine(refineStorableText).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.purpose === "other" && (value.detail ?? "").length < 10) {
      ctx.addIssue({ code: "custom", path: ["detail"], message: "Describe the purpose in a sentence (at least 10 characters)." });
    }
  });

export type PurposeInput = z.infer<typeof purposeInputSchema>;
