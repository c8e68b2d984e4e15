// Every change to the access list is visible to auditors: the admin adds a
// Microsoft contractor, grants a group and a role, and revokes one; an
// auditor, signed in in a browser of their own, finds each change in the
// audit console by actor and action and reads what it was before and after.
// (The revocation of a signed-in viewer is read back in
// revoke-live-session.spec.ts.) And the admin console is the admin's only:
// a viewer gets the 403 page from every admin page, and each refusal is audited.
import fs from "node:fs";
import path from "node:path";
import { auditRowsFor, sql } from "../db";
import { PERSONAS, expect, storageStateFor, test } from "../fixtures";
import { addPerson, auditRowId, dateInDays, grantAccess, grantItem, openAuditRow, uniqueEmail } from "./console";

const admin = PERSONAS.admin;

test.describe("as the admin, then the auditor", () => {
  test.use({ storageState: storageStateFor("admin") });

  test("adding a person, granting telemetry access in one step and revoking it are each in the audit console with before and after", async ({ page, browser, auditTag }) => {
    const person = { name: "Audra Trail", email: uniqueEmail("audra.trail", "microsoft.example"), employer: "Microsoft", employmentType: "Contractor" } as const;
    const grant = { access: "Telemetry: Microsoft – Copilot", expiresOn: dateInDays(20), justification: "Audra reviews Copilot acceptance rates for Microsoft." };
    const revokeReason = "Audra's review moved to another team; the access is not needed.";

    // The admin's changes, through the console.
    const personId = await addPerson(page, person);
    await grantAccess(page, grant);
    const item = grantItem(page, "Grants in force", grant.access);
    await expect(item).toBeVisible();
    await item.getByText("Revoke…").click();
    const revokeForm = item.getByRole("form", { name: `Revoke ${grant.access}` });
    await revokeForm.getByLabel("Reason for revoking").fill(revokeReason);
    await revokeForm.getByRole("button", { name: "Revoke grant" }).click();
    await expect(page).toHaveURL(`/admin/people/${personId}?done=revoked&sessions=0`);
    await expect(grantItem(page, "Earlier grants", grant.access)).toContainText(revokeReason);
    // the notice of the grant did not outlive it
    await expect(page.getByRole("status").filter({ hasText: "Granted" })).toHaveCount(0);

    const adminId = (await sql<{ id: string }>("SELECT id::text AS id FROM person WHERE email = $1", [admin.email]))[0]?.id;
    expect(adminId).toBeDefined();
    const grantIds = await sql<{ id: string; group_key: string; role: string }>(`SELECT id::text AS id, group_key::text AS group_key, role::text AS role FROM "grant" WHERE person_id = $1::uuid`, [
      personId,
    ]);
    // one row: the group and the viewer role together
    expect(grantIds).toEqual([expect.objectContaining({ group_key: "microsoft_copilot", role: "viewer" })]);
    const grantId = grantIds[0]!.id;
    const access = "telemetry:microsoft_copilot";

    // The auditor, in a browser of their own, reads each change back.
    const auditorContext = await browser.newContext({ storageState: storageStateFor("auditor"), userAgent: `${auditTag}/auditor` });
    try {
      const auditor = await auditorContext.newPage();

      const created = await openAuditRow(auditor, { id: await auditRowId(auditTag, "admin.person_create"), actor: admin.email, action: "admin.person_create", actionLabel: "Added a person" });
      expect(created.before).toBeNull();
      expect(created.after).toEqual({
        id: personId,
        name: person.name,
        email: person.email,
        employer: "microsoft",
        employmentType: "contractor",
        status: "active",
        disabledAt: null,
        disabledReason: null,
      });

      const granted = await openAuditRow(auditor, { id: await auditRowId(auditTag, "admin.grant_create"), actor: admin.email, action: "admin.grant_create", actionLabel: "Granted access" });
      expect(granted.reason).toBe(grant.justification);
      expect(granted.before).toBeNull();
      expect(granted.after).toMatchObject({
        id: grantId,
        personId,
        personEmail: person.email,
        access,
        justification: grant.justification,
        expiresAt: `${grant.expiresOn}T00:00:00.000Z`,
        grantedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        grantedById: adminId,
        revokedAt: null,
        revokeReason: null,
      });

      const revoked = await openAuditRow(auditor, { id: await auditRowId(auditTag, "admin.grant_revoke"), actor: admin.email, action: "admin.grant_revoke", actionLabel: "Revoked a grant" });
      expect(revoked.reason).toBe(revokeReason);
      expect(revoked.before).toMatchObject({ id: grantId, personEmail: person.email, access, justification: grant.justification, revokedAt: null, revokeReason: null });
      expect(revoked.after).toMatchObject({
        id: grantId,
        personEmail: person.email,
        access,
        justification: grant.justification,
        revokedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        revokeReason,
        revokedById: adminId,
        sessionsEnded: 0,
      });
    } finally {
      await auditorContext.close();
    }
  });
});

/** The admin console's pages, from the build (a new page is covered without touching this file). */
function adminPages(): string[] {
  const file = path.resolve(import.meta.dirname, "../../.next/app-path-routes-manifest.json");
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the browser tests run against a production build (next build)`);
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  return Object.entries(manifest)
    .filter(([entry, route]) => entry.endsWith("/page") && (route === "/admin" || route.startsWith("/admin/")))
    .map(([, route]) => route)
    .sort();
}

test.describe(PERSONAS.viewerCopilot.email, () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("gets the 403 page from every admin page, sees no one on the list, and each refusal is audited", async ({ page, auditTag }) => {
    const pages = adminPages();
    expect(pages).toEqual(expect.arrayContaining(["/admin", "/admin/people", "/admin/people/[id]", "/admin/people/new"]));
    // a real person's page: refused all the same, and nothing of them shown
    const [someone] = await sql<{ id: string }>("SELECT id::text AS id FROM person WHERE email = $1", [PERSONAS.viewerMicrosoft.email]);
    const markers = [PERSONAS.viewerMicrosoft.email, PERSONAS.viewerMicrosoft.name, admin.email, admin.name];

    for (const route of pages) {
      const target = route.replace("[id]", someone!.id);
      const rowsBefore = (await auditRowsFor(auditTag)).length;
      const response = await page.goto(target);
      expect(response?.status(), target).toBe(403);
      await expect(page.getByRole("heading", { name: "Not permitted" })).toBeVisible();
      await expect(page.getByText("Your roles do not allow this page.")).toBeVisible();
      await expect(page.getByRole("table")).toHaveCount(0);
      await expect(page.getByRole("form")).toHaveCount(0);
      const html = await page.content();
      for (const marker of markers) expect(html, `${target} disclosed "${marker}"`).not.toContain(marker);

      const rows = (await auditRowsFor(auditTag)).slice(rowsBefore);
      expect(rows, target).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: "admin.view", outcome: "denied", actor_email: PERSONAS.viewerCopilot.email, reason: expect.stringMatching(/^forbidden:/) }),
        ]),
      );
      expect(rows.filter((row) => row.outcome === "allowed" && row.action.startsWith("admin."))).toEqual([]);
    }
  });
});
