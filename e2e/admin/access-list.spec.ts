// The access list, driven by the admin through the console's forms: adding a
// Microsoft contractor and granting them telemetry access to Microsoft –
// Copilot in one step (the group and the viewer role, one justification, one
// expiry, 30 days unless the admin chooses otherwise); and the seed's rules
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
    `SELECT CASE WHEN g.group_key IS NOT NULL AND g.role = 'viewer' THEN 'telemetry:' || g.group_key::text
                 ELSE coalesce('group:' || g.group_key::text, 'role:' || g.role::text) END AS access, g.justification,
            to_char(g.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS expires_on, by_person.email AS granted_by, g.revoked_at
       FROM "grant" g JOIN person p ON p.id = g.person_id LEFT JOIN person by_person ON by_person.id = g.granted_by_id
      WHERE p.email = $1 ORDER BY access`,
    [email],
  );
}

test("adds a Microsoft contractor and grants them telemetry access to Microsoft – Copilot in one step, 30 days unless chosen otherwise", async ({
  page,
  auditTag,
}) => {
  const person = { name: "Casey Contractor", email: uniqueEmail("casey.contractor", "microsoft.example"), employer: "Microsoft", employmentType: "Contractor" } as const;
  const grant = { access: "Telemetry: Microsoft – Copilot", expiresOn: dateInDays(30), days: 30, justification: "Casey evaluates Copilot completions for the Microsoft Copilot team." } as const;

  const personId = await addPerson(page, person);
  await expect(page.getByText(`${person.email} · Microsoft contractor · No grant in force: sees nothing`)).toBeVisible();

  // the form offers only what the seed's rules allow a Microsoft contractor (no staff role), 30 days preselected, at most the contractor maximum
  const form = grantForm(page);
  await expect(form.getByLabel("Access", { exact: true }).getByRole("option")).toHaveText(["Choose…", "Telemetry: Microsoft – Copilot"]);
  await expect(form.getByText(`At most ${CONTRACTOR_GRANT_MAX_DAYS} days for this person.`)).toBeVisible();
  await expect(form.getByRole("radio", { name: "30 days" })).toBeChecked();

  await grantAccess(page, grant);
  const item = grantItem(page, "Grants in force", grant.access);
  await expect(item).toContainText("In force");
  await expect(definition(item, "Granted")).toContainText(`by ${admin.name} (${admin.email})`);
  await expect(definition(item, "Expires")).toHaveText(new RegExp(`^${grant.expiresOn} \\d{2}:\\d{2} UTC$`));
  await expect(definition(item, "Justification")).toHaveText(grant.justification);
  await expect(page.getByText(`${person.name} holds every group and role the seed's rules allow.`)).toBeVisible();
  // the status says what they can do, and until when
  await expect(page.getByText(`${person.email} · Microsoft contractor · Can browse telemetry (Microsoft – Copilot) · expires in 29 days`)).toBeVisible();

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
    grant.expiresOn,
    /^\d{4}-\d{2}-\d{2}$/,
  ]);
  await rows.getByRole("link", { name: person.name }).click();
  await expect(page).toHaveURL(`/admin/people/${personId}`);

  // recorded as made: by the admin, with the justification and expiry given
  expect(await grantsOf(person.email)).toEqual([
    { access: "telemetry:microsoft_copilot", justification: grant.justification, expires_on: grant.expiresOn, granted_by: admin.email, revoked_at: null },
  ]);
  const changes = (await auditRowsFor(auditTag)).filter((row) => row.action !== "admin.view");
  expect(changes).toEqual([
    expect.objectContaining({ action: "admin.person_create", outcome: "allowed", actor_email: admin.email, target_id: personId }),
    expect.objectContaining({ action: "admin.grant_create", outcome: "allowed", actor_email: admin.email, reason: grant.justification }),
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

  // 30 days unless the admin chooses otherwise: the maximum is a choice, not the default
  const form = grantForm(page);
  await expect(form.getByRole("radio", { name: "30 days" })).toBeChecked();
  await form.getByRole("radio", { name: "Until a date" }).check();
  const expires = form.getByLabel("Expires on");
  const latest = await expires.getAttribute("max");
  expect(latest).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect([dateInDays(CONTRACTOR_GRANT_MAX_DAYS - 1), dateInDays(CONTRACTOR_GRANT_MAX_DAYS)]).toContain(latest);

  const tooLate = dayAfter(latest!);
  await submitGrant(page, { access: "Telemetry: Microsoft – Copilot", expiresOn: tooLate, justification });
  const refusal = `Grants to contractors may last at most ${CONTRACTOR_GRANT_MAX_DAYS} days: choose ${latest} or earlier.`;
  await expect(grantForm(page).getByRole("alert")).toHaveText(refusal);
  await expect(await fieldError(page, expires)).toHaveText(refusal);
  await expect(page.getByRole("region", { name: "Grants in force" })).toContainText(`No grant in force: ${person.name} sees nothing in the portal.`);
  await expect(page.getByRole("status").filter({ hasText: "Granted" })).toHaveCount(0);
  expect(await grantsOf(person.email)).toEqual([]);

  // the last allowed day is granted
  await submitGrant(page, { access: "Telemetry: Microsoft – Copilot", expiresOn: latest!, justification });
  await expect(definition(grantItem(page, "Grants in force", "Telemetry: Microsoft – Copilot"), "Expires")).toHaveText(`${latest} 00:00 UTC`);
  expect(await grantsOf(person.email)).toEqual([expect.objectContaining({ access: "telemetry:microsoft_copilot", expires_on: latest })]);
});
