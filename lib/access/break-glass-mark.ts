// The mark a break-glass access leaves in every audit row made under it: one
// `breakglass:<access id>` entry in actor_groups (a hashed field, so the mark
// is as tamper-evident as the row; no column added, hashing unchanged). Safe on
// both sides: the gate writes it, the auditor console reads it.
export const BREAK_GLASS_MARK_PREFIX = "breakglass:";

export function breakGlassMark(id: string): string {
  return `${BREAK_GLASS_MARK_PREFIX}${id}`;
}

/** The break-glass access ids marked among a row's actor groups. */
export function breakGlassIdsOf(groups: readonly string[]): string[] {
  return groups.filter((group) => group.startsWith(BREAK_GLASS_MARK_PREFIX)).map((group) => group.slice(BREAK_GLASS_MARK_PREFIX.length));
}

/** The actor groups without the marks (the groups proper). */
export function withoutBreakGlassMarks(groups: readonly string[]): string[] {
  return groups.filter((group) => !group.startsWith(BREAK_GLASS_MARK_PREFIX));
}
