// Issue 13, "requests and approvals" and "expiry and extension", walked by the
// personas involved: Nora Newcomer (on the list, no grant) asks for the
// Copilot team, whose scope includes content, so two distinct approvers must
// approve — Paz Approver (the group's named approver) and Ada Admin; Nora then
// browses, and asks for an extension through the same path. Eli Expired asks
// and is denied, and reads the reason. The requester never approves their own
// request, and an approval needs a recent sign-in.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { auditRowsFor, sql } from "../db";
import { PERSONAS, expect, signIn, test } from "../fixtures";

const { newcomer, approver, admin, expired } = PERSONAS;

/** Puts a persona back where the seed left them: no grant in force from a request, no open request. */
async function resetRequester(email: string): Promise<void> {
  await sql(
    `UPDATE access_request SET status = 'cancelled', decided_at = now(), decision_reason = 'reset by an end-to-end test'
      WHERE requester_id = (SELECT id FROM person WHERE email = $1) AND status = 'pending'`,
    [email],
  );
  await sql(
    `UPDATE "grant" SET revoked_at = now(), revoke_reason = 'reset by an end-to-end test'
      WHERE person_id = (SELECT id FROM person WHERE email = $1) AND revoked_at IS NULL AND expires_at > now()
        AND id IN (SELECT grant_id FROM access_request WHERE grant_id IS NOT NULL)`,
    [email],
  );
}

/** A browser of its own for one persona, signed in now (a fresh sign-in: approvals need one). */
async function signedIn(browser: Browser, email: string, auditTag: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ userAgent: auditTag });
  const page = await context.newPage();
  await signIn(page, email);
  return { context, page };
}

async function requestIdFrom(page: Page): Promise<string> {
  await expect(page).toHaveURL(/\/access\/requests\/[0-9a-f-]{36}\?done=requested$/);
  return /\/access\/requests\/([0-9a-f-]{36})/.exec(page.url())![1]!;
}

