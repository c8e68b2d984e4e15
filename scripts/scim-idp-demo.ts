// Speaks SCIM to the portal as a company identity provider does, end to end:
//   npm run scim:demo -- [--url PORTAL_URL]              create, find, update, deactivate, reactivate, delete a demo person
//   npm run scim:demo -- --deactivate EMAIL [--url …]    deactivate one person (their sessions end at once)
//   npm run scim:demo -- --reactivate EMAIL [--url …]
// The token comes from SCIM_TOKEN (issue one on /admin/scim-tokens); the URL defaults to PORTAL_URL or http://localhost:3000.
// Exit 0 when every step answered as SCIM says it should; 1 with the failing step otherwise.
import { randomBytes } from "node:crypto";
import { ScimIdpClient } from "./scim-idp-client";

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const token = process.env.SCIM_TOKEN;
  if (!token) throw new Error("Set SCIM_TOKEN to a token issued on the portal's SCIM tokens page (/admin/scim-tokens).");
  const portal = option("--url") ?? process.env.PORTAL_URL ?? "http://localhost:3000";
  const client = new ScimIdpClient(`${portal.replace(/\/$/, "")}/scim/v2`, token);

  for (const [flag, act] of [
    ["--deactivate", (id: string) => client.deactivate(id)],
    ["--reactivate", (id: string) => client.reactivate(id)],
  ] as const) {
    const email = option(flag);
    if (email === undefined) continue;
    const user = await client.findByUserName(email);
    if (!user) throw new Error(`No SCIM user with userName ${email}.`);
    const after = await act(user.id);
    console.log(`${email}: active=${after.active}`);
    return;
  }

  const suffix = randomBytes(3).toString("hex");
  const person = { email: `scim.demo.${suffix}@github.example`, name: "Scim Demo", organization: "GitHub" as const, externalId: `idp-${suffix}` };
  const step = (text: string) => console.log(`✓ ${text}`);

  if (await client.findByUserName(person.email)) throw new Error(`${person.email} already exists.`);
  step(`looked up ${person.email}: not there yet`);
  const created = await client.create(person);
  step(`created ${created.id} (active=${created.active}, no grants)`);
  if ((await client.findByUserName(person.email))?.id !== created.id) throw new Error("The filter did not find the created user.");
  step("found by userName eq");
  const renamed = await client.replace(created.id, { ...person, name: "Scim Demo Renamed" });
  step(`replaced: displayName=${renamed.displayName}`);
  if ((await client.deactivate(created.id)).active !== false) throw new Error("Deactivation did not take.");
  step("deactivated (PATCH path=active value=false): sessions ended, grants suspended");
  if ((await client.reactivate(created.id)).active !== true) throw new Error("Reactivation did not take.");
  step("reactivated (PATCH without path, value {active: \"True\"})");
  await client.remove(created.id);
  if ((await client.status(created.id)) !== 404) throw new Error("A deleted user is still served.");
  step("deleted: deactivated, marked removed, no longer served (404); the record and its audit history stay");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
