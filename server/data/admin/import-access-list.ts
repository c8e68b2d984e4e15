// Imports an access list CSV (the export's format), all or nothing: every row
// is validated against the same rules as the forms — the seed's eligibility
// rules, expiry limits, justification, separation of duties — and if any row
// fails, nothing is written and the error lists each failing line and why.
//
// What a row does: the person (by email) is added, or their name, employer
// and employment type are brought in line; a grant is created, or an active
// grant of the same access is extended to the row's later expiry. A row that
// matches the list already changes nothing. Import never revokes, shortens,
// disables or deletes: those stay deliberate, one-by-one actions.
// Audited (admin.access_import) with the file's SHA-256 and every change.
import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import { personViolation, type PersonFacts } from "@/lib/access/eligibility";
import { audited } from "@/server/access/audited";
import type { Grant, Person } from "@/server/db/generated/client";
import { CsvFormatError, parseCsvTable, type CsvTable } from "@/server/csv/parse-csv";
import { AppError, isAppError, type AppErrorIssue } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import {
  accessColumns,
  accessOf,
  accessViolation,
  activeGrantWhere,
  checkExpiry,
  checkFactsAgainstGrants,
  grantSnapshot,
  isoDate,
  lockAccessList,
  parseAccessCode,
  personSnapshot,
} from "./access-list";
import { IMPORT_COLUMNS, INFORMATIONAL_COLUMNS, type ImportColumn } from "./access-list-csv";
import { accessCodeSchema, emailSchema, employerSchema, employmentTypeSchema, expirySchema, importAccessListInputSchema, justificationSchema, personNameSchema } from "./schemas";
import type { AccessDto, ImportSummaryDto } from "./types";

export const IMPORT_MAX_ROWS = 5_000;
const REPORT_MAX_ISSUES = 200;

const rowSchema = z.object({
  email: emailSchema,
  name: personNameSchema,
  employer: employerSchema,
  employment_type: employmentTypeSchema,
  access: z.preprocess((value) => (value === "" ? undefined : value), accessCodeSchema.optional()),
  expires_at: z.string(),
  justification: z.string(),
});

type Row = { line: number; email: string; facts: PersonFacts & { name: string }; access?: AccessDto; expiresAt?: Date; justification?: string };

