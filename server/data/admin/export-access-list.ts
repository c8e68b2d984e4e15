// The access list as a CSV file (see access-list-csv.ts for the columns):
// everyone on the list, with each grant in force, at most EXPORT_MAX_ROWS rows.
// Audited (admin.access_export) with the row count and the file's SHA-256,
// written and committed before the file is served (server/csv/csv-export.ts).
// Names and justifications are typed by people: every cell goes through the
// formula guard, which the import undoes.
import "server-only";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { exportCsv, type CsvExport } from "@/server/csv/csv-export";
import { accessOf, activeGrantWhere } from "./access-list";
import { EXPORT_COLUMNS } from "./access-list-csv";

export async function exportAccessList(): Promise<CsvExport> {
  const maxRows = getEnv().EXPORT_MAX_ROWS;
  return exportCsv("tp-access-export", (file) =>
    audited({ action: "admin.access_export", permission: "access.manage", details: { targetType: "access_list" } }, async ({ tx }) => {
      const now = new Date();
      const people = await tx.person.findMany({
        include: {
          grants: { where: activeGrantWhere(now), include: { grantedBy: { select: { email: true } } }, orderBy: [{ groupKey: "asc" }, { role: "asc" }] },
        },
        orderBy: { email: "asc" },
      });
      const rows: unknown[][] = [];
      for (const person of people) {
        const facts = [person.email, person.name, person.employer, person.employmentType];
        if (person.grants.length === 0) rows.push([...facts, "", "", "", person.status, "", ""]);
        for (const grant of person.grants) {
          rows.push([...facts, accessOf(grant).code, grant.expiresAt, grant.justification, person.status, grant.grantedAt, grant.grantedBy?.email ?? ""]);
        }
      }
      const truncated = rows.length > maxRows;
      const written = rows.slice(0, maxRows);
      await file.writeRows([EXPORT_COLUMNS, ...written]);
      const { sha256, byteLength } = await file.seal();
      return {
        value: { filename: `access-list-${now.toISOString().slice(0, 10)}.csv`, rowCount: written.length, sha256, byteLength, truncated, maxRows },
        audit: { rowCount: written.length, fileSha256: sha256, filters: { view: "export", people: people.length, maxRows, truncated } },
      };
    }),
  );
}
