"use server";
import { z } from "zod";
import { signIn } from "@/server/auth";

const signInForm = z.object({
  provider: z.string().regex(/^[a-z0-9-]{1,40}$/),
  callbackUrl: z
    .string()
    .refine((value) => value.startsWith("/") && !value.startsWith("//"), "must be a path in the portal")
    .catch("/"),
});

/** Starts the OpenID Connect flow with the chosen provider (authorization code + PKCE). */
export async function signInAction(formData: FormData): Promise<void> {
  const { provider, callbackUrl } = signInForm.parse(Object.fromEntries(formData));
  await signIn(provider, { redirectTo: callbackUrl });
}
