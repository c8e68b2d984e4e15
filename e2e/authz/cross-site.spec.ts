// Cross-site request forgery: a page on another origin of the same site (here
// http://localhost:<other port>, which shares the portal's cookies under
// SameSite=Lax) makes a signed-in viewer's browser post to the portal. The
// portal's HTTP front refuses every state-changing request whose Origin or
// Sec-Fetch-Site is not the portal's own, answers 403 JSON and audits it for
// the person the cookie names; API bodies must be application/json (415).
import { auditRowsFor, sql } from "../db";
import { expect, storageStateFor, test } from "../fixtures";

test.use({ storageState: storageStateFor("viewerCopilot") });

const ATTACKER = "http://localhost:3999";

async function anEventWithContent(): Promise<string> {
  const rows = await sql<{ id: string }>("SELECT id::text AS id FROM telemetry_event WHERE content_ciphertext IS NOT NULL LIMIT 1");
  return rows[0]!.id;
}

test("a same-site page cannot make the viewer's browser reveal content: 403 JSON, audited, nothing revealed", async ({ page, auditTag, baseURL }) => {
  const eventId = await anEventWithContent();
  // The attacker's page: a form that posts text/plain (no CORS preflight) to the reveal endpoint.
  await page.route(`${ATTACKER}/**`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><form id="f" method="POST" enctype="text/plain" action="${baseURL}/api/v1/events/${eventId}/reveal"><input name='{"a":"' value='"}'></form><script>document.getElementById("f").submit()</script>`,
    }),
  );
  const answer = page.waitForResponse((response) => response.url().includes(`/api/v1/events/${eventId}/reveal`));
  await page.goto(`${ATTACKER}/attack`);
  const response = await answer;
  expect(response.status()).toBe(403);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("forbidden");
  expect(body.error.message).toMatch(/Cross-site/);

  const rows = await auditRowsFor(auditTag);
  expect(rows.filter((row) => row.action === "events.reveal")).toEqual([]);
  expect(rows).toContainEqual(
    expect.objectContaining({ action: "request.refused", outcome: "denied", actor_email: "viewer.copilot@github.example", target_id: `POST /api/v1/events/${eventId}/reveal` }),
  );
});

test("a same-origin API call with a non-JSON body is refused with 415 JSON and audited", async ({ page, auditTag }) => {
  await page.goto("/");
  const eventId = await anEventWithContent();
  const response = await page.request.post(`/api/v1/events/${eventId}/reveal`, { headers: { "content-type": "text/plain" }, data: "{}" });
  expect(response.status()).toBe(415);
  expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/application\/json/);
  expect(await auditRowsFor(auditTag)).toContainEqual(expect.objectContaining({ action: "request.refused", outcome: "error" }));
});

test("a server action posted from another origin is a 403 JSON with an audit row, not a 500", async ({ page, auditTag }) => {
  await page.goto("/purpose");
  // Any action id will do: the front refuses before Next.js looks it up.
  const response = await page.request.post("/purpose", {
    headers: { origin: ATTACKER, "next-action": "0".repeat(42), "content-type": "text/plain;charset=UTF-8" },
    data: "[]",
  });
  expect(response.status()).toBe(403);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  expect(await auditRowsFor(auditTag)).toContainEqual(expect.objectContaining({ action: "request.refused", outcome: "denied", target_id: "POST /purpose" }));
});

test("a malformed path is a JSON 400 naming the problem, and audited for the signed-in person", async ({ page, auditTag }) => {
  await page.goto("/");
  for (const path of ["/api/v1/events/%E2%82", "/events/%zz", "/api/v1/audit/%00"]) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/percent-encoding/);
  }
  const refused = (await auditRowsFor(auditTag)).filter((row) => row.action === "request.refused");
  expect(refused).toHaveLength(3);
  expect(refused.every((row) => row.actor_email === "viewer.copilot@github.example")).toBe(true);
});
