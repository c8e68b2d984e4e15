"use server";
// Thin server actions for break-glass: take, end early, post-review. The data
// layer authorizes, checks the rules and the post-review gate, and audits.
import type { ActionState } from "@/components/admin/action-state";
import { endBreakGlass } from "@/server/data/access/break-glass/end-break-glass";
import { reviewBreakGlass } from "@/server/data/access/break-glass/review-break-glass";
import { takeBreakGlass } from "@/server/data/access/break-glass/take-break-glass";
import { field, runAction } from "../../admin/run-action";

const detail = (formData: FormData) => {
  const id = field(formData, "breakGlassId") ?? "";
  return /^[0-9a-f-]{36}$/i.test(id) ? `/access/break-glass/${id}` : "/access/break-glass";
};

export async function takeBreakGlassAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["groupKey", "reason", "minutes"],
    returnTo: "/access/break-glass",
    call: () => takeBreakGlass({ groupKey: field(formData, "groupKey"), reason: field(formData, "reason") }),
    redirectTo: (taken) => `/access/break-glass/${taken.breakGlassId}?done=taken`,
  });
}

export async function endBreakGlassAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: [],
    returnTo: detail(formData),
    call: () => endBreakGlass({ breakGlassId: field(formData, "breakGlassId") }),
    redirectTo: (ended) => `/access/break-glass/${ended.breakGlassId}?done=ended`,
  });
}

export async function reviewBreakGlassAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, {
    fields: ["outcome", "notes"],
    returnTo: detail(formData),
    call: () => reviewBreakGlass({ breakGlassId: field(formData, "breakGlassId"), outcome: field(formData, "outcome"), notes: field(formData, "notes") }),
    redirectTo: (reviewed) => `/access/break-glass/${reviewed.breakGlassId}?done=reviewed`,
  });
}
