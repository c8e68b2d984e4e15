import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/config/env";
import { loadNotifyConfig, retryDelaySeconds, webhookId } from "./notify-config";
import { emailBody, webhookPayload, webhookSignature } from "./senders";

const config = (env: Record<string, string>) => loadNotifyConfig(parseEnv({ PORTAL_URL: "https://telemetry.example.com", ...env }));

describe("notification configuration", () => {
  it("configures no channel by default, and the documented retry schedule", () => {
    expect(config({})).toEqual({
      portalUrl: "https://telemetry.example.com",
      email: null,
      webhooks: [],
      webhookSecret: null,
      maxAttempts: 12,
      retryBaseSeconds: 30,
      retryMaxSeconds: 3_600,
      retentionDays: 30,
    });
  });

  it("reads the relay from SMTP_URL, credentials percent-decoded, smtps meaning TLS on 465", () => {
    expect(config({ SMTP_URL: "smtps://mailer%40corp:p%3Ass@relay.corp.example" }).email).toEqual({
      smtp: { host: "relay.corp.example", port: 465, secure: true, requireTls: false, auth: { user: "mailer@corp", pass: "p:ss" } },
      from: "Telemetry Portal <telemetry-portal@telemetry.example.com>",
    });
    expect(config({ SMTP_URL: "smtp://relay:2525", NOTIFY_FROM: "portal@corp.example", SMTP_REQUIRE_TLS: "true" }).email).toEqual({
      smtp: { host: "relay", port: 2525, secure: false, requireTls: true, auth: null },
      from: "portal@corp.example",
    });
  });

  it("reads the relay from SMTP_HOST and friends, defaulting the port to 587 (or 465 when secure)", () => {
    expect(config({ SMTP_HOST: "relay.corp.example", SMTP_USER: "u", SMTP_PASSWORD: "p" }).email?.smtp).toEqual({ host: "relay.corp.example", port: 587, secure: false, requireTls: false, auth: { user: "u", pass: "p" } });
    expect(config({ SMTP_HOST: "10.0.0.25", SMTP_SECURE: "true" }).email?.smtp.port).toBe(465);
  });

  it("names what is wrong in one sentence", () => {
    expect(() => config({ SMTP_URL: "http://relay" })).toThrow("Configuration error: SMTP_URL must be an smtp://user:password@host:port or smtps://… URL.");
    expect(() => config({ SMTP_URL: "smtp://a", SMTP_HOST: "b" })).toThrow(/either SMTP_URL or SMTP_HOST/);
    expect(() => config({ SMTP_HOST: "b", SMTP_USER: "u" })).toThrow(/SMTP_USER and SMTP_PASSWORD go together/);
    expect(() => config({ SMTP_PORT: "25" })).toThrow(/need SMTP_HOST/);
    expect(() => config({ NOTIFY_FROM: "Portal <a@b>\r\nBcc: x@y" })).toThrow(/NOTIFY_FROM must be an address/);
    expect(() => config({ NOTIFY_WEBHOOK_URL: "ftp://hooks.example" })).toThrow(/NOTIFY_WEBHOOK_URL must be a comma-separated list/);
    expect(() => config({ NOTIFY_WEBHOOK_SECRET: "short" })).toThrow(/NOTIFY_WEBHOOK_SECRET must be at least 16 characters/);
    expect(() => config({ NOTIFY_MAX_ATTEMPTS: "0" })).toThrow(/NOTIFY_MAX_ATTEMPTS must be at least 1/);
  });

  it("keeps each webhook under an id that does not reveal its URL", () => {
    const hooks = config({ NOTIFY_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/secret, https://siem.example/hook" }).webhooks;
    expect(hooks.map((hook) => hook.url)).toEqual(["https://hooks.slack.com/services/T0/B0/secret", "https://siem.example/hook"]);
    expect(hooks[0]?.id).toBe(webhookId("https://hooks.slack.com/services/T0/B0/secret"));
    expect(hooks[0]?.id).toMatch(/^webhook:[0-9a-f]{16}$/);
  });

  it("doubles the retry delay from the base up to the cap", () => {
    const schedule = { retryBaseSeconds: 30, retryMaxSeconds: 3_600 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 50].map((attempt) => retryDelaySeconds(schedule, attempt))).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  });
});

describe("message shapes", () => {
  const portal = { portalUrl: "https://telemetry.example.com" };
  const message = { id: 42n, kind: "audit.alert", channel: "webhook" as const, recipient: "webhook:x", subject: "Export by <a@b> & co", text: "Three exports.", link: "/audit/alerts/9", createdAt: new Date("2026-12-01T10:00:00Z") };

  it("e-mails the text and the absolute link", () => {
    expect(emailBody(portal, message)).toContain("Three exports.\n\nOpen in the Telemetry Portal: https://telemetry.example.com/audit/alerts/9\n");
  });

  it("posts Slack-compatible JSON, escaped for Slack, with the notification's fields", () => {
    expect(JSON.parse(webhookPayload(portal, message))).toEqual({
      text: "*Export by &lt;a@b&gt; &amp; co*\nThree exports.\n<https://telemetry.example.com/audit/alerts/9|Open in the Telemetry Portal>",
      notification: { id: "42", kind: "audit.alert", subject: "Export by <a@b> & co", text: "Three exports.", link: "https://telemetry.example.com/audit/alerts/9", createdAt: "2026-12-01T10:00:00.000Z" },
    });
  });

  it("signs timestamp and body with HMAC-SHA256", () => {
    // echo -n '1764583200.{}' | openssl dgst -sha256 -hmac 'sixteen-chars-key'
    expect(webhookSignature("sixteen-chars-key", "1764583200", "{}")).toBe("v1=6e07980ea017d63ed32d1eb2cee3db3f6a83fbbf3fcf51f2b5fce857449017d2");
    expect(webhookSignature("sixteen-chars-key", "1764583200", "{}")).not.toBe(webhookSignature("sixteen-chars-key", "1764583201", "{}"));
  });
});
