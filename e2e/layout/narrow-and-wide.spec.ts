// The sign-in path and the access pages at a desktop (1280 px) and a phone
// (390 px) width: nothing overflows sideways, and a screenshot of each is
// kept for review (test-results/<test>/<page>-<width>.png, and in the HTML report).
import type { Page, TestInfo } from "@playwright/test";
import { IDP_BANNER, expect, storageStateFor, test } from "../fixtures";

const WIDTHS = [1280, 390] as const;

async function expectFits(page: Page, name: string, width: number, testInfo: TestInfo): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const file = testInfo.outputPath(`${name}-${width}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(`${name}-${width}`, { path: file, contentType: "image/png" });
  expect(overflow, `${name} at ${width} px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
}

for (const width of WIDTHS) {
  test.describe(`${width} px wide`, () => {
    test.use({ viewport: { width, height: 900 } });

    test("sign-in, identity provider login and no-access pages", async ({ page }, testInfo) => {
      await page.goto("/signin");
      await expect(page.getByRole("heading", { name: "Telemetry Portal" })).toBeVisible();
      await expectFits(page, "signin", width, testInfo);

      await page.getByRole("button", { name: "Sign in with Demo identity provider" }).click();
      await expect(page.getByRole("complementary", { name: "Demo notice" })).toContainText(IDP_BANNER);
      await expect(page.getByLabel("Email")).toBeVisible();
      await expectFits(page, "idp-login", width, testInfo);

      await page.goto("/no-access?reason=not-listed");
      await expect(page.getByRole("heading", { name: "Whom to ask" })).toBeVisible();
      await expectFits(page, "no-access", width, testInfo);
    });

    test.describe("as a viewer", () => {
      test.use({ storageState: storageStateFor("viewerHealth") });
      test("purpose form with a field error, and the home page", async ({ page }, testInfo) => {
        await page.goto("/purpose");
        await page.getByRole("radio", { name: "Other purpose related to improving Copilot" }).check();
        await page.getByLabel(/^Details/).fill("");
        await page.getByRole("button", { name: "Continue" }).click();
        await expect(page.getByText("Describe the purpose in a sentence (at least 10 characters).")).toBeVisible();
        await expectFits(page, "purpose-error", width, testInfo);

        await page.goto("/");
        await expect(page.getByRole("region", { name: "Browse telemetry" })).toBeVisible();
        await expectFits(page, "home-viewer", width, testInfo);
      });
    });

    test.describe("as the admin", () => {
      test.use({ storageState: storageStateFor("admin") });
      test("home page", async ({ page }, testInfo) => {
        await page.goto("/");
        await expect(page.getByRole("region", { name: "Access list" })).toBeVisible();
        await expectFits(page, "home-admin", width, testInfo);
      });
    });
  });
}
