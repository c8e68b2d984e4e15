// Auth.js's Prisma adapter, bound lazily: the embedded database opens
// asynchronously, so each call waits for the shared client first.
//
// Session lifetimes: Auth.js gives a new session one expiry, used both for the
// row and for the cookie, and only re-sends the cookie from its own session
// endpoint, which the portal never calls. So the cookie is given the absolute
// lifetime (session.maxAge in ./index.ts) while the row keeps the idle expiry,
// which the data layer rolls forward on activity (server/access/resolve-actor.ts).
// A cookie that expired with the first idle window would end every session
// after SESSION_IDLE_MINUTES, however active its holder.
//
// Identity: Auth.js links a new OAuth account to whoever is signed in in the
// same browser. In a portal where the account IS the identity that is
// identity confusion (person B acting as person A). So this adapter never
// reports a signed-in user to Auth.js (getSessionAndUser → null: the portal
// resolves sessions itself, server/access/resolve-actor.ts), and linkAccount
// links an identity only to a fresh user row carrying the verified email of
// the person that identity is bound to, one identity per user.
import "server-only";
import { PrismaAdapter } from "@auth/prisma-adapter";
import type { Adapter, AdapterSession } from "next-auth/adapters";
import { getPrisma } from "@/server/db/client";
import type { SessionLimits } from "@/server/access/resolve-actor";
import { AUDITED_TRANSACTION } from "@/server/access/transaction-budget";
import { getRequestContext } from "@/server/http/request-context";
import { endSessionInTransaction } from "./end-session-row";

/** Auth.js tried to link an identity to a user it does not belong to. */
export class IdentityLinkRefused extends Error {
  override name = "IdentityLinkRefused";
}

type AdapterMethod = keyof Adapter;

export function lazyPrismaAdapter(limits: SessionLimits): Adapter {
  let adapter: Promise<Adapter> | undefined;
  const resolve = () => (adapter ??= getPrisma().then((prisma) => PrismaAdapter(prisma as unknown as Parameters<typeof PrismaAdapter>[0])));
  const call =
    (method: AdapterMethod) =>
    async (...args: unknown[]) => {
      const target = await resolve();
      const fn = target[method] as ((...params: unknown[]) => Promise<unknown>) | undefined;
      if (!fn) throw new Error(`Auth.js adapter method ${method} is not available`);
      return fn(...args);
    };
  const methods: AdapterMethod[] = [
    "createUser",
    "getUser",
    "getUserByEmail",
    "getUserByAccount",
    "updateUser",
  ];
  const lazy = Object.fromEntries(methods.map((method) => [method, call(method)])) as Adapter;
  lazy.getSessionAndUser = async () => null;
  // A user row left without an account by a refused link would make Auth.js
  // refuse that email for good ("already exists"): replace it.
  lazy.createUser = async (user) => {
    const prisma = await getPrisma();
    if (user.email) await prisma.user.deleteMany({ where: { email: user.email, accounts: { none: {} } } });
    const created = await prisma.user.create({ data: { name: user.name ?? null, email: user.email, emailVerified: user.emailVerified ?? null, image: user.image ?? null } });
    return { ...created, email: created.email ?? "" };
  };
  lazy.linkAccount = async (account) => {
    const prisma = await getPrisma();
    await prisma.$transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { id: account.userId }, include: { accounts: { select: { provider: true } } } });
      const person = await tx.person.findUnique({
        where: { oidcIssuer_oidcSubject: { oidcIssuer: account.provider, oidcSubject: account.providerAccountId } },
        select: { id: true, email: true },
      });
      if (!user || !person) throw new IdentityLinkRefused("the identity is not bound to a person on the access list");
      if (user.accounts.length > 0) throw new IdentityLinkRefused("the user already has an identity; one identity per user");
      if (user.email?.toLowerCase() !== person.email) throw new IdentityLinkRefused("the identity's verified email is not the bound person's");
      if (user.personId !== null && user.personId !== person.id) throw new IdentityLinkRefused("the user belongs to another person");
      await tx.account.create({
        data: {
          userId: user.id,
          type: account.type,
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          // tokens are not kept: the portal never calls the provider's APIs
        },
      });
      // A person's earlier user row (from an identity since rebound) lets go first.
      await tx.user.updateMany({ where: { personId: person.id, id: { not: user.id } }, data: { personId: null } });
      await tx.user.update({ where: { id: user.id }, data: { personId: person.id } });
    }, AUDITED_TRANSACTION);
    return account;
  };
  // Auth.js's own sign-out (POST /api/auth/signout) ends the session here:
  // audited like the portal's sign-out. A session already gone (revoked,
  // expired, or ended by the portal's own sign-out) is success, not an error.
  lazy.deleteSession = async (sessionToken: string) => {
    const prisma = await getPrisma();
    const request = await getRequestContext();
    await prisma.$transaction((tx) => endSessionInTransaction(tx, sessionToken, request, "signed out through Auth.js"), AUDITED_TRANSACTION);
    return null;
  };
  lazy.createSession = async ({ sessionToken, userId, expires }): Promise<AdapterSession> => {
    const prisma = await getPrisma();
    const idleEnd = new Date(Math.min(expires.getTime(), Date.now() + limits.idleMinutes * 60_000));
    await prisma.session.create({ data: { sessionToken, userId, expires: idleEnd } });
    // Auth.js takes the cookie's expiry from this answer: the absolute end.
    return { sessionToken, userId, expires };
  };
  // Auth.js's session endpoint extends a session by session.maxAge (the
  // absolute lifetime); the row never moves past the idle window or the absolute end.
  lazy.updateSession = async ({ sessionToken, expires }): Promise<AdapterSession | null> => {
    const prisma = await getPrisma();
    const session = await prisma.session.findUnique({ where: { sessionToken } });
    if (!session) return null;
    const now = Date.now();
    const ceiling = Math.min(now + limits.idleMinutes * 60_000, session.createdAt.getTime() + limits.maxHours * 3_600_000);
    const next = new Date(Math.min(expires?.getTime() ?? ceiling, ceiling));
    const updated = await prisma.session.update({ where: { sessionToken }, data: { expires: next } });
    return { sessionToken: updated.sessionToken, userId: updated.userId, expires: updated.expires };
  };
  return lazy;
}
