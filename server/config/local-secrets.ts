// Development convenience: when the portal runs outside production and the
// operator has not supplied AUTH_SECRET or CONTENT_ENCRYPTION_KEYS, generate
// them once into <DATA_DIR>/local-secrets.json (mode 0600) and export them to
// this process's environment, so `npm start` on a fresh clone needs no setup.
// Production never reaches this: parseEnv refuses to start without them.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const localSecretsSchema = z.object({
  AUTH_SECRET: z.string().min(32),
  CONTENT_ENCRYPTION_KEYS: z.string().min(1),
});

export function ensureLocalSecrets(env: NodeJS.ProcessEnv = process.env): void {
  if (env.PORTAL_ENV === "production") return;
  if (env.AUTH_SECRET && env.CONTENT_ENCRYPTION_KEYS) return;
  const file = path.resolve(env.DATA_DIR || ".data", "local-secrets.json");
  let secrets: z.infer<typeof localSecretsSchema>;
  if (fs.existsSync(file)) {
    secrets = localSecretsSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  } else {
    secrets = {
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      CONTENT_ENCRYPTION_KEYS: `local1:${randomBytes(32).toString("base64")}`,
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  env.AUTH_SECRET ||= secrets.AUTH_SECRET;
  env.CONTENT_ENCRYPTION_KEYS ||= secrets.CONTENT_ENCRYPTION_KEYS;
}
