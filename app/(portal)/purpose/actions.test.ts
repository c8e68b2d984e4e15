// The purpose form's server action continues only to a path on the portal
// (issue 10, finding 2: `/purpose?next=/%5Cevil.example/` used to land on
// http://evil.example/ after the form was submitted).
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "@/server/http/app-error";
import { setPurposeAction } from "./actions";

const setPurpose = vi.hoisted(() => vi.fn<(input: unknown) => Promise<void>>());

vi.mock("@/server/data/set-purpose", () => ({ setPurpose }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error(`redirect to ${url}`), { redirectedTo: url });
  },
}));

function form(next: string): FormData {
  const data = new FormData();
  data.append("purpose", "improve_product");
  data.append("next", next);
  return data;
}

const IDLE = { message: null, fieldErrors: {} };

const OFF_PORTAL = ["//evil.example/", "/\\evil.example/", "/%5Cevil.example/", "/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/", "javascript:alert(1)", "https://evil.example/", "events"];

describe("setPurposeAction", () => {
  beforeEach(() => {
    setPurpose.mockReset();
    setPurpose.mockResolvedValue(undefined);
  });

  it("continues to the portal path it was given", async () => {
    await expect(setPurposeAction(IDLE, form("/events?kind=error"))).rejects.toMatchObject({ redirectedTo: "/events?kind=error" });
    expect(setPurpose).toHaveBeenCalledWith({ purpose: "improve_product", detail: undefined });
  });

  it.each(OFF_PORTAL)("continues to the explorer, not to %j", async (next) => {
    await expect(setPurposeAction(IDLE, form(next))).rejects.toMatchObject({ redirectedTo: "/events" });
  });

  it.each(OFF_PORTAL)("sends a signed-out person to sign in with a safe way back, not %j", async (next) => {
    setPurpose.mockRejectedValue(new AppError("unauthenticated", "Sign in to continue."));
    const error: unknown = await setPurposeAction(IDLE, form(next)).catch((caught: unknown) => caught);
    const target = new URL((error as { redirectedTo: string }).redirectedTo, "http://portal.test");
    expect(target.pathname).toBe("/signin");
    expect(target.searchParams.get("callbackUrl")).toBe("/purpose?next=%2Fevents");
  });

  // A hand-made call can put anything where React would put the form (the fuzz stage found TypeErrors, 500s).
  it.each([undefined, null, 2, "text", { get: 1 }, []])("reads %j where the form belongs as an empty form: the data layer refuses it", async (argument) => {
    setPurpose.mockRejectedValue(new AppError("invalid_input", "purpose: Choose one of the listed purposes.", [{ path: "purpose", message: "Choose one of the listed purposes." }]));
    const state = await setPurposeAction(IDLE, argument as unknown as FormData);
    expect(setPurpose).toHaveBeenCalledWith({ purpose: undefined, detail: undefined });
    expect(state).toEqual({ message: "Please correct the form.", fieldErrors: { purpose: "Choose one of the listed purposes." }, values: { purpose: null, detail: "" } });
  });
});
