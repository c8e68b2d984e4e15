// Issue 14 items 5 and 6 in the browser. A GitHub viewer who also works with
// the Microsoft – Copilot group saves a view from the explorer's filter area
// and shares it with that group; the Microsoft viewer (no identifiers, no
// error events) opens it from /events/views and sees each part their access
// leaves out named — never a silent 0 — while platform health, outside the
// group, hears "no such view". The event page tells the completion's story
// (a timeline with links and gaps) and shows revealed code highlighted, its
// markup as text. Screenshots at 1440 and 390 px.
import { randomBytes } from "node:crypto";
import { sql } from "../db";
import { PERSONAS, declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { auditDetailsFor, plantCompletionShown, screenshot } from "./support";

const GRANT_REASON = `e2e saved views ${randomBytes(4).toString("hex")}`;

// This file changes state the personas' other specs share: viewer.copilot gets a grant for the
// Microsoft – Copilot group, and the three personas' stored sessions get a declared purpose. Both are put
// back as they were when the file ends, so the specs after it see the scopes the seed gives.
const SHARED_SESSIONS = [PERSONAS.viewerCopilot.email, PERSONAS.viewerMicrosoft.email, PERSONAS.viewerHealth.email];
type SessionPurpose = { session_token: string; purpose: string | null; purpose_detail: string | null; purpose_set_at: Date | null };
let sessionsBefore: SessionPurpose[] = [];

test.beforeAll(async () => {
  sessionsBefore = await sql<SessionPurpose>(
    `SELECT s.session_token, s.purpose::text AS purpose, s.purpose_detail, s.purpose_set_at
       FROM auth_session s JOIN auth_user u ON u.id = s.user_id WHERE u.email = ANY($1::text[])`,
    [SHARED_SESSIONS],
  );
});

test.afterAll(async () => {
  for (const session of sessionsBefore) {
    await sql(`UPDATE auth_session SET purpose = $2::purpose, purpose_detail = $3, purpose_set_at = $4 WHERE session_token = $1`, [
      session.session_token,
      session.purpose,
      session.purpose_detail,
      session.purpose_set_at,
    ]);
  }
});

/** Removes the grant this file added: gone when nothing refers to it, else revoked (an access review may have listed it). */
async function removeAddedGrant(): Promise<void> {
  await sql(`DELETE FROM grant_reminder WHERE grant_id IN (SELECT id FROM "grant" WHERE justification = $1)`, [GRANT_REASON]);
  await sql(
    `DELETE FROM "grant" g WHERE g.justification = $1
        AND NOT EXISTS (SELECT FROM access_review_item i WHERE i.grant_id = g.id)
        AND NOT EXISTS (SELECT FROM access_request r WHERE r.grant_id = g.id)`,
    [GRANT_REASON],
  );
  await sql(`UPDATE "grant" SET revoked_at = now(), revoke_reason = 'ended by the saved-views end-to-end test' WHERE justification = $1 AND revoked_at IS NULL`, [
    GRANT_REASON,
  ]);
  const left = await sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM "grant" g JOIN person p ON p.id = g.person_id
      WHERE p.email = $1 AND g.group_key = 'microsoft_copilot' AND g.revoked_at IS NULL AND g.expires_at > now()`,
    [PERSONAS.viewerCopilot.email],
  );
  expect(left[0]?.n, "viewer.copilot still holds a Microsoft – Copilot grant after the saved-views spec").toBe(0);
}

test.describe.serial("saved and shared views", () => {
  let viewName = "";

  test.beforeAll(async () => {
    // The Copilot team viewer also works with Microsoft – Copilot (their own scope is unchanged: the Copilot team's is wider).
    // It expires in 60 days: beyond GRANT_REMINDER_DAYS, so no reminder job mails about it or refers to it.
    await sql(
      `INSERT INTO "grant" (id, person_id, group_key, role, justification, expires_at)
       SELECT gen_random_uuid(), id, 'microsoft_copilot', 'viewer', $2, now() + interval '60 days' FROM person WHERE email = $1`,
      [PERSONAS.viewerCopilot.email, GRANT_REASON],
    );
  });

  test.afterAll(async () => {
    await sql(`DELETE FROM saved_view WHERE name = $1`, [viewName]);
    await removeAddedGrant();
  });

  test.describe("the GitHub viewer", () => {
    test.use({ storageState: storageStateFor("viewerCopilot") });

    test("saves the current filters, columns and time range as a view shared with a group, audited", async ({ page, auditTag }, testInfo) => {
      await declarePurpose(page.request, "investigate_abuse");
      const [sample] = await sql<{ city: string }>("SELECT city FROM telemetry_event WHERE kind = 'completion_shown' AND city IS NOT NULL GROUP BY city ORDER BY count(*) DESC LIMIT 1");
      viewName = `Shown in ${sample!.city} ${randomBytes(3).toString("hex")}`;
      const query = `kind=error,completion_shown&city=${encodeURIComponent(sample!.city)}&notMachineId=0000&columns=time,kind,machineId,city`;
      await page.goto(`/events?${query}`);

      await page.locator("summary", { hasText: "Save view" }).click();
      const form = page.getByRole("form", { name: "Save view" });
      await form.getByLabel("Name").fill(viewName);
      // sharing is offered only with the person's own groups
      await form.getByRole("radio", { name: /Shared with a group/ }).check();
      await expect(form.getByLabel("Group", { exact: true }).getByRole("option")).toHaveCount(2);
      expect((await form.getByLabel("Group", { exact: true }).getByRole("option").allTextContents()).sort()).toEqual(["GitHub Copilot team", "Microsoft – Copilot"]);
      await form.getByLabel("Group", { exact: true }).selectOption({ label: "Microsoft – Copilot" });
      await screenshot(page, "save-view-form", testInfo);
      await form.getByRole("button", { name: "Save view" }).click();
      await expect(form.getByRole("status")).toContainText(`Saved “${viewName}”`);

      const [stored] = await sql<{ id: string; visibility: string; group_key: string; query: Record<string, string> }>(
        "SELECT id::text AS id, visibility::text AS visibility, group_key::text AS group_key, query FROM saved_view WHERE name = $1",
        [viewName],
      );
      expect(stored).toMatchObject({ visibility: "group", group_key: "microsoft_copilot", query: { kind: ["error", "completion_shown"], city: sample!.city, notMachineId: "0000" } });
      const saves = (await auditDetailsFor(auditTag)).filter((row) => row.action === "views.save");
      expect(saves).toEqual([expect.objectContaining({ outcome: "allowed", actor_email: PERSONAS.viewerCopilot.email, target_id: stored!.id })]);
    });
  });

  test.describe("the Microsoft viewer, in the group but with a narrower scope", () => {
    test.use({ storageState: storageStateFor("viewerMicrosoft") });

    test("opens it from Saved views and sees what their access leaves out, named", async ({ page, auditTag }, testInfo) => {
      await declarePurpose(page.request, "investigate_abuse");
      await page.goto("/events/views");
      const list = page.getByRole("list", { name: "Saved views" });
      const item = list.getByRole("listitem").filter({ hasText: viewName });
      await expect(item).toContainText(`Shared with Microsoft – Copilot · by ${PERSONAS.viewerCopilot.name}`);
      // not theirs: no rename or delete
      await expect(item.getByRole("button", { name: /Delete/ })).toHaveCount(0);
      await screenshot(page, "views-list", testInfo);

      await item.getByRole("link", { name: `Open ${viewName}` }).click();
      await page.waitForURL(/\/events\?view=/);
      const note = page.getByRole("note", { name: "Saved view" });
      await expect(note).toContainText(viewName);
      await expect(note.getByRole("listitem")).toHaveText([
        "This view includes Error events, which your access does not include; they were not searched.",
        "This view filters by Machine ID (excluding a value), which your access does not include; that filter was not applied.",
        "This view shows the Machine ID column, which your access does not include; it is not shown.",
      ]);
      // what is left of the view runs: Completion shown events in that city, with a count
      await expect(page.getByRole("heading", { level: 2, name: /^[\d,]+ events?$/ })).toBeVisible();
      await expect(page.getByRole("heading", { level: 2, name: /^0 events$/ })).toHaveCount(0);
      await screenshot(page, "view-opened-by-narrower-persona", testInfo);

      const rows = await auditDetailsFor(auditTag);
      const open = rows.find((row) => row.action === "views.open");
      expect(open).toMatchObject({ outcome: "allowed", actor_email: PERSONAS.viewerMicrosoft.email, filters: expect.objectContaining({ leftOut: ["kind", "notMachineId", "columns"] }) });
      expect(rows.filter((row) => row.action === "events.list")).toEqual([expect.objectContaining({ outcome: "allowed" })]);
    });
  });

  test.describe("platform health, outside the group", () => {
    test.use({ storageState: storageStateFor("viewerHealth") });

    test("neither lists nor opens it, and has an empty Saved views page", async ({ page }, testInfo) => {
      await declarePurpose(page.request, "investigate_abuse");
      const [stored] = await sql<{ id: string }>("SELECT id::text AS id FROM saved_view WHERE name = $1", [viewName]);
      await page.goto("/events/views");
      await expect(page.getByRole("note", { name: "No saved views" })).toContainText("No saved views yet");
      await screenshot(page, "views-empty", testInfo);
      // the same 404 as a view that does not exist
      const response = await page.goto(`/events?view=${stored!.id}`);
      expect(response?.status()).toBe(404);
      await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
    });
  });

  test.describe("the GitHub viewer again", () => {
    test.use({ storageState: storageStateFor("viewerCopilot") });

    test("renames and deletes their view with the keyboard", async ({ page }) => {
      await declarePurpose(page.request, "investigate_abuse");
      await page.goto("/events/views");
      const item = page.getByRole("listitem").filter({ hasText: viewName });
      await item.locator("summary", { hasText: "Rename" }).focus();
      await page.keyboard.press("Enter");
      const renamed = `${viewName} (renamed)`;
      await item.getByLabel("New name").fill(renamed);
      await item.getByLabel("New name").press("Enter");
      await expect(page.getByRole("link", { name: renamed, exact: true })).toBeVisible();
      viewName = renamed;
      const renamedItem = page.getByRole("listitem").filter({ hasText: renamed });
      await renamedItem.getByRole("button", { name: `Delete ${renamed}` }).focus();
      await page.keyboard.press("Enter");
      await expect(page.getByRole("status")).toHaveText("The view was deleted.");
      await expect(page.getByRole("link", { name: renamed, exact: true })).toHaveCount(0);
    });
  });
});

test.describe("the event page as a story", () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("shows the completion's timeline, in order, with links and the time between steps, audited", async ({ page, auditTag }, testInfo) => {
    await declarePurpose(page.request, "investigate_abuse");
    const [completion] = await sql<{ completion_id: string }>(
      "SELECT completion_id FROM telemetry_event WHERE completion_id IS NOT NULL GROUP BY completion_id HAVING count(*) >= 3 AND count(DISTINCT kind) >= 3 ORDER BY completion_id LIMIT 1",
    );
    const steps = await sql<{ id: string; kind: string }>(
      "SELECT id::text AS id, kind::text AS kind FROM telemetry_event WHERE completion_id = $1 ORDER BY time, id",
      [completion!.completion_id],
    );
    await page.goto(`/events/${steps[1]!.id}`);
    const timeline = page.getByRole("list", { name: "Timeline" });
    await expect(timeline.getByRole("listitem")).toHaveCount(steps.length);
    await expect(timeline.locator("[aria-current=step]")).toContainText("(this event)");
    await expect(timeline.getByRole("listitem").first()).toContainText("start");
    await expect(timeline.getByRole("listitem").nth(2)).toContainText(/\+[\d.]+ (ms|s|min)/);
    await timeline.getByRole("link").first().click();
    await page.waitForURL(`**/events/${steps[0]!.id}`);
    const rows = (await auditDetailsFor(auditTag)).filter((row) => row.action === "events.timeline");
    expect(rows[0]).toMatchObject({ outcome: "allowed", target_id: steps[1]!.id, row_count: steps.length });
    expect([...rows[0]!.event_ids].sort()).toEqual(steps.map((step) => step.id).sort());
    await page.goto(`/events/${steps[1]!.id}`);
    await screenshot(page, "event-timeline", testInfo);
  });

  test("highlights revealed code for its language, keeping the producer's markup as text", async ({ page }, testInfo) => {
    await declarePurpose(page.request, "investigate_abuse");
    const planted = await plantCompletionShown(page.request);
    await page.goto(`/events/${planted.id}`);
    await page.getByRole("button", { name: "Reveal content" }).click();
    const suggestion = page.getByRole("figure").filter({ hasText: "Suggestion" }).locator("code");
    await expect(suggestion).toHaveAttribute("data-language", "tsx");
    await expect(suggestion).toContainText('<script>window.__tpInjected = true</script>');
    // tokens are spans of text; the producer's elements never exist
    expect(await suggestion.locator("span").count()).toBeGreaterThan(5);
    await expect(page.locator("#tp-injected")).toHaveCount(0);
    await expect(page.locator(".revealed script, .revealed img")).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __tpInjected?: boolean }).__tpInjected)).toBeUndefined();
    const prefix = page.getByRole("figure").filter({ hasText: "Code before the cursor" }).locator("code");
    await expect(prefix.locator("span", { hasText: /^export$/ })).toHaveCount(1);
    const keywordColour = await prefix.locator("span", { hasText: /^export$/ }).evaluate((node) => getComputedStyle(node).color);
    const plainColour = await prefix.evaluate((node) => getComputedStyle(node).color);
    expect(keywordColour).not.toBe(plainColour);
    await screenshot(page, "highlighted-reveal", testInfo);
  });
});
