// A signed-in browser session for integration tests, made the way a real
// sign-in leaves it: the person bound to an identity (issuer + subject), one
// user row with one account for that identity, and a session row. The data
// layer resolves the person from that identity, never from an email.
import { randomBytes } from "node:crypto";
import type { PrismaClient, Purpose } from "@/server/db/generated/client";

export const TEST_ISSUER = "test-idp";

export type TestSessionOptions = {
  purpose?: Purpose | null;
  purposeDetail?: string | null;
  createdAt?: Date;
  expires?: Date;
};

/** Binds the person (if unbound) and opens a session; returns the session token. */
export async function signInForTest(prisma: PrismaClient, email: string, options: TestSessionOptions = {}): Promise<string> {
  const person = await prisma.person.findUnique({ where: { email } });
  const identity = person?.oidcSubject
    ? { issuer: person.oidcIssuer ?? TEST_ISSUER, subject: person.oidcSubject }
    : { issuer: TEST_ISSUER, subject: `subject-${randomBytes(8).toString("hex")}` };
  if (person && !person.oidcSubject) {
    await prisma.person.update({ where: { id: person.id }, data: { oidcIssuer: identity.issuer, oidcSubject: identity.subject, boundAt: new Date() } });
  }
  const account = await prisma.account.findUnique({
    where: { provider_providerAccountId: { provider: identity.issuer, providerAccountId: identity.subject } },
  });
  const userId =
    account?.userId ??
    (
      await prisma.user.create({
        data: {
          email,
          name: person?.name ?? "Test Person",
          personId: person?.id ?? null,
          accounts: { create: { type: "oidc", provider: identity.issuer, providerAccountId: identity.subject } },
        },
      })
    ).id;
  const sessionToken = randomBytes(24).toString("base64url");
  const now = Date.now();
  await prisma.session.create({
    data: {
      sessionToken,
      userId,
      createdAt: options.createdAt ?? new Date(now),
      expires: options.expires ?? new Date(now + 3_600_000),
      purpose: options.purpose ?? null,
      purposeDetail: options.purposeDetail ?? null,
      purposeSetAt: options.purpose ? new Date(now) : null,
    },
  });
  return sessionToken;
}
