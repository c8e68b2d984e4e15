"use server";
import { redirect } from "next/navigation";
import { z } from "zod";
import { safeReturnPath } from "@/lib/http/safe-return-path";
import { signIn } from "@/server/auth";

const signInForm = z.object({
  provider: z.string().regex(/^[a-z0-9-]{1,40}$/),
  /** a path on the portal (lib/http/safe-return-path.ts); anything else lands on the home page */
  callbackUrl: z.unknown().transform((value) => safeReturnPath(value)),
  /** "login": ask the identity provider for credentials again instead of reusing its session */
  prompt: z.literal("login").optional().catch(undefined),
});

/**
 * Starts the OpenID Connect flow with the chosen provider (authorization code
 * + PKCE). After a sign-out or a refused sign-in the page asks for
 * prompt=login, or the provider's own session would sign the same identity
 * straight back in and nobody could switch accounts.
 */
export async function signInAction(formData: FormData): Promise<void> {
  const parsed = signInForm.safeParse(formData instanceof FormData ? Object.fromEntries(formData) : {});
  if (!parsed.success) redirect("/signin?error=InvalidRequest");
  const { provider, callbackUrl, prompt } = parsed.data;
  await signIn(provider, { redirectTo: callbackUrl }, prompt ? { prompt } : undefined);
}
