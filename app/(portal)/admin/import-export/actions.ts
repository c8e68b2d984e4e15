"use server";
// Thin server action for the CSV import: reads the uploaded file and hands its
// text to the data layer, which validates every row and imports all or nothing.
import type { ActionState } from "@/components/admin/action-state";
import { importAccessList } from "@/server/data/admin/import-access-list";
import type { ImportSummaryDto } from "@/server/data/admin/types";
import { formArgument } from "@/lib/http/form-argument";
import { runAction } from "../run-action";

export async function importAccessListAction(_state: ActionState<ImportSummaryDto>, formData: FormData): Promise<ActionState<ImportSummaryDto>> {
  const file = formArgument(formData).get("file");
  // No file is passed on as nothing: the gate answers (and audits) before the data layer says "choose a file".
  // Server actions accept 1 MB bodies; the data layer's own limit says the same in words.
  const csv = file instanceof File && file.size > 0 ? await file.text() : undefined;
  return runAction(formData, {
    fields: ["file"],
    returnTo: "/admin/import-export",
    call: () => importAccessList({ csv }),
    success: (summary) => ({ message: `Imported ${summary.rows} row${summary.rows === 1 ? "" : "s"}.`, data: summary }),
  });
}