class RowError extends Error {}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "value"}: ${issue.message}` : "is not valid";
}

function fileError(message: string): AppError {
  return new AppError("unprocessable", `The file was not imported: ${message}`, [{ path: "file", message }]);
}

/** The file's rows (header checked, formula guard undone); a file that cannot be read at all is refused whole. */
function readTable(csv: string): CsvTable<ImportColumn> {
  try {
    return parseCsvTable(csv, { required: IMPORT_COLUMNS, optional: INFORMATIONAL_COLUMNS });
  } catch (error) {
    if (error instanceof CsvFormatError) throw fileError(`${error.message}.`);
    throw error;
  }
}

/** One row, validated on its own (rules that need the database come later). */
function readRow(line: number, cells: Record<ImportColumn, string>): Row {
  const raw = Object.fromEntries(IMPORT_COLUMNS.map((name) => [name, cells[name].trim()]));
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) throw new RowError(firstIssue(parsed.error));
  const { email, name, employer, employment_type: employmentType } = parsed.data;
  const facts = { name, employer, employmentType };
  const rule = personViolation(facts);
  if (rule) throw new RowError(rule.message);
  if (!parsed.data.access) {
    if (parsed.data.expires_at || parsed.data.justification) throw new RowError("has an expiry or a justification but no access: fill in access, or leave all three empty.");
    return { line, email, facts };
  }
  const access = parseAccessCode(parsed.data.access);
  const violation = accessViolation(facts, access);
  if (violation) throw new RowError(violation.message);
  const expiry = expirySchema.safeParse(parsed.data.expires_at);
  if (!expiry.success) throw new RowError(`expires_at: ${expiry.error.issues[0]?.message ?? "is not a date"}`);
  const justification = justificationSchema.safeParse(parsed.data.justification);
  if (!justification.success) throw new RowError(`justification: ${justification.error.issues[0]?.message ?? "is required"}`);
  return { line, email, facts, access, expiresAt: expiry.data, justification: justification.data };
}

function describe(error: unknown): string {
  if (error instanceof RowError) return error.message;
  if (isAppError(error)) return error.message;
  throw error;
}

export async function importAccessList(input: unknown): Promise<ImportSummaryDto> {
  return audited({ action: "admin.access_import", permission: "access.manage", details: { targetType: "access_list" } }, async ({ tx, actor }) => {
    const { csv } = parseInput(importAccessListInputSchema, input);
    const fileSha256 = createHash("sha256").update(csv, "utf8").digest("hex");
    const now = new Date();
    await lockAccessList(tx, actor, now);

    const table = readTable(csv);
    const rowCount = table.rows.length + table.lineErrors.length;
    if (rowCount === 0) throw fileError("it has a header but no rows.");
    if (rowCount > IMPORT_MAX_ROWS) throw fileError(`it has ${rowCount} rows; import at most ${IMPORT_MAX_ROWS} at a time.`);

    const issues: AppErrorIssue[] = [];
    const fail = (line: number, message: string) => issues.push({ path: `line ${line}`, message });

    // 1. Each row on its own (a row of the wrong width was refused by the reader).
    for (const { line, message } of table.lineErrors) fail(line, message);
    const rows: Row[] = [];
    for (const record of table.rows) {
      try {
        rows.push(readRow(record.line, record.cells));
      } catch (error) {
        const email = record.cells.email.trim();
        fail(record.line, email ? `${email}: ${describe(error)}` : describe(error));
      }
    }

    // 2. Rows of one person agree with each other; no access twice.
    const byEmail = new Map<string, Row[]>();
    for (const row of rows) {
      const group = byEmail.get(row.email) ?? [];
      const first = group[0];
      if (first && (first.facts.name !== row.facts.name || first.facts.employer !== row.facts.employer || first.facts.employmentType !== row.facts.employmentType)) {
        fail(row.line, `${row.email}: name, employer or employment type differ from line ${first.line}.`);
        continue;
      }
      const twice = row.access ? group.find((other) => other.access?.code === row.access?.code) : undefined;
      if (twice) {
        fail(row.line, `${row.email}: ${row.access?.label} already appears on line ${twice.line}.`);
        continue;
      }
      byEmail.set(row.email, [...group, row]);
    }

    // 3. Against the list as it is: work out each change, refuse what the rules refuse.
    type PlannedPerson = { rows: Row[]; existing: Person | null; factsChanged: boolean };
    type PlannedGrant = { row: Row & { access: AccessDto; expiresAt: Date; justification: string }; person: PlannedPerson; extends: Grant | null };
    const plannedPeople: PlannedPerson[] = [];
    const plannedGrants: PlannedGrant[] = [];
    let rowsUnchanged = 0;

    const existingPeople = await tx.person.findMany({
      where: { email: { in: [...byEmail.keys()] } },
      include: { grants: { where: activeGrantWhere(now) } },
    });
    for (const [email, personRows] of byEmail) {
      const firstRow = personRows[0]!;
      const existing = existingPeople.find((person) => person.email === email) ?? null;
      const factsChanged =
        existing !== null &&
        (existing.name !== firstRow.facts.name || existing.employer !== firstRow.facts.employer || existing.employmentType !== firstRow.facts.employmentType);
      const planned: PlannedPerson = { rows: personRows, existing, factsChanged };
      const isSelf = existing?.id === actor.personId || email === actor.email;
      const personChanges = existing === null || factsChanged;
      const grantsAfter: Array<Pick<Grant, "groupKey" | "role" | "expiresAt">> = existing ? existing.grants.map((grant) => ({ ...grant })) : [];
      let personFailed = false;

      for (const row of personRows) {
        if (!row.access || !row.expiresAt || !row.justification) {
          if (!personChanges) rowsUnchanged++;
          continue;
        }
        try {
          const current = existing?.grants.find((grant) => codeOf(grant) === row.access!.code) ?? null;
          if (current && current.expiresAt.getTime() === row.expiresAt.getTime()) {
            rowsUnchanged++;
            continue;
          }
          if (isSelf) throw new RowError("you cannot change your own access (separation of duties): another admin must import this row.");
          if (existing?.status === "disabled") throw new RowError(`${existing.name} is disabled: re-enable them before granting access.`);
          if (current && current.expiresAt.getTime() > row.expiresAt.getTime()) {
            throw new RowError(`${row.access.label} already runs until ${isoDate(current.expiresAt)}; import never shortens a grant (revoke it instead).`);
          }
          checkExpiry(row.facts, row.expiresAt, now, "expires_at");
          plannedGrants.push({ row: row as PlannedGrant["row"], person: planned, extends: current });
          const after = grantsAfter.find((grant) => codeOf(grant) === row.access!.code);
          if (after) after.expiresAt = row.expiresAt;
          else grantsAfter.push({ ...accessColumns(row.access), expiresAt: row.expiresAt });
        } catch (error) {
          fail(row.line, `${email}: ${describe(error)}`);
          personFailed = true;
        }
      }
      if (personChanges && isSelf) {
        fail(firstRow.line, `${email}: you cannot change your own entry (separation of duties).`);
        continue;
      }
      if (!personFailed && existing) {
        // The person's grants in force after the import must all still fit the rules.
        try {
          checkFactsAgainstGrants(firstRow.facts, grantsAfter, now, "employer");
        } catch (error) {
          fail(firstRow.line, `${email}: ${describe(error)}`);
        }
      }
      if (personChanges) plannedPeople.push(planned);
    }

    if (issues.length > 0) {
      issues.sort((a, b) => Number(a.path.slice(5)) - Number(b.path.slice(5)));
      const failedLines = new Set(issues.map((issue) => issue.path)).size;
      throw new AppError(
        "unprocessable",
        `${failedLines} of ${rowCount} row${rowCount === 1 ? "" : "s"} failed; nothing was imported. Fix them and import the whole file again.`,
        issues.slice(0, REPORT_MAX_ISSUES),
      );
    }

    // 4. Apply (same transaction: a failure here rolls everything back).
    const changes: Array<Record<string, unknown>> = [];
    const before: Array<Record<string, unknown>> = [];
    const personIds = new Map<string, Person>();
    for (const existing of existingPeople) personIds.set(existing.email, existing);
    let peopleCreated = 0;
    let peopleUpdated = 0;
    for (const planned of plannedPeople) {
      const row = planned.rows[0]!;
      if (planned.existing) {
        const updated = await tx.person.update({ where: { id: planned.existing.id }, data: row.facts });
        before.push({ person: personSnapshot(planned.existing) });
        changes.push({ line: row.line, change: "person_updated", person: personSnapshot(updated) });
        personIds.set(row.email, updated);
        peopleUpdated++;
      } else {
        const created = await tx.person.create({ data: { email: row.email, ...row.facts } });
        changes.push({ line: row.line, change: "person_created", person: personSnapshot(created) });
        personIds.set(row.email, created);
        peopleCreated++;
      }
    }
    let grantsCreated = 0;
    let grantsExtended = 0;
    for (const planned of plannedGrants) {
      const { row } = planned;
      const person = personIds.get(row.email)!;
      if (planned.extends) {
        const note = `Extended on ${isoDate(now)} by ${actor.name} <${actor.email}> until ${isoDate(row.expiresAt)} (access list import, line ${row.line})${
          row.justification === planned.extends.justification ? "." : `: ${row.justification}`
        }`;
        const updated = await tx.grant.update({
          where: { id: planned.extends.id },
          data: { expiresAt: row.expiresAt, justification: `${planned.extends.justification}\n\n${note}` },
        });
        before.push({ grant: grantSnapshot(planned.extends, person) });
        changes.push({ line: row.line, change: "grant_extended", grant: grantSnapshot(updated, person) });
        grantsExtended++;
      } else {
        const created = await tx.grant.create({
          data: {
            personId: person.id,
            ...accessColumns(row.access),
            justification: row.justification,
            expiresAt: row.expiresAt,
            grantedAt: now,
            grantedById: actor.personId,
          },
        });
        changes.push({ line: row.line, change: "grant_created", grant: grantSnapshot(created, person) });
        grantsCreated++;
      }
    }

    const summary: ImportSummaryDto = { rows: rowCount, peopleCreated, peopleUpdated, grantsCreated, grantsExtended, rowsUnchanged };
    return {
      value: summary,
      audit: { targetType: "access_list", rowCount, fileSha256, before: { changed: before }, after: { summary, changes } },
    };
  });
}

function codeOf(grant: Pick<Grant, "groupKey" | "role">): string {
  return accessOf(grant).code;
}
