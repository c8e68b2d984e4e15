// Issue 13 item 7: the purpose narrows what a session sees. The Copilot team
// viewer (whose group grants every field class) declares "evaluate the
// product": the header says what that allows, the explorer has no identifier
// or location columns and an event offers no Reveal. Switching the purpose to
// "investigate abuse" from the header brings them back on the next request.
import type { Page } from "@playwright/test";
import { PERSONAS, expect, storageStateFor, test } from "../fixtures";
import { sql } from "../db";
import { readEventsTable } from "../explorer/support";

const { email } = PERSONAS.viewerCopilot;
const EVALUATE = "Directly evaluate the product";
const ABUSE = "Investigate and detect potential abuse";

test.use({ storageState: storageStateFor("viewerCopilot") });

async function choosePurpose(page: Page, label: string): Promise<void> {
  await page.getByRole("link", { name: /^Purpose:/ }).click();
  await expect(page.getByRole("heading", { name: "Purpose of access" })).toBeVisible();
  await page.getByRole("radio", { name: label }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL((url) => url.pathname === "/events");
}

test("a viewer's purpose decides the columns, the event's fields and Reveal, and the header says so", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/purpose");
  // the form says what each purpose would show this person
  await expect(page.getByRole("radio", { name: EVALUATE })).toHaveAccessibleDescription("Shows you: environment, measurements");
  await expect(page.getByRole("radio", { name: "Improve the underlying code generation models" })).toHaveAccessibleDescription(
    "Shows you: environment, measurements, content",
  );
  await page.screenshot({ path: testInfo.outputPath("purpose-form-1440.png"), fullPage: true });
  await page.goto("/events?kind=completion_shown");
  if (new URL(page.url()).pathname === "/purpose") {
    await page.getByRole("radio", { name: EVALUATE }).check();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL((url) => url.pathname === "/events");
  } else {
    await choosePurpose(page, EVALUATE);
  }
  await page.goto("/events?kind=completion_shown");
  const pill = page.getByRole("link", { name: /^Purpose:/ });
  await expect(pill).toHaveText(`Purpose: ${EVALUATE} — sees environment, measurements`);

  const evaluating = await readEventsTable(page);
  expect(evaluating.rows.length).toBeGreaterThan(0);
  expect(evaluating.headers).not.toContain("Machine ID");
  expect(evaluating.headers).not.toContain("Country");
  expect(evaluating.headers).toContain("OS");
  await page.screenshot({ path: testInfo.outputPath("purpose-evaluate-1440.png"), fullPage: false });

  // an event that carries content (events other specs send may have none, and then no Reveal)
  const [withContent] = await sql<{ id: string }>(
    "SELECT id::text AS id FROM telemetry_event WHERE id::text = ANY($1::text[]) AND content_ciphertext IS NOT NULL ORDER BY time DESC LIMIT 1",
    [evaluating.rows.map((row) => row.id)],
  );
  expect(withContent, "a listed event with content").toBeDefined();
  const eventId = withContent!.id;
  await page.goto(`/events/${eventId}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Completion shown");
  await expect(page.getByRole("button", { name: "Reveal content" })).toHaveCount(0);
  await expect(page.getByText(/Not in your access for Completion shown events: identifiers, location, content\./)).toBeVisible();
  // the API says the same: a reveal is refused, naming the purpose
  const refused = await page.request.post(`/api/v1/events/${eventId}/reveal`);
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.message).toContain(`Your declared purpose (${EVALUATE}) does not include content`);

  // switch from the header: the next request sees the groups' full scope
  await choosePurpose(page, ABUSE);
  await expect(pill).toHaveText(`Purpose: ${ABUSE} — sees identifiers, environment, location, measurements, content`);
  await page.goto("/events?kind=completion_shown");
  const investigating = await readEventsTable(page);
  expect(investigating.headers).toEqual(expect.arrayContaining(["Machine ID", "Country", "OS"]));
  await page.goto(`/events/${eventId}`);
  await expect(page.getByRole("button", { name: "Reveal content" })).toBeVisible();

  // legible on a phone
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/events?kind=completion_shown");
  await expect(pill).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("purpose-abuse-390.png"), fullPage: false });
  expect(email).toContain("copilot");
});

test.describe("admin", () => {
  test.use({ storageState: storageStateFor("admin") });

  test("an admin sees each purpose's field classes with the reason, and a change needs a justification", async ({ page }, testInfo) => {
    await page.goto("/admin/purposes");
    await expect(page.getByRole("heading", { name: "Purposes", level: 1 })).toBeVisible();
    const section = page.getByRole("region", { name: "Guide closely related GitHub products" });
    await expect(section.getByText("Sees environment, measurements")).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("admin-purposes-1280.png"), fullPage: false });
    // without a justification: refused, nothing changed
    await section.getByRole("checkbox", { name: /^Location/ }).check();
    await section.getByRole("button", { name: "Save purpose" }).click();
    await expect(section.getByText("Write at least 10 characters: who needs this and why.")).toBeVisible();
    await section.getByLabel("Justification for this change").fill("Regional adoption guides the related products");
    await section.getByRole("button", { name: "Save purpose" }).click();
    await expect(section.getByText(/Saved\. Sessions with this purpose see environment, location, measurements/)).toBeVisible();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: testInfo.outputPath("admin-purposes-390.png"), fullPage: false });
  });
});
