// How the request area names a request's state.
import type { AccessRequestStatus } from "@/server/data/access/types";

export const REQUEST_STATUS_LABELS: Record<AccessRequestStatus, string> = {
  pending: "Waiting for approval",
  approved: "Approved",
  denied: "Denied",
  cancelled: "Cancelled",
  expired: "Lapsed unanswered",
};

export const REQUEST_STATUS_BADGES: Record<AccessRequestStatus, string> = {
  pending: "badge badge--warn",
  approved: "badge badge--ok",
  denied: "badge badge--danger",
  cancelled: "badge",
  expired: "badge",
};
