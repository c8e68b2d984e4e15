// Purpose of access: before any telemetry, a viewer declares why. The choice
// lives on the session, shows in the header, can be changed, and is written
// into every audit row from then on.
import { auditRowsFor, findSession } from "../db";
import { PERSONAS, expect, sessionTokenOf, signIn, test } from "../fixtures";

const { email } = PERSONAS.viewerHealth;
const OTHER = "Other purpose related to improving Copilot";
const DETAIL = "Checking completion latency after the 1.250 extension rollout.";

test("a viewer is asked for a purpose before the explorer, and the purpose is carried into the audit trail", async ({ page, auditTag }) => {
  // a fresh session: no purpose declared yet
  await signIn(page, email);

  // the API refuses telemetry without a purpose, with its own status
  const early = await page.request.get("/api/v1/events?limit=1");
  expect(early.status()).toBe(428);
  expect(await early.json()).toEqual({ error: expect.objectContaining({ code: "purpose_required" }) });

  await page.goto("/events");
  await expect(page).toHaveURL("/purpose?next=%2Fevents");
  await expect(page.getByRole("heading", { name: "Purpose of access" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Purpose: not declared" })).toBeVisible();

  // "other" needs a sentence
  await page.getByRole("radio", { name: OTHER }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Please correct the form.")).toBeVisible();
  await expect(page.getByText("Describe the purpose in a sentence (at least 10 characters).")).toBeVisible();
  await expect(page.getByLabel(/^Details/)).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/purpose/);
  // the refused submission is shown again, not reset
  await expect(page.getByRole("radio", { name: OTHER })).toBeChecked();
  expect((await findSession((await sessionTokenOf(page.context()))!))?.purpose).toBeNull();

  await page.getByLabel(/^Details/).fill(DETAIL);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL("/events");
  await expect(page.getByRole("table")).toBeVisible();
  await expect(page.getByRole("link", { name: `Purpose: ${OTHER}` })).toBeVisible();

  // changeable from the header
  await page.getByRole("link", { name: `Purpose: ${OTHER}` }).click();
  await expect(page).toHaveURL(/\/purpose$/);
  await expect(page.getByRole("radio", { name: OTHER })).toBeChecked();
  await page.getByRole("radio", { name: "Investigate and detect potential abuse" }).check();
  await page.getByLabel(/^Details/).fill("");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL("/events");
  await expect(page.getByRole("link", { name: "Purpose: Investigate and detect potential abuse" })).toBeVisible();
  // the page itself renders once its (audited) query has committed
  await expect(page.getByRole("table")).toBeVisible();

  const session = await findSession((await sessionTokenOf(page.context()))!);
  expect(session).toMatchObject({ purpose: "investigate_abuse", purpose_detail: null });

  const rows = await auditRowsFor(auditTag);
  const index = (predicate: (row: (typeof rows)[number]) => boolean) => rows.findIndex(predicate);
  const refusedBeforePurpose = rows.filter((row) => row.action === "events.list" && row.outcome === "denied");
  expect(refusedBeforePurpose.length).toBeGreaterThanOrEqual(2);
  for (const row of refusedBeforePurpose) expect(row).toMatchObject({ purpose: null, reason: expect.stringMatching(/^purpose_required:/) });

  const declaredOther = index((row) => row.action === "session.purpose_set" && row.outcome === "allowed" && row.purpose === "other");
  const declaredAbuse = index((row) => row.action === "session.purpose_set" && row.outcome === "allowed" && row.purpose === "investigate_abuse");
  expect(declaredOther).toBeGreaterThan(-1);
  expect(declaredAbuse).toBeGreaterThan(declaredOther);
  expect(rows[declaredOther]).toMatchObject({ purpose_detail: DETAIL, actor_email: email });

  // every row after a declaration carries the purpose in force
  const between = rows.slice(declaredOther + 1, declaredAbuse);
  const after = rows.slice(declaredAbuse + 1);
  expect(between.some((row) => row.action === "events.list" && row.outcome === "allowed")).toBe(true);
  expect(after.some((row) => row.action === "events.list" && row.outcome === "allowed")).toBe(true);
  for (const row of between) expect(row).toMatchObject({ purpose: "other", purpose_detail: DETAIL });
  for (const row of after) expect(row).toMatchObject({ purpose: "investigate_abuse", purpose_detail: null });
});

test("the purpose form refuses a choice outside the list", async ({ page }) => {
  await signIn(page, email, { callbackUrl: "/purpose" });
  await expect(page.getByRole("heading", { name: "Purpose of access" })).toBeVisible();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Choose one of the listed purposes.")).toBeVisible();
  const response = await page.request.put("/api/v1/me/purpose", { data: { purpose: "curiosity" } });
  expect(response.status()).toBe(400);
  expect(await response.json()).toEqual({ error: expect.objectContaining({ code: "invalid_input", issues: [expect.objectContaining({ path: "purpose" })] }) });
});
