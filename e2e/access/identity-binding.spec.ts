// A signed-in identity maps to a named person by verified e-mail; the first
// sign-in binds the provider's subject to that person, and a later sign-in
// with the same e-mail but another subject is refused (identity-mismatch).
import { auditRowsFor, sql } from "../db";
import { PERSONAS, SESSION_COOKIE, expect, signIn, test } from "../fixtures";

const { email, name } = PERSONAS.viewerOpenai;

type Binding = { oidc_issuer: string | null; oidc_subject: string | null; bound_at: Date | null };

async function bindingOf(address: string): Promise<Binding> {
  const rows = await sql<Binding>("SELECT oidc_issuer, oidc_subject, bound_at FROM person WHERE email = $1", [address]);
  if (!rows[0]) throw new Error(`${address} is not on the access list`);
  return rows[0];
}

async function setBinding(address: string, binding: Binding): Promise<void> {
  await sql("UPDATE person SET oidc_issuer = $2, oidc_subject = $3, bound_at = $4 WHERE email = $1", [
    address,
    binding.oidc_issuer,
    binding.oidc_subject,
    binding.bound_at,
  ]);
}

test.describe("identity binding", () => {
  let original: Binding;
  test.beforeEach(async () => {
    original = await bindingOf(email);
  });
  test.afterEach(async () => {
    await setBinding(email, original);
  });

  test("the first sign-in binds the identity provider's subject to the person", async ({ page }) => {
    await setBinding(email, { oidc_issuer: null, oidc_subject: null, bound_at: null });
    await signIn(page, email);
    await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();
    const bound = await bindingOf(email);
    expect(bound).toMatchObject({ oidc_issuer: "demo", oidc_subject: "demo-viewer-openai" });
    expect(bound.bound_at).not.toBeNull();
  });

  test("a sign-in with the person's e-mail but another subject is refused", async ({ page, auditTag }) => {
    await setBinding(email, { oidc_issuer: "demo", oidc_subject: "someone-else-entirely", bound_at: new Date() });
    await signIn(page, email);

    await expect(page).toHaveURL("/no-access?reason=identity-mismatch");
    await expect(page.getByText("You signed in with an identity other than the one bound to your access-list entry.")).toBeVisible();
    expect((await page.context().cookies()).filter((cookie) => cookie.name.endsWith(SESSION_COOKIE))).toEqual([]);
    expect((await bindingOf(email)).oidc_subject).toBe("someone-else-entirely");

    const rows = await auditRowsFor(auditTag);
    expect(rows.filter((row) => row.action.startsWith("auth."))).toEqual([
      expect.objectContaining({ action: "auth.sign_in_refused", outcome: "denied", reason: "identity-mismatch", actor_email: email }),
    ]);
  });

  test("a binding to another issuer is a mismatch too", async ({ page }) => {
    await setBinding(email, { oidc_issuer: "oidc", oidc_subject: "demo-viewer-openai", bound_at: new Date() });
    await signIn(page, email);
    await expect(page).toHaveURL("/no-access?reason=identity-mismatch");
  });
});
