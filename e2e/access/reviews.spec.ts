// Issue 13, "periodic access reviews", walked by the personas involved: Ada
// Admin starts a review of the platform health team now; Paz Approver (a
// named approver of every group) sees each grant's use from the audit trail —
// Hugo Health browsed events a moment ago, an idle holder has not in 30
// days — keeps one with a reason and revokes Hugo's with a reason, and Hugo's
// very next request is refused; Ada ends the review early and the grant
// nobody reviewed is revoked (no silent pass); the report is exported as CSV
// and JSON, each export audited with its SHA-256. The pages are looked at at
// 1440 and 390 px wide.
//
// Two holders are made for this spec (people without a demo sign-in); Hugo's
// grant and the sessions the revocation ended are put back at the end, as
// other specs reuse his stored sign-in.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { sql } from "../db";
import { PERSONAS, declarePurpose, expect, signIn, storageStateFor, test } from "../fixtures";

const { viewerHealth: hugo, approver } = PERSONAS;
const KEEP = { email: "review.keep@github.example", name: "Kim Keeper" };
const IDLE = { email: "review.idle@github.example", name: "Ian Idle" };

async function holderWithGrant(person: { email: string; name: string }): Promise<void> {
  await sql(
    `INSERT INTO person (id, name, email, employer, employment_type) VALUES (gen_random_uuid(), $1, $2, 'github', 'employee')
     ON CONFLICT (email) DO UPDATE SET status = 'active', disabled_at = NULL, disabled_reason = NULL`,
    [person.name, person.email],
  );
  await sql(
    `UPDATE "grant" SET revoked_at = now(), revoke_reason = 'reset by an end-to-end test'
      WHERE person_id = (SELECT id FROM person WHERE email = $1) AND revoked_at IS NULL`,
    [person.email],
  );
  await sql(
    `INSERT INTO "grant" (id, person_id, group_key, role, justification, granted_at, expires_at)
     SELECT gen_random_uuid(), id, 'platform_health', 'viewer', 'On-call rotation for the access review test', now() - interval '40 days', now() + interval '50 days'
       FROM person WHERE email = $1`,
    [person.email],
  );
}

/** Every portal session of the person with this e-mail, in full, to put back after the revocation ends them. */
async function sessionsOf(email: string): Promise<Array<Record<string, unknown>>> {
  return sql(
    `SELECT s.* FROM auth_session s JOIN auth_user u ON u.id = s.user_id
      WHERE u.person_id = (SELECT id FROM person WHERE email = $1) OR lower(u.email) = lower($1)`,
    [email],
  );
}

async function signedIn(browser: Browser, email: string, userAgent: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, userAgent });
  const page = await context.newPage();
  await signIn(page, email);
  return { context, page };
}

