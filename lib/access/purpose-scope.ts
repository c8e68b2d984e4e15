// What a declared purpose lets a session see: the field classes it needs.
// A session's effective scope is its groups' scope narrowed to these classes
// (event kinds are the groups' business; a purpose only narrows fields).
// The defaults are written by the purpose_scope migration; admins edit them
// (server/data/admin/update-purpose-scope.ts). Why each default: ARCHITECTURE
// "Purpose narrows what a session sees".
import { EVENT_KINDS, FIELD_CLASSES, type FieldClass, type Purpose } from "@/lib/telemetry/vocabulary";
import type { TelemetryScope } from "./policy";

export const DEFAULT_PURPOSE_FIELD_CLASSES: Record<Purpose, readonly FieldClass[]> = {
  // strategies and which suggestions help: outcomes per setting, language and region, linked across one completion's events
  improve_product: ["identifiers", "environment", "location", "measurements"],
  // impact on the user, in aggregate: outcomes and where they happen, never who or what code
  evaluate_product: ["environment", "measurements"],
  // positive and negative examples: the code with its outcome and language, not who or where
  improve_models: ["environment", "measurements", "content"],
  // related products learn from aggregate usage only
  guide_related_products: ["environment", "measurements"],
  // abuse is a pattern of one machine or session, in a place, in code: everything the groups allow
  investigate_abuse: ["identifiers", "environment", "location", "measurements", "content"],
  // an open-ended purpose gets the least that still answers a product question
  other: ["environment", "measurements"],
};

/** The field classes of `fieldClasses` in canonical order, each once. */
export function canonicalFieldClasses(fieldClasses: readonly FieldClass[]): FieldClass[] {
  return FIELD_CLASSES.filter((fieldClass) => fieldClasses.includes(fieldClass));
}

/**
 * The groups' scope narrowed to a purpose's field classes. `null` (no purpose
 * declared yet) leaves the scope as the groups give it: telemetry reads are
 * refused until a purpose is declared anyway (the gate's purpose_required).
 * Never widens: a class the purpose allows but no group grants stays hidden.
 */
export function narrowScope(scope: TelemetryScope, purposeClasses: readonly FieldClass[] | null): TelemetryScope {
  if (purposeClasses === null) return scope;
  const narrowed: TelemetryScope = {};
  for (const kind of EVENT_KINDS) {
    const classes = scope[kind];
    if (classes === undefined) continue;
    narrowed[kind] = classes.filter((fieldClass) => purposeClasses.includes(fieldClass));
  }
  return narrowed;
}
