// The access list as a CSV file (see access-list-csv.ts for the columns):
// everyone on the list, with each grant in force. Audited (admin.access_export)
// with the row count and the file's SHA-256.
import "server-only";
import { createHash } from "node:crypto";
import { audited } from "@/server/access/audited";
import { accessOf, activeGrantWhere } from "./access-list";
import { csvLine, EXPORT_COLUMNS } from "./access-list-csv";
import type { AccessListExportDto } from "./types";

export async function exportAccessList(): Promise<AccessListExportDto> {
  return audited({ action: "admin.access_export", permission: "access.manage", details: { targetType: "access_list" } }, async ({ tx }) => {
    const now = new Date();
    const people = await tx.person.findMany({
      include: {
        grants: { where: activeGrantWhere(now), include: { grantedBy: { select: { email: true } } }, orderBy: [{ groupKey: "asc" }, { role: "asc" }] },
      },
      orderBy: { email: "asc" },
    });
    let csv = csvLine(EXPORT_COLUMNS);
    let rowCount = 0;
    for (const person of people) {
      const facts = [person.email, person.name, person.employer, person.employmentType];
      if (person.grants.length === 0) {
        csv += csvLine([...facts, "", "", "", person.status, "", ""]);
        rowCount++;
      }
      for (const grant of person.grants) {
        csv += csvLine([
          ...facts,
          accessOf(grant).code,
          grant.expiresAt.toISOString(),
          grant.justification,
          person.status,
          grant.grantedAt.toISOString(),
          grant.grantedBy?.email ?? "",
        ]);
        rowCount++;
      }
    }
    const sha256 = createHash("sha256").update(csv, "utf8").digest("hex");
    return {
      value: { filename: `access-list-${now.toISOString().slice(0, 10)}.csv`, csv, rowCount, sha256 },
      audit: { rowCount, fileSha256: sha256, filters: { view: "export", people: people.length } },
    };
  });
}
