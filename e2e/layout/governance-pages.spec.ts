// The access-governance pages at a desktop (1440 px) and a phone (390 px)
// width: My access, asking for access, a request as its approver sees it, the
// request search, the person page with its grant form and the groups page with
// the approvers form. Nothing overflows sideways, and a screenshot of each is
// kept for review (test-results/<test>/<page>-<width>.png, and in the HTML report).
import type { Page, TestInfo } from "@playwright/test";
import { sql } from "../db";
import { PERSONAS, expect, signIn, storageStateFor, test } from "../fixtures";

const WIDTHS = [1440, 390] as const;

async function expectFits(page: Page, name: string, width: number, testInfo: TestInfo): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const file = testInfo.outputPath(`${name}-${width}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(`${name}-${width}`, { path: file, contentType: "image/png" });
  expect(overflow, `${name} at ${width} px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
}

async function cancelOpenRequestsOf(email: string): Promise<void> {
  await sql(
    `UPDATE access_request SET status = 'cancelled', decided_at = now(), decision_reason = 'reset by an end-to-end test'
      WHERE requester_id = (SELECT id FROM person WHERE email = $1) AND status = 'pending'`,
    [email],
  );
}

for (const width of WIDTHS) {
  test.describe(`${width} px wide`, () => {
    test.use({ viewport: { width, height: 900 } });

    test("the request area and the approver's pages", async ({ page, browser }, testInfo) => {
      test.setTimeout(120_000);
      const { newcomer } = PERSONAS;
      await cancelOpenRequestsOf(newcomer.email);
      try {
        await signIn(page, newcomer.email);
        await expect(page.getByRole("heading", { name: "My access", level: 1 })).toBeVisible();
        await expectFits(page, "my-access", width, testInfo);

        await page.goto("/access/request");
        const form = page.getByRole("form", { name: "Ask for access" });
        // a refusal with its field errors, then a request
        await form.getByRole("button", { name: "Ask for access" }).click();
        await expect(form.getByRole("alert")).toBeVisible();
        await expectFits(page, "ask-for-access-error", width, testInfo);
        await form.getByLabel("Group").selectOption({ label: "GitHub Copilot team (needs 2 approvers)" });
        await form.getByLabel("Justification").fill("Layout check: a request to look at");
        await form.getByRole("button", { name: "Ask for access" }).click();
        await expect(page).toHaveURL(/\/access\/requests\/[0-9a-f-]{36}\?done=requested$/);
        const requestUrl = new URL(page.url()).pathname;
        await expectFits(page, "request-as-requester", width, testInfo);

        const admin = await browser.newContext({ storageState: storageStateFor("admin"), viewport: { width, height: 900 } });
        try {
          const adminPage = await admin.newPage();
          await adminPage.goto(requestUrl);
          await expect(adminPage.getByRole("region", { name: "Decide" })).toBeVisible();
          await expectFits(adminPage, "request-as-approver", width, testInfo);

          await adminPage.goto("/access/requests");
          await expect(adminPage.getByRole("region", { name: /^Waiting for you/ })).toBeVisible();
          await expectFits(adminPage, "requests", width, testInfo);

          await adminPage.goto(`/admin/people?q=${encodeURIComponent(newcomer.email)}`);
          await adminPage.getByRole("link", { name: newcomer.name }).click();
          await expect(adminPage.getByRole("form", { name: "Grant access" })).toBeVisible();
          await expectFits(adminPage, "person-grant-form", width, testInfo);

          await adminPage.goto("/admin/groups");
          await adminPage.getByText(/^Access requests: /).first().click();
          await expect(adminPage.getByRole("form", { name: "Approvers of GitHub Copilot team" })).toBeVisible();
          await expectFits(adminPage, "groups-approvers", width, testInfo);
        } finally {
          await admin.close();
        }
      } finally {
        await cancelOpenRequestsOf(newcomer.email);
      }
    });
  });
}
