// Issue 13 item 5, break-glass, walked by the personas involved: Ada Admin
// names Nora Newcomer (on the list, no grant) on call for the platform health
// group; Nora takes break-glass access with a reason and can browse at once;
// every admin and auditor is alerted immediately — asserted at a real SMTP
// receiver and a real HTTP webhook receiver, delivered by the portal's own
// notify.deliver job; Audrey Auditor finds the marked audit rows (badge and
// filter); Nora ends it, cannot take it again before its post-review, Audrey
// reviews it, and Nora may again.
//
// The portal under test sends to 127.0.0.1:(E2E_PORT + 7) (SMTP) and
// (E2E_PORT + 8) (webhook): playwright.config.ts sets SMTP_URL and
// NOTIFY_WEBHOOK_URL so; this spec listens there.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../../test/mail-receivers";
import { sql } from "../db";
import { PERSONAS, expect, signIn, test } from "../fixtures";

const { newcomer, admin, auditor } = PERSONAS;
const port = Number(process.env.E2E_PORT ?? 3100);

let smtp: SmtpReceiver;
let webhook: HttpReceiver;

test.describe.configure({ mode: "serial" });
// Signs in three personas and waits for the delivery job (every minute).
test.setTimeout(300_000);

test.beforeAll(async () => {
  smtp = await startSmtpReceiver({ port: port + 7 });
  webhook = await startHttpReceiver({ port: port + 8 });
  // A fresh start: Nora's earlier break-glass uses (another run's) are closed and reviewed.
  await sql(
    `UPDATE break_glass_access SET ended_at = COALESCE(ended_at, now()), reviewed_at = now(), review_outcome = 'appropriate', review_notes = 'reset by an end-to-end test',
            reviewed_by_id = (SELECT id FROM person WHERE email = $2)
      WHERE person_id = (SELECT id FROM person WHERE email = $1) AND reviewed_at IS NULL`,
    [newcomer.email, admin.email],
  );
});

test.afterAll(async () => {
  await smtp?.close();
  await webhook?.close();
});

async function signedIn(browser: Browser, email: string, auditTag: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ userAgent: auditTag });
  const page = await context.newPage();
  await signIn(page, email);
  return { context, page };
}

test("break-glass: on-call list, immediate access, alert at the receivers, marked rows, post-review gate", async ({ browser, auditTag }) => {
  const ada = await signedIn(browser, admin.email, auditTag);
  const nora = await signedIn(browser, newcomer.email, auditTag);
  const audrey = await signedIn(browser, auditor.email, auditTag);
  try {
    // Ada names Nora on call for the platform health group
    await ada.page.goto("/admin/break-glass");
    const onCall = ada.page.getByRole("form", { name: "On-call people of GitHub platform health team" });
    await onCall.getByLabel("On-call people").fill(newcomer.email);
    await onCall.getByLabel("Justification").fill("December on-call rota for platform health");
    await onCall.getByRole("button", { name: "Save on-call people" }).click();
    await expect(onCall.getByRole("status").or(onCall.getByText("Saved: 1 on-call person"))).toContainText("Saved: 1 on-call person");

    // Nora: nothing to browse yet; she takes break-glass with a reason
    await nora.page.goto("/access");
    await expect(nora.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" })).toHaveCount(0);
    await nora.page.getByRole("link", { name: "break-glass access" }).click();
    await expect(nora.page).toHaveURL("/access/break-glass");
    const take = nora.page.getByRole("form", { name: "Take break-glass access" });
    // the reason is mandatory: the server names the field
    await take.getByLabel("Group").selectOption("platform_health");
    await take.getByRole("button", { name: "Take break-glass access" }).click();
    await expect(take.getByText("Write at least 10 characters explaining why.")).toBeVisible();
    await take.getByLabel("Group").selectOption("platform_health");
    await take.getByLabel("Reason").fill("Incident INC-7: error rate spike on the completions API");
    await take.getByRole("button", { name: "Take break-glass access" }).click();
    await expect(nora.page).toHaveURL(/\/access\/break-glass\/[0-9a-f-]{36}\?done=taken$/);
    const id = /\/access\/break-glass\/([0-9a-f-]{36})/.exec(nora.page.url())![1]!;
    await expect(nora.page.getByRole("status").filter({ hasText: "Every admin and auditor has been alerted" })).toBeVisible();
    // in force at once
    await nora.page.goto("/access");
    await expect(nora.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" })).toBeVisible();

    // the alert reaches every admin and auditor by e-mail, and the webhook, through the real delivery job
    await expect
      .poll(() => smtp.messages.filter((mail) => /Break-glass: Nora Newcomer/.test(mail.headers.subject ?? "")).flatMap((mail) => mail.to).sort(), { timeout: 150_000, intervals: [2_000] })
      .toEqual(expect.arrayContaining([admin.email, auditor.email]));
    const mail = smtp.messages.find((message) => message.to.includes(auditor.email) && /Break-glass/.test(message.headers.subject ?? ""))!;
    expect(mail.text).toContain(`/access/break-glass/${id}`);
    expect(mail.text).not.toContain("INC-7");
    await expect.poll(() => webhook.requests.some((request) => request.body.includes("break_glass.used") && request.body.includes(id)), { timeout: 150_000, intervals: [2_000] }).toBe(true);

    // Audrey finds the rows made under it, marked, and cannot review it while it is in force
    await audrey.page.goto(`/audit?breakGlass=${id}&routine=show`);
    const rows = audrey.page.getByRole("table", { name: "Audit rows matching the filters" });
    await expect(rows.getByText("Break-glass").first()).toBeVisible();
    await expect(rows.getByText("Took break-glass (emergency) access")).toBeVisible();
    await audrey.page.goto(`/access/break-glass/${id}`);
    await expect(audrey.page.getByText("It is still in force: review it once it has ended.")).toBeVisible();
    await expect(audrey.page.getByRole("form", { name: "Post-review this break-glass access" })).toHaveCount(0);

    // Nora ends it; she cannot take break-glass again before its post-review
    await nora.page.goto(`/access/break-glass/${id}`);
    await nora.page.getByRole("button", { name: "End it now" }).click();
    await expect(nora.page).toHaveURL(new RegExp(`/access/break-glass/${id}\\?done=ended$`));
    await nora.page.goto("/access/break-glass");
    await expect(nora.page.getByRole("status").filter({ hasText: "awaits its post-review" })).toBeVisible();
    await expect(nora.page.getByRole("form", { name: "Take break-glass access" })).toHaveCount(0);

    // Audrey reviews it
    await audrey.page.goto("/access/break-glass");
    await expect(audrey.page.getByRole("region", { name: /Every break-glass use/ })).toContainText("Awaiting post-review");
    await audrey.page.goto(`/access/break-glass/${id}`);
    const review = audrey.page.getByRole("form", { name: "Post-review this break-glass access" });
    await review.getByLabel("Outcome").selectOption("appropriate");
    await review.getByLabel("Review notes").fill("Matches INC-7; the marked rows are error dashboards only.");
    await review.getByRole("button", { name: "Record the review" }).click();
    await expect(audrey.page).toHaveURL(new RegExp(`/access/break-glass/${id}\\?done=reviewed$`));
    await expect(audrey.page.getByText("Reviewed: appropriate")).toBeVisible();

    // …and Nora may use break-glass again
    await nora.page.goto("/access/break-glass");
    await expect(nora.page.getByRole("form", { name: "Take break-glass access" })).toBeVisible();
  } finally {
    await Promise.all([ada.context.close(), nora.context.close(), audrey.context.close()]);
  }
});
