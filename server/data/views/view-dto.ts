// A saved view as the portal shows it: the query, never data; the owner's
// name, and whether the person looking may rename and delete it.
import "server-only";
import type { GroupKey } from "@/lib/telemetry/vocabulary";
import type { ViewParams, ViewVisibility } from "@/lib/telemetry/saved-view";
import { parseViewQuery, searchFromParams } from "@/lib/telemetry/saved-view";

export type SavedViewRow = {
  id: string;
  ownerId: string;
  name: string;
  visibility: ViewVisibility;
  groupKey: GroupKey | null;
  query: unknown;
  createdAt: Date;
  updatedAt: Date;
  owner: { name: string };
};

export type SavedViewDto = {
  id: string;
  name: string;
  visibility: ViewVisibility;
  group: GroupKey | null;
  ownerName: string;
  isOwner: boolean;
  /** the stored query as a query string (as saved; fitted to the opener's scope only when opened) */
  query: string;
  createdAt: string;
  updatedAt: string;
};

export const VIEW_SELECT = {
  id: true,
  ownerId: true,
  name: true,
  visibility: true,
  groupKey: true,
  query: true,
  createdAt: true,
  updatedAt: true,
  owner: { select: { name: true } },
} as const;

export const VIEW_NOT_FOUND = "No such view, or not one shared with you.";

function storedParams(query: unknown): ViewParams {
  if (query === null || typeof query !== "object" || Array.isArray(query)) return {};
  const params: ViewParams = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value === "string") params[key] = value;
    else if (Array.isArray(value)) params[key] = value.filter((item): item is string => typeof item === "string");
  }
  return params;
}

export function toViewParams(row: Pick<SavedViewRow, "query">): ViewParams {
  return storedParams(row.query);
}

/** The stored parameters in the explorer's canonical order (JSONB keeps keys in its own order); as stored if no longer valid. */
function canonicalQuery(params: ViewParams): string {
  const parsed = parseViewQuery(params);
  return searchFromParams(parsed.ok ? parsed.params : params).toString();
}

export function toViewDto(row: SavedViewRow, personId: string): SavedViewDto {
  return {
    id: row.id,
    name: row.name,
    visibility: row.visibility,
    group: row.groupKey,
    ownerName: row.owner.name,
    isOwner: row.ownerId === personId,
    query: canonicalQuery(storedParams(row.query)),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
