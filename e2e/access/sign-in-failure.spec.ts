// A sign-in whose identity check passed (audited "signed in") but whose
// session could not be created afterwards must not leave the trail saying the
// person signed in: a follow-up row says it failed, and the sign-in page
// says so too — never a half-signed-in browser.
import { auditRowsFor, sql } from "../db";
import { PERSONAS, expect, sessionTokenOf, signIn, test } from "../fixtures";

const { email } = PERSONAS.viewerOpenai;

test("an identity check that passed but no session was created is audited as a failed sign-in", async ({ page, auditTag }) => {
  await sql(`CREATE OR REPLACE FUNCTION tp_e2e_refuse_session() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'sessions refused (end-to-end test)'; END $$`);
  await sql(`CREATE TRIGGER tp_e2e_refuse_session BEFORE INSERT ON auth_session FOR EACH ROW EXECUTE FUNCTION tp_e2e_refuse_session()`);
  try {
    await signIn(page, email);
    await expect(page).toHaveURL(/\/signin\?error=/);
    await expect(page.getByText(/Sign-in failed|could not|refused/).first()).toBeVisible();
    expect(await sessionTokenOf(page.context())).toBeUndefined();
  } finally {
    await sql("DROP TRIGGER IF EXISTS tp_e2e_refuse_session ON auth_session");
    await sql("DROP FUNCTION IF EXISTS tp_e2e_refuse_session()");
  }
  const rows = (await auditRowsFor(auditTag)).filter((row) => row.action.startsWith("auth."));
  expect(rows).toEqual([
    expect.objectContaining({ action: "auth.sign_in", outcome: "allowed", actor_email: email }),
    expect.objectContaining({ action: "auth.sign_in_failed", outcome: "error", actor_email: email, reason: expect.stringContaining("no session was started") }),
  ]);
});
