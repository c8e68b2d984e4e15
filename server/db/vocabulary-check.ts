// Compile-time proof that lib/telemetry/vocabulary.ts matches the Prisma enums.
// If a migration adds an enum value, this file stops type-checking until the
// shared vocabulary learns it too.
import type * as Db from "./generated/enums";
import type * as Vocab from "@/lib/telemetry/vocabulary";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type VocabularyMatchesSchema = [
  Assert<Same<Vocab.EventKind, Db.EventKind>>,
  Assert<Same<Vocab.FieldClass, Db.FieldClass>>,
  Assert<Same<Vocab.UiKind, Db.UiKind>>,
  Assert<Same<Vocab.Employer, Db.Employer>>,
  Assert<Same<Vocab.EmploymentType, Db.EmploymentType>>,
  Assert<Same<Vocab.Role, Db.Role>>,
  Assert<Same<Vocab.GroupKey, Db.GroupKey>>,
  Assert<Same<Vocab.Purpose, Db.Purpose>>,
  Assert<Same<Vocab.AuditOutcome, Db.AuditOutcome>>,
];
