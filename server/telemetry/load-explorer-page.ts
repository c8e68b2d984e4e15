// loadForPage for the explorer's pages, with one difference: a refused filter
// (403 naming the parameters, e.g. platform health filtering by machine ID)
// is shown on the page beside the filter form, so the person can change the
// filter; every other refusal takes loadForPage's usual route.
import "server-only";
import { loadForPage, pageErrorState, type PageResult } from "@/server/http/page-guard";
import type { AppError } from "@/server/http/app-error";
import { isFilterRefusal } from "./event-sql";

export async function loadExplorerPage<T>(path: string, load: () => Promise<T>): Promise<PageResult<T>> {
  const refused: { error?: AppError } = {};
  const result = await loadForPage(path, async () => {
    try {
      return await load();
    } catch (error) {
      if (!isFilterRefusal(error)) throw error;
      refused.error = error;
      return null;
    }
  });
  // shown beside the form, and answered 403: the page is a refusal, not a result
  if (refused.error) return pageErrorState(refused.error);
  return result as PageResult<T>;
}
