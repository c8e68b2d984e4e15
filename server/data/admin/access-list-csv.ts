// The access list's CSV columns: one row per grant in force, or one row with
// empty grant columns for a person who holds none. The same columns go out
// (export) and come back in (import); `status`, `granted_at` and `granted_by`
// are informational and ignored on import. Reading and writing the file (the
// formula guard and its inverse included) is server/csv's job.
import "server-only";

export const IMPORT_COLUMNS = ["email", "name", "employer", "employment_type", "access", "expires_at", "justification"] as const;
export const INFORMATIONAL_COLUMNS = ["status", "granted_at", "granted_by"] as const;
export const EXPORT_COLUMNS = [...IMPORT_COLUMNS, ...INFORMATIONAL_COLUMNS] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
