// loadForPage for the explorer's pages, with one difference: a refused filter
// (403 naming the parameters, e.g. platform health filtering by machine ID)
// is shown on the page beside the filter form, so the person can change the
// filter; every other refusal takes loadForPage's usual route.
import "server-only";
import { loadForPage, type PageResult } from "@/server/http/page-guard";
import type { AppError } from "@/server/http/app-error";
import { getRequestContext } from "@/server/http/request-context";
import { overrideStatus } from "@/server/http/status-override";
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
  if (refused.error) {
    const { status, code, message, issues } = refused.error;
    // shown beside the form, and answered 403: the page is a refusal, not a result
    overrideStatus((await getRequestContext()).requestId, { status });
    return { ok: false, error: { status, code, message, issues } };
  }
  return result as PageResult<T>;
}
