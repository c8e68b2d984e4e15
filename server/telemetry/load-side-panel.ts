// The event the explorer's side panel shows, through the same audited call as
// the event page (server/data/get-event.ts: events.view). An id that is not
// an event the person may see (or not an id) is said inside the panel rather
// than turning the whole list into a 404; every other refusal takes
// loadForPage's usual route.
import "server-only";
import type { EventDetailDto } from "@/lib/telemetry/event-types";
import { getEvent } from "@/server/data/get-event";
import { isAppError } from "@/server/http/app-error";
import { loadForPage, type PageResult } from "@/server/http/page-guard";

export type SidePanelEvent = { event: EventDetailDto } | { missing: string };

export async function loadSidePanelEvent(path: string, id: string): Promise<PageResult<SidePanelEvent>> {
  return loadForPage(path, async (): Promise<SidePanelEvent> => {
    try {
      return { event: await getEvent({ id }) };
    } catch (error) {
      if (isAppError(error) && (error.status === 400 || error.status === 404 || error.status === 422)) return { missing: error.message };
      throw error;
    }
  });
}