async function approve(page: Page, requestId: string, button: "Approve" | "Approve and grant"): Promise<void> {
  await page.goto(`/access/requests/${requestId}`);
  const form = page.getByRole("form", { name: "Approve this request" });
  await form.getByRole("button", { name: button, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/access/requests/${requestId}\\?done=(approved|approval-recorded)$`));
}

test.describe.configure({ mode: "serial" });
// Each test signs in two or three personas through the identity provider and walks several pages.
test.setTimeout(180_000);

test("request → two approvals → access → extension, as the newcomer, the group's approver and the admin", async ({ browser, auditTag }) => {
  await resetRequester(newcomer.email);
  const nora = await signedIn(browser, newcomer.email, auditTag);
  const paz = await signedIn(browser, approver.email, auditTag);
  const ada = await signedIn(browser, admin.email, auditTag);
  try {
    // Nora signs in to the request area: she sees what she can do (nothing yet) and may ask
    await expect(nora.page).toHaveURL("/access");
    await expect(nora.page.getByRole("heading", { name: "My access", level: 1 })).toBeVisible();
    const now = nora.page.getByRole("region", { name: "What you can do now" });
    await expect(now).toContainText("No grant in force: sees nothing");
    await expect(nora.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" })).toHaveCount(0);
    await now.getByRole("link", { name: "Ask for access" }).click();

    const form = nora.page.getByRole("form", { name: "Ask for access" });
    await expect(form.getByLabel("Group").getByRole("option")).toHaveText(["Choose…", "GitHub Copilot team (needs 2 approvers)", "GitHub platform health team"]);
    await expect(form.getByRole("radio", { name: "30 days" })).toBeChecked();
    await form.getByLabel("Group").selectOption({ label: "GitHub Copilot team (needs 2 approvers)" });
    await form.getByLabel("Justification").fill("Joining the completions team: ranking quality work");
    await form.getByLabel("Ticket reference (optional)").fill("ONB-4242");
    await form.getByRole("button", { name: "Ask for access" }).click();
    const requestId = await requestIdFrom(nora.page);
    await expect(nora.page.getByRole("status").filter({ hasText: "Request sent" })).toBeVisible();
    await expect(nora.page.getByText("Waiting for approval")).toBeVisible();
    await expect(nora.page.getByText("0 of 2")).toBeVisible();
    // the requester cannot decide it
    await expect(nora.page.getByRole("form", { name: "Approve this request" })).toHaveCount(0);

    // Paz finds it waiting and approves: one of two
    await paz.page.goto("/access/requests");
    const waiting = paz.page.getByRole("region", { name: /^Waiting for you/ });
    await waiting.getByRole("link", { name: "Access: GitHub Copilot team, 30 days" }).first().click();
    await approve(paz.page, requestId, "Approve");
    await expect(paz.page).toHaveURL(`/access/requests/${requestId}?done=approval-recorded`);
    await expect(paz.page.getByRole("status").filter({ hasText: "Approval recorded" })).toBeVisible();
    await expect(paz.page.getByText("You approved this request: it waits for another approver.")).toBeVisible();
    await expect(paz.page.getByRole("form", { name: "Approve this request" })).toHaveCount(0);
    expect((await sql(`SELECT g.id FROM "grant" g JOIN person p ON p.id = g.person_id WHERE p.email = $1 AND g.revoked_at IS NULL AND g.expires_at > now()`, [newcomer.email])).length).toBe(0);

    // Ada's approval completes it: the grant is made
    await approve(ada.page, requestId, "Approve and grant");
    await expect(ada.page).toHaveURL(`/access/requests/${requestId}?done=approved`);
    await expect(ada.page.getByRole("status")).toHaveText("Approved: the grant is in force.");

    // Nora can browse now, and says so
    await nora.page.goto("/access");
    await expect(nora.page.getByRole("region", { name: "What you can do now" })).toContainText("Can browse telemetry (GitHub Copilot team) · expires in 29 days");
    const mine = nora.page.getByRole("region", { name: "My requests" });
    await expect(mine.getByRole("listitem").first()).toContainText("Approved");
    await expect(mine.getByRole("listitem").first()).toContainText("2 of 2: Paz Approver, Ada Admin");
    expect((await nora.page.request.get("/api/v1/me")).status()).toBe(200);
    await nora.page.goto("/");
    await expect(nora.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" })).toBeVisible();

    // …and asks for an extension, decided the same way
    await nora.page.goto("/access");
    await nora.page.getByRole("region", { name: "Grants in force" }).getByRole("link", { name: /^Ask to extend Telemetry: GitHub Copilot team/ }).click();
    const extension = nora.page.getByRole("form", { name: "Ask for an extension" });
    await extension.getByRole("radio", { name: "90 days" }).check();
    await extension.getByLabel("Justification").fill("The launch moved to next quarter");
    await extension.getByRole("button", { name: "Ask for the extension" }).click();
    const extensionId = await requestIdFrom(nora.page);
    await approve(paz.page, extensionId, "Approve");
    await approve(ada.page, extensionId, "Approve and grant");
    await expect(ada.page.getByRole("status")).toHaveText("Approved: the grant is in force.");
    await nora.page.goto("/access");
    await expect(nora.page.getByRole("region", { name: "What you can do now" })).toContainText("expires in 89 days");

    const rows = (await auditRowsFor(auditTag)).filter((row) => row.action.startsWith("access.request_"));
    expect(rows.filter((row) => row.action !== "access.request_view" && row.action !== "access.request_search").map((row) => [row.action, row.actor_email])).toEqual([
      ["access.request_create", newcomer.email],
      ["access.request_approve", approver.email],
      ["access.request_approve", admin.email],
      ["access.request_create", newcomer.email],
      ["access.request_approve", approver.email],
      ["access.request_approve", admin.email],
    ]);
  } finally {
    for (const { context } of [nora, paz, ada]) await context.close();
    await resetRequester(newcomer.email);
  }
});

test("a denial with its reason is shown to the requester; nobody decides their own request", async ({ browser, auditTag }) => {
  await resetRequester(expired.email);
  await resetRequester(approver.email);
  const eli = await signedIn(browser, expired.email, auditTag);
  const paz = await signedIn(browser, approver.email, auditTag);
  try {
    // Eli's grants ran out: the history is there, and he may ask again
    await expect(eli.page).toHaveURL("/access");
    await expect(eli.page.getByRole("region", { name: "What you can do now" })).toContainText(/No grant in force: sees nothing · expired on \d{4}-\d{2}-\d{2}/);
    await expect(eli.page.getByRole("region", { name: "Earlier grants" }).getByRole("listitem")).toHaveCount(2);
    await eli.page.goto("/access/request");
    const form = eli.page.getByRole("form", { name: "Ask for access" });
    await form.getByLabel("Group").selectOption({ label: "GitHub platform health team" });
    await form.getByLabel("Justification").fill("Postmortem of last week's error spike");
    await form.getByRole("button", { name: "Ask for access" }).click();
    const requestId = await requestIdFrom(eli.page);

    const reason = "The postmortem is owned by platform health; ask its on-call instead.";
    await paz.page.goto(`/access/requests/${requestId}`);
    const deny = paz.page.getByRole("form", { name: "Deny this request" });
    await deny.getByLabel("Reason for denying").fill(reason);
    await deny.getByRole("button", { name: "Deny request" }).click();
    await expect(paz.page).toHaveURL(`/access/requests/${requestId}?done=denied`);

    await eli.page.goto("/access");
    const mine = eli.page.getByRole("region", { name: "My requests" }).getByRole("listitem").first();
    await expect(mine).toContainText("Denied");
    await expect(mine).toContainText(`by ${approver.name}`);
    await expect(mine).toContainText(reason);

    // Paz asks for a group himself: his own request offers him no decision
    await paz.page.goto("/access/request");
    const own = paz.page.getByRole("form", { name: "Ask for access" });
    await own.getByLabel("Group").selectOption({ label: "GitHub platform health team" });
    await own.getByLabel("Justification").fill("Covering the platform health rota in December");
    await own.getByRole("button", { name: "Ask for access" }).click();
    const ownId = await requestIdFrom(paz.page);
    await expect(paz.page.getByText("This is your own request: someone else must decide it.")).toBeVisible();
    await expect(paz.page.getByRole("form", { name: "Approve this request" })).toHaveCount(0);
    await expect(paz.page.getByRole("form", { name: "Deny this request" })).toHaveCount(0);
    await paz.page.getByRole("form", { name: "Cancel this request" }).getByRole("button", { name: "Cancel request" }).click();
    await expect(paz.page).toHaveURL(`/access/requests/${ownId}?done=cancelled`);
    await expect(paz.page.getByRole("status")).toHaveText("Request cancelled.");

    const decisions = (await auditRowsFor(auditTag)).filter((row) => ["access.request_deny", "access.request_cancel"].includes(row.action));
    expect(decisions).toEqual([
      expect.objectContaining({ action: "access.request_deny", outcome: "allowed", actor_email: approver.email, reason }),
      expect.objectContaining({ action: "access.request_cancel", outcome: "allowed", actor_email: approver.email }),
    ]);
  } finally {
    for (const { context } of [eli, paz]) await context.close();
    await resetRequester(expired.email);
    await resetRequester(approver.email);
  }
});

test("an approval from a sign-in older than the freshness window asks the identity provider again first", async ({ browser, auditTag }) => {
  await resetRequester(newcomer.email);
  const nora = await signedIn(browser, newcomer.email, auditTag);
  const paz = await signedIn(browser, approver.email, auditTag);
  try {
    await nora.page.goto("/access/request");
    const form = nora.page.getByRole("form", { name: "Ask for access" });
    await form.getByLabel("Group").selectOption({ label: "GitHub platform health team" });
    await form.getByLabel("Justification").fill("Error dashboards for the launch review");
    await form.getByRole("button", { name: "Ask for access" }).click();
    const requestId = await requestIdFrom(nora.page);

    // Paz's sign-in is an hour old now
    await sql(
      `UPDATE auth_session SET created_at = now() - interval '1 hour'
        WHERE user_id IN (SELECT u.id FROM auth_user u JOIN person p ON p.id = u.person_id WHERE p.email = $1)`,
      [approver.email],
    );
    await paz.page.goto(`/access/requests/${requestId}`);
    await expect(paz.page.getByText(/Deciding needs a sign-in from the last \d+ minutes/)).toBeVisible();
    await paz.page.getByRole("form", { name: "Approve this request" }).getByRole("button", { name: "Approve and grant" }).click();
    // sent to sign in again (the identity provider must ask, not reuse its session), then the approval can be made
    await expect(paz.page).toHaveURL(/\/signin\?prompt=login&reason=fresh&callbackUrl=/);
    await expect(paz.page.getByRole("status")).toHaveText("Sign in again: deciding access requests needs a recent sign-in.");
    await paz.page.getByRole("button", { name: "Sign in with Demo identity provider" }).click();
    await expect(paz.page.getByLabel("Password")).toBeVisible();
    expect((await auditRowsFor(auditTag)).filter((row) => row.action === "access.request_approve")).toEqual([
      expect.objectContaining({ outcome: "denied", actor_email: approver.email, reason: expect.stringMatching(/^reauthentication_required:/) }),
    ]);
    await paz.page.getByLabel("Email").fill(approver.email);
    await paz.page.getByLabel("Password").fill("demo");
    await paz.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(paz.page).toHaveURL(`/access/requests/${requestId}`);
    await approve(paz.page, requestId, "Approve and grant");
    await expect(paz.page.getByRole("status")).toHaveText("Approved: the grant is in force.");
  } finally {
    for (const { context } of [nora, paz]) await context.close();
    await resetRequester(newcomer.email);
  }
});
