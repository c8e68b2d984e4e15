// The sign-in form's server action hands Auth.js only a path on the portal as
// the place to land after signing in (issue 10, finding 2).
import { beforeEach, describe, expect, it, vi } from "vitest";
import { signInAction } from "./actions";

const signIn = vi.hoisted(() => vi.fn<(provider: string, options: { redirectTo: string }, params?: unknown) => Promise<void>>());

vi.mock("@/server/auth", () => ({ signIn }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error(`redirect to ${url}`), { redirectedTo: url });
  },
}));

function form(callbackUrl: string): FormData {
  const data = new FormData();
  data.append("provider", "oidc");
  data.append("callbackUrl", callbackUrl);
  return data;
}

describe("signInAction", () => {
  beforeEach(() => {
    signIn.mockReset();
    signIn.mockResolvedValue(undefined);
  });

  it("passes a portal path on", async () => {
    await signInAction(form("/events?kind=error"));
    expect(signIn).toHaveBeenCalledWith("oidc", { redirectTo: "/events?kind=error" }, undefined);
  });

  it.each(["//evil.example/", "/\\evil.example/", "/%5Cevil.example/", "/\t/evil.example/", "/\n/evil.example/", "javascript:alert(1)", "https://evil.example/"])(
    "lands on the home page instead of %j",
    async (callbackUrl) => {
      await signInAction(form(callbackUrl));
      expect(signIn).toHaveBeenCalledWith("oidc", { redirectTo: "/" }, undefined);
    },
  );
});
