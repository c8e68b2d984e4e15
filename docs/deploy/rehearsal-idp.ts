// A stand-in for your company's identity provider, to rehearse
// docs/DEPLOYMENT.md before the real registration exists: the portal's demo
// OpenID Connect provider (server/idp/: a real provider, but every password
// is "demo" — NOT FOR PRODUCTION) run on its own, with the portal registered
// as a confidential client exactly as you would register it at a real IdP:
// redirect URL <PORTAL_URL>/api/auth/callback/oidc. The portal then uses it
// through the generic AUTH_OIDC_* settings, in PORTAL_ENV=production.
//
//   PORTAL_URL=https://telemetry.example.com AUTH_OIDC_SECRET=<16+ characters> \
//     node --import tsx docs/deploy/rehearsal-idp.ts
//
// Listens on 127.0.0.1:REHEARSAL_IDP_PORT (default 3001) with the issuer
// http://localhost:<port>, so the portal and the browser must run on the same
// machine. Keys go to REHEARSAL_IDP_DATA_DIR (default .data/rehearsal-idp).
import path from "node:path";
import { z } from "zod";
import { startDemoIdp } from "../../server/idp/provider";

const settingsSchema = z.object({
  PORTAL_URL: z
    .url({ protocol: /^https?$/, error: "must be the portal's public URL, e.g. https://telemetry.example.com" })
    .refine((value) => new URL(value).pathname === "/", "must be an origin (no path)")
    .transform((value) => new URL(value).origin),
  AUTH_OIDC_ID: z.string().min(1).default("telemetry-portal"),
  AUTH_OIDC_SECRET: z.string("is required (the client secret you give the portal too)").min(16, "must be at least 16 characters"),
  REHEARSAL_IDP_PORT: z.coerce.number().int().min(1).max(65_535).default(3001),
  REHEARSAL_IDP_DATA_DIR: z.string().default(path.join(".data", "rehearsal-idp")),
});

const parsed = settingsSchema.safeParse(process.env);
if (!parsed.success) {
  const issue = parsed.error.issues[0];
  process.stderr.write(`rehearsal-idp: ${issue?.path.join(".") ?? "environment"} ${issue?.message ?? "is invalid"}.\n`);
  process.exit(2);
}
const settings = parsed.data;
const issuer = `http://localhost:${settings.REHEARSAL_IDP_PORT}`;
const redirectUrl = `${settings.PORTAL_URL}/api/auth/callback/oidc`;

const idp = await startDemoIdp({
  issuer,
  port: settings.REHEARSAL_IDP_PORT,
  host: "127.0.0.1",
  dataDir: path.resolve(settings.REHEARSAL_IDP_DATA_DIR),
  clients: [
    {
      client_id: settings.AUTH_OIDC_ID,
      client_secret: settings.AUTH_OIDC_SECRET,
      redirect_uris: [redirectUrl],
      post_logout_redirect_uris: [`${settings.PORTAL_URL}/signin`],
    },
  ],
});

process.stdout.write(
  [
    `Rehearsal identity provider (the demo one: NOT FOR PRODUCTION, every password is "demo") at ${idp.issuer}`,
    `Registered client ${settings.AUTH_OIDC_ID} with redirect URL ${redirectUrl}`,
    `Portal settings: AUTH_OIDC_ISSUER=${idp.issuer} AUTH_OIDC_ID=${settings.AUTH_OIDC_ID} AUTH_OIDC_SECRET=<the secret you passed>`,
    "",
  ].join("\n"),
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void idp.close().then(() => process.exit(0)));
}
