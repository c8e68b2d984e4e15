// The demo identity provider's accounts: one per persona of the portal, all with
// the password "demo". Plain module (no "server-only"): the IdP runs in a plain
// Node process and the seed script reuses the names and e-mail addresses.
import { createHash, timingSafeEqual } from "node:crypto";

export type DemoAccount = {
  /** Stable subject identifier, the `sub` claim. Never reuse or change one. */
  readonly sub: string;
  readonly email: string;
  readonly name: string;
  /** Who this account stands for, shown on the IdP's login page. */
  readonly description: string;
};

/** The OIDC claims the IdP releases for an account (scopes openid, email, profile). */
export type DemoAccountClaims = {
  sub: string;
  email: string;
  email_verified: true;
  name: string;
};

export const DEMO_PASSWORD = "demo";

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    sub: "demo-viewer-copilot",
    email: "viewer.copilot@github.example",
    name: "Vera Copilot",
    description: "GitHub, Copilot team viewer",
  },
  {
    sub: "demo-viewer-health",
    email: "viewer.health@github.example",
    name: "Hugo Health",
    description: "GitHub, platform health viewer",
  },
  {
    sub: "demo-viewer-microsoft",
    email: "viewer@microsoft.example",
    name: "Mira Microsoft",
    description: "Microsoft viewer",
  },
  {
    sub: "demo-viewer-openai",
    email: "viewer@openai.example",
    name: "Omar OpenAI",
    description: "OpenAI viewer",
  },
  {
    sub: "demo-admin",
    email: "admin@github.example",
    name: "Ada Admin",
    description: "Access-list admin",
  },
  {
    sub: "demo-auditor",
    email: "auditor@github.example",
    name: "Audrey Auditor",
    description: "Auditor",
  },
  {
    sub: "demo-expired",
    email: "expired@github.example",
    name: "Eli Expired",
    description: "Grant has expired",
  },
  {
    sub: "demo-approver",
    email: "approver@github.example",
    name: "Paz Approver",
    description: "Copilot team viewer, named approver of every group",
  },
  {
    sub: "demo-newcomer",
    email: "newcomer@github.example",
    name: "Nora Newcomer",
    description: "On the access list, no grant yet: asks for access",
  },
  {
    sub: "demo-outsider",
    email: "outsider@github.example",
    name: "Otto Outsider",
    description: "Not on the access list",
  },
];

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findDemoAccountByEmail(email: string): DemoAccount | undefined {
  const wanted = normalizeEmail(email);
  return DEMO_ACCOUNTS.find((account) => account.email === wanted);
}

export function findDemoAccountBySub(sub: string): DemoAccount | undefined {
  return DEMO_ACCOUNTS.find((account) => account.sub === sub);
}

export function demoAccountClaims(account: DemoAccount): DemoAccountClaims {
  return { sub: account.sub, email: account.email, email_verified: true, name: account.name };
}

// Hashing both sides first gives equal-length buffers, so timingSafeEqual can
// compare passwords of any length without leaking the length through timing.
function passwordMatches(candidate: string): boolean {
  const expected = createHash("sha256").update(DEMO_PASSWORD, "utf8").digest();
  const actual = createHash("sha256").update(candidate, "utf8").digest();
  return timingSafeEqual(expected, actual);
}

/**
 * Returns the account when the e-mail is a demo account and the password is
 * right. The password is checked even for unknown e-mails, so both failures
 * take the same time.
 */
export function verifyDemoCredentials(email: string, password: string): DemoAccount | undefined {
  const account = findDemoAccountByEmail(email);
  const passwordOk = passwordMatches(password);
  return account && passwordOk ? account : undefined;
}
