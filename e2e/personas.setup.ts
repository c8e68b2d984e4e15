// One setup per persona: each signs in through the demo identity provider and
// stores its browser state, which the persona's specs reuse
// (test.use({ storageState: storageStateFor(persona) })). Specs that end,
// age or revoke a session sign in on their own instead.
import { test as setup } from "@playwright/test";
import { PERSONAS, SIGNED_IN_PERSONAS, expect, signIn, storageStateFor } from "./fixtures";

for (const persona of SIGNED_IN_PERSONAS) {
  const { email, name } = PERSONAS[persona];
  setup(`sign in as ${email}`, async ({ page }) => {
    await signIn(page, email);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();
    await page.context().storageState({ path: storageStateFor(persona) });
  });
}
