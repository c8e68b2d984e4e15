// The shape of a SCIM bearer token and how it is stored: shown once at
// creation; the database keeps its SHA-256 (hex) and a short prefix.
import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const SCIM_TOKEN_PREFIX = "tps_";
const PREFIX_LENGTH = SCIM_TOKEN_PREFIX.length + 8;

export function hashScimToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function generateScimToken(): { token: string; prefix: string; hash: string } {
  const token = `${SCIM_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, prefix: token.slice(0, PREFIX_LENGTH), hash: hashScimToken(token) };
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
