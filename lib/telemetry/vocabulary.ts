// The portal's vocabulary, safe to import on both server and client. Each list
// mirrors a Prisma enum (server/db/vocabulary-check.ts fails to type-check if
// they drift apart) and carries the human label shown in the UI.

export const EVENT_KINDS = [
  "error",
  "completion_requested",
  "completion_shown",
  "completion_redacted",
  "completion_accepted",
  "completion_rejected",
  "completion_persisted",
  "other",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_KIND_LABELS: Record<EventKind, string> = {
  error: "Error",
  completion_requested: "Completion requested",
  completion_shown: "Completion shown",
  completion_redacted: "Completion redacted",
  completion_accepted: "Completion accepted",
  completion_rejected: "Completion rejected",
  completion_persisted: "Completion persisted",
  other: "Other (unmapped)",
};

export const COMPLETION_EVENT_KINDS = EVENT_KINDS.filter((kind) => kind.startsWith("completion_"));

export const FIELD_CLASSES = ["identifiers", "environment", "location", "measurements", "content"] as const;
export type FieldClass = (typeof FIELD_CLASSES)[number];

export const FIELD_CLASS_LABELS: Record<FieldClass, string> = {
  identifiers: "Identifiers (pseudonymous machine, session and completion IDs)",
  environment: "Environment (versions, OS, UI kind, language, settings)",
  location: "Location (country, region, city)",
  measurements: "Measurements (latency, certainty, outcome, persistence, error kind)",
  content: "Content (code snippets, editor state, suggestion text)",
};

export const UI_KINDS = ["desktop", "web"] as const;
export type UiKind = (typeof UI_KINDS)[number];

export const EMPLOYERS = ["github", "microsoft", "openai"] as const;
export type Employer = (typeof EMPLOYERS)[number];
export const EMPLOYER_LABELS: Record<Employer, string> = { github: "GitHub", microsoft: "Microsoft", openai: "OpenAI" };

export const EMPLOYMENT_TYPES = ["employee", "contractor"] as const;
export type EmploymentType = (typeof EMPLOYMENT_TYPES)[number];

export const ROLES = ["viewer", "admin", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export const GROUP_KEYS = ["copilot_team", "platform_health", "microsoft_copilot", "openai_copilot"] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];
export const GROUP_LABELS: Record<GroupKey, string> = {
  copilot_team: "GitHub Copilot team",
  platform_health: "GitHub platform health team",
  microsoft_copilot: "Microsoft – Copilot",
  openai_copilot: "OpenAI – Copilot",
};

/** Permitted purposes, from "How the data is used" in the seed document. */
export const PURPOSES = [
  "improve_product",
  "evaluate_product",
  "improve_models",
  "guide_related_products",
  "investigate_abuse",
  "other",
] as const;
export type Purpose = (typeof PURPOSES)[number];
export const PURPOSE_LABELS: Record<Purpose, string> = {
  improve_product: "Directly improve the product",
  evaluate_product: "Directly evaluate the product",
  improve_models: "Improve the underlying code generation models",
  guide_related_products: "Guide closely related GitHub products",
  investigate_abuse: "Investigate and detect potential abuse",
  other: "Other purpose related to improving Copilot",
};

export const AUDIT_OUTCOMES = ["allowed", "denied", "error"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
