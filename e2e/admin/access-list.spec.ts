// The access list, driven by the admin through the console's forms: adding a
// Microsoft contractor and granting them the Microsoft – Copilot group and the
// viewer role, each with a justification and an expiry; and the seed's rules
// refusing, with their own words, an OpenAI contractor and a grant longer than
// a contractor may hold. The forms offer little room for mistakes, so each
// refusal here is the server's (the forms do not validate in the browser).
import { auditRowsFor, sql } from "../db";
import { PERSONAS, expect, storageStateFor, test } from "../fixtures";
import {
  CONTRACTOR_GRANT_MAX_DAYS,
  addPerson,
  dateInDays,
  dayAfter,
  definition,
  fieldError,
  grantAccess,
  grantForm,
  grantItem,
  submitGrant,
  submitNewPerson,
  uniqueEmail,
} from "./console";

const admin = PERSONAS.admin;
const OPENAI_EMPLOYEES_ONLY = "OpenAI personnel must be employees: the seed admits select OpenAI employees, not contractors.";

test.use({ storageState: storageStateFor("admin") });

type GrantRow = { access: string; justification: string; expires_on: string; granted_by: string | null; revoked_at: Date | null };

async function grantsOf(email: string): Promise<GrantRow[]> {
  return sql<GrantRow>(
    `SELECT coalesce('group:' || g.group_key::text, 'role:' || g.role::text) AS access, g.justification,
            to_char(g.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS expires_on, by_person.email AS granted_by, g.revoked_at
       FROM "grant" g JOIN person p ON p.id = g.person_id LEFT JOIN person by_person ON by_person.id = g.granted_by_id
      WHERE p.email = $1 ORDER BY access`,
    [email],
  );
}

test("adds a Microsoft contractor and grants them the Microsoft – Copilot group and the viewer role, justified and within the contractor maximum", async ({
  page,
  auditTag,
}) => {
  const person = { name: "Casey Contractor", email: uniqueEmail("casey.contractor", "microsoft.example"), employer: "Microsoft", employmentType: "Contractor" } as const;
  const groupGrant = { access: "Group: Microsoft – Copilot", expiresOn: dateInDays(30), justification: "Casey evaluates Copilot completions for the Microsoft Copilot team." };
  const roleGrant = { access: "Role: viewer", expiresOn: dateInDays(60), justification: "Casey needs to browse the Microsoft – Copilot events for the evaluation." };

  const personId = await addPerson(page, person);
  await expect(page.getByText(`${person.email} · Microsoft contractor · No grant in force`)).toBeVisible();

  // the form offers only what the seed's rules allow a Microsoft contractor, for at most the contractor maximum
  const form = grantForm(page);
  await expect(form.getByLabel("Group or role").getByRole("option")).toHaveText(["Choose…", "Group: Microsoft – Copilot", "Role: viewer"]);
  await expect(form.getByText(`at most ${CONTRACTOR_GRANT_MAX_DAYS} days from today`)).toBeVisible();

  await grantAccess(page, groupGrant);
  const group = grantItem(page, "Grants in force", groupGrant.access);
  await expect(group).toContainText("In force");
  await expect(definition(group, "Granted")).toContainText(`by ${admin.name} (${admin.email})`);
  await expect(definition(group, "Expires")).toHaveText(`${groupGrant.expiresOn} 00:00 UTC`);
  await expect(definition(group, "Justification")).toHaveText(groupGrant.justification);
  // what is granted is no longer offered
  await expect(form.getByLabel("Group or role").getByRole("option")).toHaveText(["Choose…", "Role: viewer"]);

  await submitGrant(page, roleGrant);
  const role = grantItem(page, "Grants in force", roleGrant.access);
  await expect(definition(role, "Expires")).toHaveText(`${roleGrant.expiresOn} 00:00 UTC`);
  await expect(definition(role, "Justification")).toHaveText(roleGrant.justification);
  await expect(page.getByText(`${person.name} holds every group and role the seed's rules allow.`)).toBeVisible();
  await expect(page.getByText(`${person.email} · Microsoft contractor · Active`)).toBeVisible();

  // the access list shows them with that group and role
  await page.goto("/admin/people");
  await page.getByRole("form", { name: "Filter the access list" }).getByLabel("Search").fill(person.email);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/[?&]q=casey\.contractor\.[0-9a-f]{8}%40microsoft\.example/);
  await expect(page.getByRole("heading", { name: "1 person" })).toBeVisible();
  const rows = page.getByRole("table", { name: "People on the access list matching the filters" }).getByRole("row").filter({ has: page.getByRole("cell") });
  await expect(rows).toHaveCount(1);
  await expect(rows.getByRole("cell")).toHaveText([
    person.name,
    person.email,
    "Microsoft contractor",
    "Microsoft – Copilot",
    "viewer",
    "Active",
    groupGrant.expiresOn,
    /^\d{4}-\d{2}-\d{2}$/,
  ]);
  await rows.getByRole("link", { name: person.name }).click();
  await expect(page).toHaveURL(`/admin/people/${personId}`);

  // recorded as made: by the admin, with the justification and expiry given
  expect(await grantsOf(person.email)).toEqual([
    { access: "group:microsoft_copilot", justification: groupGrant.justification, expires_on: groupGrant.expiresOn, granted_by: admin.email, revoked_at: null },
    { access: "role:viewer", justification: roleGrant.justification, expires_on: roleGrant.expiresOn, granted_by: admin.email, revoked_at: null },
  ]);
  const changes = (await auditRowsFor(auditTag)).filter((row) => row.action !== "admin.view");
  expect(changes).toEqual([
    expect.objectContaining({ action: "admin.person_create", outcome: "allowed", actor_email: admin.email, target_id: personId }),
    expect.objectContaining({ action: "admin.grant_create", outcome: "allowed", actor_email: admin.email, reason: groupGrant.justification }),
    expect.objectContaining({ action: "admin.grant_create", outcome: "allowed", actor_email: admin.email, reason: roleGrant.justification }),
  ]);
});