async function look(page: Page, name: string): Promise<void> {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: test.info().outputPath(`${name}-${width}.png`), fullPage: true });
    // nothing wider than the window: the tables become one card per row on a phone
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${width}px`).toBeLessThanOrEqual(1);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test.use({ storageState: storageStateFor("admin") });
test.setTimeout(240_000);

test("admin starts a review → reviewer sees usage, keeps one, revokes one (holder refused at once) → early close revokes the unreviewed → report", async ({ page, browser, auditTag }) => {
  await sql(`UPDATE access_review_campaign SET status = 'closed', closed_at = now() WHERE group_key = 'platform_health' AND status = 'open'`);
  await sql(`UPDATE access_group SET review_cadence_days = NULL, review_consequence = NULL WHERE key = 'platform_health'`);
  await holderWithGrant(KEEP);
  await holderWithGrant(IDLE);
  const [hugoGrant] = await sql<{ id: string }>(
    `SELECT g.id::text AS id FROM "grant" g JOIN person p ON p.id = g.person_id
      WHERE p.email = $1 AND g.group_key = 'platform_health' AND g.revoked_at IS NULL AND g.expires_at > now()`,
    [hugo.email],
  );
  expect(hugoGrant).toBeTruthy();
  const hugoSessions = await sessionsOf(hugo.email);

  const holder = await signedIn(browser, hugo.email, `${auditTag}/holder`);
  const reviewer = await signedIn(browser, approver.email, `${auditTag}/reviewer`);
  try {
    // Hugo uses his access: the review will show it
    await declarePurpose(holder.page.request);
    await holder.page.goto("/events");
    await expect(holder.page.getByRole("heading", { name: "Events", exact: true })).toBeVisible();

    // Ada starts a review of the platform health team now
    await page.goto("/access/reviews");
    await expect(page.getByRole("heading", { name: "Access reviews", level: 1 })).toBeVisible();
    await look(page, "reviews-list");
    const start = page.getByRole("form", { name: "Start an access review now" });
    await start.getByRole("button", { name: "Start review" }).click();
    await expect(start.getByRole("alert")).toBeVisible();
    await expect(start.locator("#start-review-reason-error")).toHaveText(/^Write at least/);
    await start.getByLabel("Group").selectOption("platform_health");
    await start.getByLabel("Reason").fill("Rotation changed: review the on-call access now");
    await start.getByRole("button", { name: "Start review" }).click();
    await expect(page).toHaveURL(/\/access\/reviews\/[0-9a-f-]{36}\?done=started$/);
    const campaignId = /\/access\/reviews\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await expect(page.getByRole("status").filter({ hasText: "Review started" })).toBeVisible();

    // Paz reviews: usage from the audit trail, the unused badge, progress
    await reviewer.page.goto(`/access/reviews/${campaignId}`);
    await expect(reviewer.page.getByRole("heading", { name: "Access review: GitHub platform health team" })).toBeVisible();
    await expect(reviewer.page.getByText("0 of 3 reviewed")).toBeVisible();
    const hugoRow = reviewer.page.locator(`tr[data-holder="${hugo.email}"]`);
    const idleRow = reviewer.page.locator(`tr[data-holder="${IDLE.email}"]`);
    const keepRow = reviewer.page.locator(`tr[data-holder="${KEEP.email}"]`);
    await expect(hugoRow.locator('td[data-label="Reads"]')).not.toHaveText("0");
    await expect(hugoRow.getByText("Unused for 30 days")).toHaveCount(0);
    await expect(idleRow.getByText("Unused for 30 days")).toBeVisible();
    await expect(idleRow.locator('td[data-label="Last access"]')).toContainText("none");
    await look(reviewer.page, "review-campaign-open");

    // keep one, with a reason (a missing choice is named)
    const keepForm = keepRow.getByRole("form", { name: `Review the grant of ${KEEP.name}` });
    await keepForm.getByLabel("Reason").fill("Still on the on-call rotation this quarter");
    await keepForm.getByRole("button", { name: "Record decision" }).click();
    await expect(keepRow.locator(".field-error")).toHaveText("Choose keep or revoke.");
    await keepForm.getByRole("radio", { name: "Keep" }).check();
    await keepForm.getByLabel("Reason").fill("Still on the on-call rotation this quarter");
    await keepForm.getByRole("button", { name: "Record decision" }).click();
    await expect(reviewer.page).toHaveURL(`/access/reviews/${campaignId}?done=kept`);
    await expect(keepRow.getByText("Kept", { exact: true })).toBeVisible();

    // revoke Hugo's, with a reason
    const hugoForm = hugoRow.getByRole("form", { name: `Review the grant of ${hugo.name}` });
    await hugoForm.getByRole("radio", { name: "Revoke" }).check();
    await hugoForm.getByLabel("Reason").fill("Left the on-call rotation in November");
    await hugoForm.getByRole("button", { name: "Record decision" }).click();
    await expect(reviewer.page).toHaveURL(`/access/reviews/${campaignId}?done=revoked`);
    await expect(hugoRow.locator('td[data-label="Decision"]').getByText("Revoked", { exact: true })).toBeVisible();
    await expect(hugoRow.locator('td[data-label="Grant"]')).toContainText("Revoked");
    await expect(reviewer.page.getByText("2 of 3 reviewed")).toBeVisible();
    const [decided] = await sql<{ after: { decision: string; sessionsEnded: number } }>(
      `SELECT after FROM audit_event WHERE action = 'access.review_decide' AND outcome = 'allowed' AND actor_user_agent = $1 ORDER BY id DESC LIMIT 1`,
      [`${auditTag}/reviewer`],
    );
    expect(decided?.after).toMatchObject({ decision: "revoke" });
    expect(decided!.after.sessionsEnded).toBeGreaterThan(0);

    // Hugo's very next request is refused
    expect((await holder.page.request.get("/api/v1/me")).status()).toBe(401);
    await holder.page.goto("/events");
    await expect(holder.page).toHaveURL(/\/signin/);

    // Ada ends the review now: the grant nobody reviewed is revoked
    await page.goto(`/access/reviews/${campaignId}`);
    await expect(page.getByText("1 grant is not reviewed yet: ending now revokes it at once.")).toBeVisible();
    const close = page.getByRole("form", { name: "End this review now" });
    await close.getByLabel("Reason for ending it early").fill("The rotation review is done; end it now");
    await close.getByRole("button", { name: "End review now" }).click();
    await expect(page).toHaveURL(`/access/reviews/${campaignId}?done=closed`);
    await expect(page.locator(`tr[data-holder="${IDLE.email}"]`).getByText("Not reviewed: revoked")).toBeVisible();
    const [idleGrant] = await sql<{ revoked_at: Date | null; revoke_reason: string }>(
      `SELECT g.revoked_at, g.revoke_reason FROM "grant" g JOIN person p ON p.id = g.person_id WHERE p.email = $1 ORDER BY g.granted_at DESC LIMIT 1`,
      [IDLE.email],
    );
    expect(idleGrant?.revoked_at).not.toBeNull();
    expect(idleGrant?.revoke_reason).toContain("Not reviewed in the access review");
    await look(page, "review-campaign-closed");

    // the report, as CSV and JSON: each export audited with the SHA-256 of the file served
    for (const format of ["csv", "json"] as const) {
      const response = await page.request.get(`/api/v1/access/reviews/${campaignId}/report?format=${format}`);
      expect(response.status()).toBe(200);
      const sha256 = response.headers()["x-export-sha256"];
      const body = await response.text();
      expect(body).toContain(IDLE.email);
      expect(body).toContain(format === "csv" ? "revoked_unreviewed" : '"outcome": "revoked_unreviewed"');
      const [row] = await sql<{ file_sha256: string; row_count: number }>(
        `SELECT file_sha256, row_count FROM audit_event WHERE action = 'access.review_export' AND target_id = $1 AND file_sha256 = $2`,
        [campaignId, sha256],
      );
      expect(row).toMatchObject({ row_count: 3 });
    }
  } finally {
    await holder.context.close();
    await reviewer.context.close();
    // put Hugo back as the seed left him, for the specs that reuse his stored sign-in
    await sql(`UPDATE "grant" SET revoked_at = NULL, revoked_by_id = NULL, revoke_reason = NULL WHERE id = $1::uuid`, [hugoGrant!.id]);
    await sql(`INSERT INTO auth_session SELECT * FROM json_populate_recordset(NULL::auth_session, $1::json) ON CONFLICT DO NOTHING`, [JSON.stringify(hugoSessions)]);
  }
});
