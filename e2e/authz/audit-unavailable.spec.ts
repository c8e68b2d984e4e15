// Fail closed, with honest status codes: while the audit trail cannot be
// written, pages answer 503 with Retry-After (not 200 with an error state),
// the API answers 503 JSON, no page claims the attempt "was recorded", and a
// sign-in says the audit trail is the reason it failed.
import { sql } from "../db";
import { expect, signIn, storageStateFor, test } from "../fixtures";

async function refuseAuditInserts(): Promise<() => Promise<void>> {
  await sql(`CREATE OR REPLACE FUNCTION tp_e2e_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit trail unavailable (end-to-end test)'; END $$`);
  await sql(`CREATE TRIGGER tp_e2e_refuse_audit BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION tp_e2e_refuse_audit()`);
  return async () => {
    await sql("DROP TRIGGER IF EXISTS tp_e2e_refuse_audit ON audit_event");
    await sql("DROP FUNCTION IF EXISTS tp_e2e_refuse_audit()");
  };
}

test.describe("while the audit trail cannot be written", () => {
  test.describe.configure({ mode: "serial" });

  test.describe("a signed-in viewer", () => {
    test.use({ storageState: storageStateFor("viewerCopilot") });

    test("gets 503 pages and 503 JSON, and no data", async ({ page }) => {
      await page.goto("/");
      const restore = await refuseAuditInserts();
      try {
        for (const path of ["/events", "/events/insights"]) {
          const response = await page.goto(path);
          expect(response?.status(), path).toBe(503);
          expect(response?.headers()["retry-after"], path).toBe("5");
          await expect(page.getByText("The audit trail cannot be written right now, so nothing is served.")).toBeVisible();
          await expect(page.getByText(/was recorded/)).toHaveCount(0);
          await expect(page.getByRole("table")).toHaveCount(0);
        }
        const api = await page.request.get("/api/v1/events?limit=5");
        expect(api.status()).toBe(503);
        expect(((await api.json()) as { error: { code: string } }).error.code).toBe("audit_unavailable");
      } finally {
        await restore();
      }
      expect((await page.goto("/events"))?.status()).toBe(200);
    });
  });

  test("a sign-in fails with the audit trail named as the reason", async ({ page }) => {
    const restore = await refuseAuditInserts();
    try {
      await signIn(page, "viewer@openai.example");
      await expect(page).toHaveURL(/\/signin\?error=AuditUnavailable/);
      await expect(page.getByText("Sign-in is paused: the audit trail cannot record it right now, so no session was started. Try again shortly.")).toBeVisible();
    } finally {
      await restore();
    }
  });
});
