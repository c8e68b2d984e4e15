// Auth.js's Prisma adapter, bound lazily: the embedded database opens
// asynchronously, so each call waits for the shared client first.
import "server-only";
import { PrismaAdapter } from "@auth/prisma-adapter";
import type { Adapter } from "next-auth/adapters";
import { getPrisma } from "@/server/db/client";

type AdapterMethod = keyof Adapter;

export function lazyPrismaAdapter(): Adapter {
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
    "createSession",
    "getSessionAndUser",
    "updateSession",
  ];
  const lazy = Object.fromEntries(methods.map((method) => [method, call(method)])) as Adapter;
  // Sign-out may find the session already gone (revoked, expired, or ended by
  // the portal's own sign-out): that is success, not an error.
  lazy.deleteSession = async (sessionToken: string) => {
    const prisma = await getPrisma();
    await prisma.session.deleteMany({ where: { sessionToken } });
    return null;
  };
  return lazy;
}
