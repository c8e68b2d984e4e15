// What the admin specs share: the admin console's forms driven as a person
// would (add a person, grant access), the audit console's filter and row
// page as an auditor reads them, and the database look-ups that tell a test
// which rows are its own.
import { randomBytes } from "node:crypto";
import type { Locator, Page } from "@playwright/test";
import { sql } from "../db";
import { expect } from "../fixtures";

const DAY_MS = 86_400_000;

/** The seed's longest grant to a contractor, in days (server/config/env.ts). */
export const CONTRACTOR_GRANT_MAX_DAYS = Number(process.env.CONTRACTOR_GRANT_MAX_DAYS ?? 90);

/** A date `days` from today, as the "Expires on" field takes it (YYYY-MM-DD, UTC). */
export function dateInDays(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
}

/** The day after a YYYY-MM-DD date. */
export function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** An address no earlier run or other spec has used, so a test finds only its own person. */
export function uniqueEmail(local: string, domain: string): string {
  return `${local}.${randomBytes(4).toString("hex")}@${domain}`;
}

export type NewPerson = {
  name: string;
  email: string;
  employer: "GitHub" | "Microsoft" | "OpenAI";
  employmentType: "Employee" | "Contractor";
};

/** Opens "Add person" from the access list and submits the form; the caller asserts where it led. */
export async function submitNewPerson(page: Page, person: NewPerson): Promise<void> {
  await page.goto("/admin/people");
  await page.getByRole("link", { name: "Add person" }).click();
  await expect(page).toHaveURL("/admin/people/new");
  await expect(page.getByRole("heading", { name: "Add a person" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(person.name);
  await page.getByLabel("Email", { exact: true }).fill(person.email);
  await page.getByLabel("Employer").selectOption({ label: person.employer });
  await page.getByLabel("Employment type").selectOption({ label: person.employmentType });
  await page.getByRole("button", { name: "Add person" }).click();
}

/** Adds the person through the form and returns their id, read from the person page the form leads to. */
export async function addPerson(page: Page, person: NewPerson): Promise<string> {
  await submitNewPerson(page, person);
  await expect(page).toHaveURL(/\/admin\/people\/[0-9a-f-]{36}\?done=added$/);
  await expect(page.getByRole("heading", { name: person.name, level: 1 })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Added." })).toHaveText("Added. Now grant them a group and a role.");
  const id = /\/admin\/people\/([0-9a-f-]{36})/.exec(page.url())?.[1];
  if (!id) throw new Error(`no person id in ${page.url()}`);
  return id;
}

export function grantForm(page: Page): Locator {
  return page.getByRole("form", { name: "Grant access" });
}

/**
 * Fills and submits the person page's "Grant access" form; the caller asserts the outcome.
 * `days`: one of the presets (30/60/90); else "Until a date" with `expiresOn`.
 */
export async function submitGrant(page: Page, grant: { access: string; expiresOn: string; justification: string; days?: 30 | 60 | 90 }): Promise<void> {
  const form = grantForm(page);
  await form.getByLabel("Access", { exact: true }).selectOption({ label: grant.access });
  if (grant.days) {
    await form.getByRole("radio", { name: `${grant.days} days` }).check();
  } else {
    await form.getByRole("radio", { name: "Until a date" }).check();
    await form.getByLabel("Expires on").fill(grant.expiresOn);
  }
  await form.getByLabel("Justification").fill(grant.justification);
  await form.getByRole("button", { name: "Grant access" }).click();
}

/** Grants access through the form and waits for the page's notice that names the grant (drawn from the grant in force). */
export async function grantAccess(page: Page, grant: { access: string; expiresOn: string; justification: string; days?: 30 | 60 | 90 }): Promise<void> {
  await submitGrant(page, grant);
  await expect(page).toHaveURL(/\?done=granted&grant=[0-9a-f-]{36}$/);
  await expect(page.getByRole("status").filter({ hasText: "Granted" })).toHaveText(`Granted ${grant.access} until ${grant.expiresOn}.`);
}

/** A grant on the person page: the list item under "Grants in force" or "Earlier grants" whose title is `access`. */
export function grantItem(page: Page, section: "Grants in force" | "Earlier grants", access: string): Locator {
  return page
    .getByRole("region", { name: section })
    .getByRole("listitem")
    .filter({ has: page.locator("strong", { hasText: new RegExp(`^${escapeRegExp(access)}$`) }) });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The error the server pinned to a form control (tied to it by aria-describedby), after checking the control is marked invalid. */
export async function fieldError(page: Page, control: Locator): Promise<Locator> {
  await expect(control).toHaveAttribute("aria-invalid", "true");
  const ids = ((await control.getAttribute("aria-describedby")) ?? "").split(" ").filter((id) => id.endsWith("-error"));
  expect(ids).toHaveLength(1);
  return page.locator(`[id="${ids[0]}"]`);
}

/** The value shown beside a term in a <dl class="props"> inside `scope`. */
export function definition(scope: Locator, term: string): Locator {
  return scope.locator("dt", { hasText: new RegExp(`^${escapeRegExp(term)}$`) }).locator("xpath=following-sibling::dd[1]");
}

/** The id of the one audit row of this action and outcome that requests with this User-Agent left. */
export async function auditRowId(userAgent: string, action: string, outcome: "allowed" | "denied" | "error" = "allowed"): Promise<string> {
  const rows = await sql<{ id: string }>(
    `SELECT id::text AS id FROM audit_event WHERE actor_user_agent = $1 AND action = $2 AND outcome = $3::audit_outcome ORDER BY occurred_at, id`,
    [userAgent, action, outcome],
  );
  expect(rows, `${outcome} ${action} rows for ${userAgent}`).toHaveLength(1);
  return rows[0]!.id;
}

/** One side of an audit row's change as the row page shows it: the JSON parsed, or null for "—". */
async function changeSide(page: Page, side: "Before" | "After"): Promise<unknown> {
  const value = page
    .getByRole("region", { name: "Change" })
    .getByRole("heading", { name: side, exact: true })
    .locator("xpath=following-sibling::*[1]");
  const text = (await value.textContent())?.trim() ?? "";
  return text === "—" ? null : (JSON.parse(text) as unknown);
}

export type AuditRowInConsole = { before: unknown; after: unknown; reason: string };

/**
 * As an auditor: filters the audit console by actor and action (through its
 * form), finds the row in the filtered table, opens it and reads its change.
 */
export async function openAuditRow(
  page: Page,
  row: { id: string; actor: string; action: string; actionLabel: string; outcome?: "allowed" | "denied" | "error" },
): Promise<AuditRowInConsole> {
  await page.goto("/audit");
  const filters = page.getByRole("form", { name: "Filter the audit trail" });
  await filters.getByLabel("Actor email contains").fill(row.actor);
  await filters.getByLabel("Action").selectOption({ label: row.actionLabel });
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]action=${escapeRegExp(encodeURIComponent(row.action))}(&|$)`));

  const table = page.getByRole("table", { name: "Audit rows matching the filters" });
  // only rows of that actor and action are listed, ours among them
  const listed = table.getByRole("row").filter({ has: page.getByRole("cell") });
  await expect(listed.first()).toBeVisible();
  expect(new Set(await listed.locator("td:nth-child(2)").allTextContents())).toEqual(new Set([row.actor]));
  expect(new Set(await listed.locator("td:nth-child(3)").allTextContents())).toEqual(new Set([row.actionLabel]));
  const ours = listed.filter({ has: page.locator(`a[href="/audit/${row.id}"]`) });
  await expect(ours).toHaveCount(1);
  const outcome = row.outcome ?? "allowed";
  await expect(ours.getByRole("cell").nth(3)).toHaveText(`${outcome[0]!.toUpperCase()}${outcome.slice(1)}`);

  await ours.getByRole("link").first().click();
  await expect(page).toHaveURL(`/audit/${row.id}`);
  await expect(page.getByRole("heading", { name: `Audit row ${row.id}: ${row.actionLabel}`, level: 1 })).toBeVisible();
  const what = page.getByRole("region", { name: "What" });
  await expect(definition(what, "Action")).toContainText(row.actionLabel);
  await expect(definition(what, "Action").locator("code")).toHaveText(row.action);
  await expect(definition(page.getByRole("region", { name: "Who, from where, why" }), "Actor")).toHaveText(row.actor);
  await expect(page.getByRole("region", { name: "Change" }).getByRole("heading", { name: "Before", exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: "Change" }).getByRole("heading", { name: "After", exact: true })).toBeVisible();
  return {
    before: await changeSide(page, "Before"),
    after: await changeSide(page, "After"),
    reason: (await definition(what, "Reason").textContent()) ?? "",
  };
}
