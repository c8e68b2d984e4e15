// Shared pieces of the browser tests: the demo personas, signing in through
// the real demo OpenID Connect provider, and a per-test User-Agent that lets a
// test find the audit rows its own requests left behind (e2e/db.ts).
import { randomBytes } from "node:crypto";
import path from "node:path";
import { test as base, expect, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";

export { expect };

export const DEMO_PASSWORD = "demo";
export const IDP_BANNER = "Demo identity provider — not for production";

/** The demo identity provider's accounts (server/idp/accounts.ts), and what issue 3 says each may see. */
export const PERSONAS = {
  viewerCopilot: { email: "viewer.copilot@github.example", name: "Vera Copilot", groups: ["GitHub Copilot team"], roles: ["viewer"] },
  viewerHealth: { email: "viewer.health@github.example", name: "Hugo Health", groups: ["GitHub platform health team"], roles: ["viewer"] },
  viewerMicrosoft: { email: "viewer@microsoft.example", name: "Mira Microsoft", groups: ["Microsoft – Copilot"], roles: ["viewer"] },
  viewerOpenai: { email: "viewer@openai.example", name: "Omar OpenAI", groups: ["OpenAI – Copilot"], roles: ["viewer"] },
  admin: { email: "admin@github.example", name: "Ada Admin", groups: [], roles: ["admin"] },
  auditor: { email: "auditor@github.example", name: "Audrey Auditor", groups: [], roles: ["auditor"] },
  expired: { email: "expired@github.example", name: "Eli Expired", groups: [], roles: [] },
  outsider: { email: "outsider@github.example", name: "Otto Outsider", groups: [], roles: [] },
  approver: { email: "approver@github.example", name: "Paz Approver", groups: ["GitHub Copilot team"], roles: ["viewer"] },
  newcomer: { email: "newcomer@github.example", name: "Nora Newcomer", groups: [], roles: [] },
} as const;

export type PersonaKey = keyof typeof PERSONAS;

/** Personas whose sign-in starts a session; each has a setup (personas.setup.ts) that stores it. */
export const SIGNED_IN_PERSONAS = ["viewerCopilot", "viewerHealth", "viewerMicrosoft", "viewerOpenai", "admin", "auditor"] as const satisfies readonly PersonaKey[];
export type SignedInPersona = (typeof SIGNED_IN_PERSONAS)[number];

/** Where the setup project keeps each persona's signed-in browser state. */
export function storageStateFor(persona: SignedInPersona): string {
  return path.join(import.meta.dirname, ".auth", `${persona}.json`);
}

export const SESSION_COOKIE = "authjs.session-token";

/** A valid UUID that names no telemetry event. */
export const UNKNOWN_EVENT_ID = "00000000-0000-4000-8000-000000000000";

/**
 * Signs in through the portal's sign-in page and the demo identity provider's
 * login form, as a person would. Ends on whatever portal page the sign-in led
 * to (the home page, the no-access page, …); the caller asserts which.
 */
export async function signIn(page: Page, email: string, options: { callbackUrl?: string; prompt?: "login" } = {}): Promise<void> {
  const query = new URLSearchParams();
  if (options.callbackUrl) query.set("callbackUrl", options.callbackUrl);
  if (options.prompt) query.set("prompt", options.prompt);
  const target = query.size > 0 ? `/signin?${query.toString()}` : "/signin";
  await page.goto(target);
  const portal = new URL(page.url()).origin;
  await page.getByRole("button", { name: "Sign in with Demo identity provider" }).click();

  // The identity provider's own page: a real login form on another origin.
  await page.waitForURL((url) => url.origin !== portal);
  await expect(page.getByRole("complementary", { name: "Demo notice" })).toContainText(IDP_BANNER);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();

  // Back through the portal's OpenID Connect callback to wherever it leads.
  await page.waitForURL((url) => url.origin === portal && !url.pathname.startsWith("/api/auth/"));
}

/** The portal session token in this browser context (the auth_session row's key), if signed in. */
export async function sessionTokenOf(context: BrowserContext): Promise<string | undefined> {
  const cookies = await context.cookies();
  return cookies.find((cookie) => cookie.name === SESSION_COOKIE || cookie.name === `__Host-${SESSION_COOKIE}` || cookie.name === `__Secure-${SESSION_COOKIE}`)?.value;
}

/** Declares a purpose for the session behind this request context, through the API a person could use too. */
export async function declarePurpose(request: APIRequestContext, purpose = "evaluate_product", detail?: string): Promise<void> {
  const response = await request.put("/api/v1/me/purpose", { data: detail ? { purpose, detail } : { purpose } });
  expect(response.status(), await response.text()).toBe(200);
}

type Fixtures = {
  /** A User-Agent unique to this test; the browser sends it, and every audit row of its requests records it. */
  auditTag: string;
};

export const test = base.extend<Fixtures>({
  auditTag: async ({}, provide, testInfo) => {
    const slug = testInfo.titlePath
      .slice(1)
      .join(" ")
      .replace(/[^A-Za-z0-9]+/g, "-")
      .slice(0, 80);
    await provide(`telemetry-portal-e2e/${slug}/${randomBytes(4).toString("hex")}`);
  },
  userAgent: async ({ auditTag }, provide) => {
    await provide(auditTag);
  },
});
