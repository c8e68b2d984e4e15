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
import "server-only";
import { PrismaAdapter } from "@auth/prisma-adapter";
import type { Adapter, AdapterSession } from "next-auth/adapters";
import { getPrisma } from "@/server/db/client";
import type { SessionLimits } from "@/server/access/resolve-actor";

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
    "linkAccount",
    "getSessionAndUser",
  ];
  const lazy = Object.fromEntries(methods.map((method) => [method, call(method)])) as Adapter;
  // Sign-out may find the session already gone (revoked, expired, or ended by
  // the portal's own sign-out): that is success, not an error.
  lazy.deleteSession = async (sessionToken: string) => {
    const prisma = await getPrisma();
    await prisma.session.deleteMany({ where: { sessionToken } });
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