test("refuses an OpenAI contractor with the seed's rule, and adds nobody", async ({ page, auditTag }) => {
  const person = { name: "Olive Outsourced", email: uniqueEmail("olive.outsourced", "openai.example"), employer: "OpenAI", employmentType: "Contractor" } as const;

  await submitNewPerson(page, person);
  await expect(page.getByRole("region", { name: "Person" }).getByRole("alert")).toHaveText(OPENAI_EMPLOYEES_ONLY);
  await expect(page).toHaveURL("/admin/people/new");
  // the rule is pinned to the field that breaks it, and the form keeps what was typed
  await expect(await fieldError(page, page.getByLabel("Employment type"))).toHaveText(OPENAI_EMPLOYEES_ONLY);
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(person.email);

  // nobody by that address is on the list
  await page.goto(`/admin/people?q=${encodeURIComponent(person.email)}`);
  await expect(page.getByRole("heading", { name: "0 people" })).toBeVisible();
  await expect(page.getByText("Nobody matches these filters.")).toBeVisible();
  expect(await sql("SELECT id FROM person WHERE email = $1", [person.email])).toEqual([]);

  const attempts = (await auditRowsFor(auditTag)).filter((row) => row.action === "admin.person_create");
  expect(attempts).toEqual([expect.objectContaining({ actor_email: admin.email, reason: expect.stringContaining(OPENAI_EMPLOYEES_ONLY) })]);
  expect(attempts[0]!.outcome).not.toBe("allowed");
});

test("refuses a grant to a contractor beyond the contractor maximum, and grants nothing; the maximum itself is accepted", async ({ page }) => {
  const person = { name: "Max Overreach", email: uniqueEmail("max.overreach", "microsoft.example"), employer: "Microsoft", employmentType: "Contractor" } as const;
  const justification = "Max joins the Microsoft Copilot evaluation for the quarter.";
  await addPerson(page, person);

  const expires = grantForm(page).getByLabel("Expires on");
  const latest = await expires.getAttribute("max");
  expect(latest).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  // the field starts at the longest allowed: a contractor's maximum from today
  await expect(expires).toHaveValue(latest!);
  expect([dateInDays(CONTRACTOR_GRANT_MAX_DAYS - 1), dateInDays(CONTRACTOR_GRANT_MAX_DAYS)]).toContain(latest);

  const tooLate = dayAfter(latest!);
  await submitGrant(page, { access: "Role: viewer", expiresOn: tooLate, justification });
  const refusal = `Grants to contractors may last at most ${CONTRACTOR_GRANT_MAX_DAYS} days: choose ${latest} or earlier.`;
  await expect(grantForm(page).getByRole("alert")).toHaveText(refusal);
  await expect(await fieldError(page, expires)).toHaveText(refusal);
  await expect(page.getByRole("region", { name: "Grants in force" })).toContainText(`No grant in force: ${person.name} sees nothing in the portal.`);
  expect(await grantsOf(person.email)).toEqual([]);

  // the last allowed day is granted
  await submitGrant(page, { access: "Role: viewer", expiresOn: latest!, justification });
  await expect(definition(grantItem(page, "Grants in force", "Role: viewer"), "Expires")).toHaveText(`${latest} 00:00 UTC`);
  expect(await grantsOf(person.email)).toEqual([expect.objectContaining({ access: "role:viewer", expires_on: latest })]);
});
