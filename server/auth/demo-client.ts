// The portal's registration at the built-in demo identity provider. Both the
// provider (started by scripts/start.ts) and Auth.js derive the client secret
// from AUTH_SECRET, so nothing extra needs configuring.
import { createHmac } from "node:crypto";

export const DEMO_CLIENT_ID = "telemetry-portal";
export const DEMO_PROVIDER_ID = "demo";

export function demoClientSecret(authSecret: string): string {
  return createHmac("sha256", authSecret).update("telemetry-portal:demo-idp-client-secret").digest("base64url");
}

export function demoIssuer(port: number): string {
  return `http://localhost:${port}`;
}
