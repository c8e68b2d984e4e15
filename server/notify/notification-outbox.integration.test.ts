// The notification outbox against real databases (PGlite always, PostgreSQL
// when TEST_DATABASE_URL is set), a real SMTP relay (smtp-server) and a real
// HTTP webhook on loopback: what arrives, that a notification exists only if
// its transaction committed, dedupe keys, retries with backoff across a
// receiver outage (nothing lost, nothing delivered sent again), giving up
// visibly after NOTIFY_MAX_ATTEMPTS, and the metrics.
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/connect";
import { getMetrics } from "@/server/observability/metrics";
import { freePort, startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "@/test/mail-receivers";
import { seededTestTargets } from "@/test/test-databases";
import { collectOutboxMetrics, deliverDueNotifications } from "./deliver-notifications";
import { enqueueNotification, NotificationInputError, type NotificationInput } from "./enqueue";
import { webhookId, type NotifyConfig } from "./notify-config";

const KEYS = [{ id: "notify1", key: randomBytes(32) }];
const SECRET = "webhook-secret-for-tests-0123456789";
const PORTAL = "https://portal.test";

type OutboxRow = { id: bigint; channel: string; recipient: string; attempts: number; next_attempt_at: Date | null; delivered_at: Date | null; failed_at: Date | null; last_error: string | null };

function configFor(smtpPort: number | null, hooks: readonly string[], overrides: Partial<NotifyConfig> = {}): NotifyConfig {
  return {
    portalUrl: PORTAL,
    email: smtpPort === null ? null : { smtp: { host: "127.0.0.1", port: smtpPort, secure: false, requireTls: false, auth: null }, from: "Telemetry Portal <portal@portal.test>" },
    webhooks: hooks.map((url) => ({ id: webhookId(url), url })),
    webhookSecret: SECRET,
    maxAttempts: 5,
    retryBaseSeconds: 30,
    retryMaxSeconds: 3_600,
    retentionDays: 30,
    ...overrides,
  };
}

const counter = async (name: string, channel: string) => {
  const text = await getMetrics().registry.metrics();
  const line = text.split("\n").find((item) => item.startsWith(`${name}{channel="${channel}"}`));
  return line ? Number(line.split(" ").at(-1)) : 0;
};
const plus = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

describe.each(seededTestTargets({ label: "notify", keys: KEYS }))("the notification outbox on $name", (target) => {
  let db: Database;
  let people: { admin: string; auditor: string; viewer: string };
  let smtp: SmtpReceiver | undefined;
  let hook: HttpReceiver | undefined;

  beforeAll(async () => {
    db = await target.open();
    const byEmail = async (email: string) => (await db.prisma.person.findUniqueOrThrow({ where: { email } })).id;
    people = { admin: await byEmail("admin@github.example"), auditor: await byEmail("auditor@github.example"), viewer: await byEmail("viewer.copilot@github.example") };
  });

  afterAll(async () => {
    await db?.close();
    await target.dispose();
  });

  beforeEach(async () => {
    await db.prisma.notificationOutbox.deleteMany();
  });

  afterEach(async () => {
    await smtp?.close();
    await hook?.close();
    smtp = undefined;
    hook = undefined;
  });

  const rows = () =>
    db.prisma.$queryRaw<OutboxRow[]>`
      SELECT id, channel, recipient, attempts, next_attempt_at, delivered_at, failed_at, last_error FROM notification_outbox ORDER BY channel, recipient, id`;

  const notice = (overrides: Partial<NotificationInput> = {}): NotificationInput => ({
    kind: "audit.alert",
    subject: "Alert: bulk read by viewer.copilot@github.example",
    text: "More than 5000 events were disclosed to one person within an hour.",
    link: "/audit/alerts/17",
    recipientPersonIds: [people.admin, people.auditor],
    ...overrides,
  });

  const enqueue = (input: NotificationInput, config: NotifyConfig) => db.prisma.$transaction((tx) => enqueueNotification(tx, input, { config }));

  it("e-mails each person and posts to the webhook once, with absolute links to the portal, and never sends a delivered row again", async () => {
    smtp = await startSmtpReceiver();
    hook = await startHttpReceiver();
    const config = configFor(smtp.port, [hook.url]);
    const deliveredBefore = await counter("portal_notifications_delivered_total", "email");

    await enqueue(notice(), config);
    expect(await deliverDueNotifications(db.prisma, { config })).toMatchObject({ delivered: 3, retried: 0, failed: 0 });

    expect(smtp.messages.map((mail) => mail.to).sort()).toEqual([["admin@github.example"], ["auditor@github.example"]]);
    const ids = new Map((await rows()).map((row) => [row.recipient, String(row.id)]));
    for (const mail of smtp.messages) {
      expect(mail.from).toBe("portal@portal.test");
      expect(mail.headers.subject).toBe("Alert: bulk read by viewer.copilot@github.example");
      expect(mail.headers["message-id"]).toBe(`<notification-${ids.get(mail.to[0] ?? "")}@portal.test>`);
      expect(mail.headers["auto-submitted"]).toBe("auto-generated");
      expect(mail.text).toContain("More than 5000 events were disclosed to one person within an hour.");
      expect(mail.text).toContain("https://portal.test/audit/alerts/17");
    }

    expect(hook.requests).toHaveLength(1);
    const [post] = hook.requests;
    expect(post?.method).toBe("POST");
    expect(post?.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(post?.body ?? "{}") as { text: string; notification: Record<string, string> };
    expect(body.text).toContain("<https://portal.test/audit/alerts/17|Open in the Telemetry Portal>");
    expect(body.notification).toMatchObject({ kind: "audit.alert", link: "https://portal.test/audit/alerts/17", id: ids.get(webhookId(hook.url)) });
    expect(post?.headers["idempotency-key"]).toBe(`notification-${body.notification.id}`);
    const timestamp = String(post?.headers["x-portal-timestamp"]);
    const expected = `v1=${createHmac("sha256", SECRET).update(`${timestamp}.${post?.body}`).digest("hex")}`;
    expect(post?.headers["x-portal-signature"]).toBe(expected);

    const stored = await rows();
    expect(stored.every((row) => row.delivered_at !== null && row.next_attempt_at === null && row.attempts === 1 && row.failed_at === null)).toBe(true);
    expect(await counter("portal_notifications_delivered_total", "email")).toBe(deliveredBefore + 2);

    // Delivered rows are done: later runs send nothing.
    expect(await deliverDueNotifications(db.prisma, { config, now: () => plus(new Date(), 7_200) })).toMatchObject({ delivered: 0, retried: 0, failed: 0 });
    expect(smtp.messages).toHaveLength(2);
    expect(hook.requests).toHaveLength(1);
  });

  it("writes nothing when the caller's transaction rolls back", async () => {
    smtp = await startSmtpReceiver();
    hook = await startHttpReceiver();
    const config = configFor(smtp.port, [hook.url]);
    await expect(
      db.prisma.$transaction(async (tx) => {
        await enqueueNotification(tx, notice(), { config });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await rows()).toEqual([]);
    await deliverDueNotifications(db.prisma, { config });
    expect(smtp.messages).toEqual([]);
    expect(hook.requests).toEqual([]);
  });

  it("treats a second enqueue with the same dedupe key as a no-op, per channel and recipient", async () => {
    smtp = await startSmtpReceiver();
    hook = await startHttpReceiver();
    const config = configFor(smtp.port, [hook.url]);
    await enqueue(notice({ dedupeKey: "alert:17", recipientPersonIds: [people.admin] }), config);
    await enqueue(notice({ dedupeKey: "alert:17", recipientPersonIds: [people.admin, people.auditor] }), config);
    await enqueue(notice({ dedupeKey: "alert:17", recipientPersonIds: [people.admin, people.auditor] }), config);
    // The same key for the same recipients: nothing new; the auditor, not yet notified under it, is.
    expect((await rows()).map((row) => `${row.channel}:${row.recipient}`)).toEqual(["email:admin@github.example", "email:auditor@github.example", `webhook:${webhookId(hook.url)}`]);
    await deliverDueNotifications(db.prisma, { config });
    expect(smtp.messages.map((mail) => mail.to[0]).sort()).toEqual(["admin@github.example", "auditor@github.example"]);
    expect(hook.requests).toHaveLength(1);
    // After delivery the key still holds.
    await enqueue(notice({ dedupeKey: "alert:17" }), config);
    expect(await rows()).toHaveLength(3);
    // Without a key every enqueue is a new message.
    await enqueue(notice({ recipientPersonIds: [] }), config);
    await enqueue(notice({ recipientPersonIds: [] }), config);
    expect(await rows()).toHaveLength(5);
  });

  it("retries while the relay and the webhook are down, with backoff, and delivers each message once when they are back", async () => {
    const smtpPort = await freePort(); // nothing listens yet
    hook = await startHttpReceiver();
    hook.respondWith(503);
    const config = configFor(smtpPort, [hook.url], { retryBaseSeconds: 30 });
    await enqueue(notice(), config);
    const t0 = new Date();
    const first = await deliverDueNotifications(db.prisma, { config, now: () => t0 });
    // One attempt reaches the dead relay; the other e-mail waits untried for the same retry time.
    expect(first).toMatchObject({ delivered: 0, retried: 2, deferred: 1, failed: 0 });
    const afterFirst = await rows();
    const emails = afterFirst.filter((row) => row.channel === "email");
    expect(emails.map((row) => row.attempts).sort()).toEqual([0, 1]);
    for (const row of emails) expect(new Date(row.next_attempt_at ?? 0).getTime()).toBe(plus(t0, 30).getTime());
    expect(emails.find((row) => row.attempts === 1)?.last_error).toMatch(/ECONNECTION|ECONNREFUSED/);
    const webhookRow = afterFirst.find((row) => row.channel === "webhook");
    expect(webhookRow).toMatchObject({ attempts: 1, last_error: "webhook answered HTTP 503" });
    expect(hook.requests).toHaveLength(1);

    // Not due yet: nothing is tried.
    expect(await deliverDueNotifications(db.prisma, { config, now: () => plus(t0, 29) })).toMatchObject({ delivered: 0, retried: 0, deferred: 0 });
    expect(hook.requests).toHaveLength(1);

    // Still down at the second attempt: the delay doubles.
    const second = await deliverDueNotifications(db.prisma, { config, now: () => plus(t0, 31) });
    expect(second).toMatchObject({ retried: 2, deferred: 1 });
    const webhookAfterSecond = (await rows()).find((row) => row.channel === "webhook");
    expect(webhookAfterSecond?.attempts).toBe(2);
    expect(new Date(webhookAfterSecond?.next_attempt_at ?? 0).getTime()).toBe(plus(t0, 31 + 60).getTime());

    // Both come back.
    smtp = await startSmtpReceiver({ port: smtpPort });
    hook.respondWith(200);
    expect(await deliverDueNotifications(db.prisma, { config, now: () => plus(t0, 92) })).toMatchObject({ delivered: 3, retried: 0, failed: 0 });
    expect(smtp.messages.map((mail) => mail.to[0]).sort()).toEqual(["admin@github.example", "auditor@github.example"]);
    const webhookIds = hook.requests.map((request) => request.headers["x-portal-notification-id"]);
    expect(webhookIds).toHaveLength(3); // two refused, one accepted: the same notification each time
    expect(new Set(webhookIds).size).toBe(1);
    expect((await rows()).every((row) => row.delivered_at !== null && row.last_error === null)).toBe(true);

    // And nothing delivered goes out again.
    await deliverDueNotifications(db.prisma, { config, now: () => plus(t0, 10_000) });
    expect(smtp.messages).toHaveLength(2);
    expect(hook.requests).toHaveLength(3);
  });

  it("gives up after NOTIFY_MAX_ATTEMPTS, keeps the row as failed with the reason, and counts it", async () => {
    hook = await startHttpReceiver();
    hook.respondWith(500);
    const config = configFor(null, [hook.url], { maxAttempts: 3, retryBaseSeconds: 10 });
    const failedBefore = await counter("portal_notifications_failed_total", "webhook");
    await enqueue(notice(), config);
    const t0 = new Date();

    let clock = t0;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await deliverDueNotifications(db.prisma, { config, now: () => clock });
      clock = plus(clock, 10 * 2 ** attempt);
    }
    expect(hook.requests).toHaveLength(3);
    const [row] = await rows();
    expect(row).toMatchObject({ channel: "webhook", attempts: 3, next_attempt_at: null, delivered_at: null, last_error: "webhook answered HTTP 500" });
    expect(row?.failed_at).not.toBeNull();
    expect(await counter("portal_notifications_failed_total", "webhook")).toBe(failedBefore + 1);

    await deliverDueNotifications(db.prisma, { config, now: () => plus(clock, 86_400) });
    expect(hook.requests).toHaveLength(3);

    await collectOutboxMetrics(db.prisma);
    const text = await getMetrics().registry.metrics();
    expect(text).toContain('portal_notification_outbox_depth{channel="webhook",state="failed"} 1');
    expect(text).toContain('portal_notification_outbox_depth{channel="webhook",state="pending"} 0');
  });

  it("fails a recipient the relay refuses for good at once, and still delivers to the others", async () => {
    smtp = await startSmtpReceiver({ reject: ["auditor@github.example"] });
    const config = configFor(smtp.port, []);
    await enqueue(notice(), config);
    expect(await deliverDueNotifications(db.prisma, { config })).toMatchObject({ delivered: 1, failed: 1, retried: 0 });
    const stored = await rows();
    expect(stored.find((row) => row.recipient === "auditor@github.example")).toMatchObject({ attempts: 1, next_attempt_at: null, delivered_at: null });
    expect(stored.find((row) => row.recipient === "auditor@github.example")?.last_error).toMatch(/SMTP 550/);
    expect(smtp.messages.map((mail) => mail.to)).toEqual([["admin@github.example"]]);
  });

  it("reports the backlog: pending rows and the oldest one's age", async () => {
    const config = configFor(await freePort(), []);
    await enqueue(notice(), config);
    await collectOutboxMetrics(db.prisma, plus(new Date(), 120));
    const text = await getMetrics().registry.metrics();
    expect(text).toContain('portal_notification_outbox_depth{channel="email",state="pending"} 2');
    const oldest = text.split("\n").find((line) => line.startsWith('portal_notification_outbox_oldest_pending_seconds{channel="email"}'));
    expect(Number(oldest?.split(" ").at(-1))).toBeGreaterThanOrEqual(119);
  });

  it("writes only to configured channels and active people, at their current address", async () => {
    hook = await startHttpReceiver();
    await db.prisma.person.update({ where: { id: people.viewer }, data: { status: "disabled", disabledAt: new Date(), disabledReason: "left" } });
    try {
      // No SMTP relay: no e-mail rows, the webhook only.
      await enqueue(notice({ recipientPersonIds: [people.admin] }), configFor(null, [hook.url]));
      expect((await rows()).map((row) => row.channel)).toEqual(["webhook"]);
      await db.prisma.notificationOutbox.deleteMany();
      // webhook: false and a disabled person: the active one only.
      await enqueue(notice({ recipientPersonIds: [people.viewer, people.auditor], webhook: false }), configFor(2525, [hook.url]));
      expect((await rows()).map((row) => row.recipient)).toEqual(["auditor@github.example"]);
    } finally {
      await db.prisma.person.update({ where: { id: people.viewer }, data: { status: "active", disabledAt: null, disabledReason: null } });
    }
  });

  it("refuses input that is not a notification, naming the field, and a bare client", async () => {
    const config = configFor(2525, []);
    await expect(enqueue(notice({ link: "//evil.example/x" }), config)).rejects.toThrow(NotificationInputError);
    await expect(enqueue(notice({ link: "https://evil.example/" }), config)).rejects.toThrow(/link must be a portal path/);
    await expect(enqueue(notice({ subject: "two\nlines" }), config)).rejects.toThrow(/subject must be one line/);
    await expect(enqueue(notice({ kind: "nope" as NotificationInput["kind"] }), config)).rejects.toThrow(/kind/);
    await expect(enqueueNotification(db.prisma as never, notice(), { config })).rejects.toThrow(/inside the caller's transaction/);
    expect(await rows()).toEqual([]);
  });

  // Two runs at once need two connections: PostgreSQL only (the embedded database has one).
  if (target.name === "PostgreSQL") {
    it("sends each row once when two delivery runs overlap", async () => {
      hook = await startHttpReceiver();
      const config = configFor(null, [hook.url]);
      for (let index = 0; index < 30; index += 1) await enqueue(notice({ recipientPersonIds: [], subject: `Notice ${index}` }), config);
      const [a, b] = await Promise.all([
        deliverDueNotifications(db.prisma, { config, batchSize: 4 }),
        deliverDueNotifications(db.prisma, { config, batchSize: 4 }),
      ]);
      expect((a?.delivered ?? 0) + (b?.delivered ?? 0)).toBe(30);
      const ids = hook.requests.map((request) => request.headers["x-portal-notification-id"]);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
    });
  }
});
