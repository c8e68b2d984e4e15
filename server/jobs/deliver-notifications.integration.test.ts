// The `notify.deliver` job as the portal runs it: configured from the
// environment (SMTP_URL, NOTIFY_WEBHOOK_URL, NOTIFY_WEBHOOK_SECRET), an
// audited change enqueuing in its own transaction without passing any
// configuration (as the data layer does), and the job runner (pg-boss)
// delivering to a real SMTP relay and a real webhook; the outbox's backlog is
// exported when Prometheus scrapes.
import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/connect";
import { enqueueNotification } from "@/server/notify/enqueue";
import { getMetrics } from "@/server/observability/metrics";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "@/test/mail-receivers";
import { seededTestTargets } from "@/test/test-databases";
import { deliverNotificationsJob } from "./deliver-notifications";
import { createJobRunner } from "./job-runner";

const KEYS = [{ id: "notify2", key: randomBytes(32) }];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let smtp: SmtpReceiver;
let hook: HttpReceiver;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  hook = await startHttpReceiver();
  // Read once, on first use (server/config/env.ts): set before anything asks.
  process.env.CONTENT_ENCRYPTION_KEYS = `itk1:${Buffer.alloc(32, 17).toString("base64")}`;
  process.env.AUTH_SECRET = "integration-test-secret-integration-test-secret";
  process.env.PORTAL_URL = "https://telemetry.example.com";
  process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
  process.env.NOTIFY_FROM = "Telemetry Portal <portal@telemetry.example.com>";
  process.env.NOTIFY_WEBHOOK_URL = hook.url;
  process.env.NOTIFY_WEBHOOK_SECRET = "integration-webhook-secret";
});

afterAll(async () => {
  await smtp?.close();
  await hook?.close();
});

describe.each(seededTestTargets({ label: "notify_job", keys: KEYS }))("the notify.deliver job on $name", (target) => {
  let db: Database;

  beforeAll(async () => {
    db = await target.open();
  });

  afterAll(async () => {
    await db?.close();
    await target.dispose();
  });

  it("delivers what a committed transaction enqueued, through the job queue, configured from the environment", async () => {
    const [mailsBefore, postsBefore] = [smtp.messages.length, hook.requests.length];
    const auditor = await db.prisma.person.findUniqueOrThrow({ where: { email: "auditor@github.example" } });
    const subject = `Break-glass used (${target.name})`;
    await db.prisma.$transaction((tx) =>
      enqueueNotification(tx, { kind: "break_glass.used", subject, text: "Someone took emergency access.", link: "/access/break-glass/1", recipientPersonIds: [auditor.id] }),
    );

    const runner = createJobRunner({
      database: db,
      databaseUrl: target.databaseUrl,
      jobs: [deliverNotificationsJob],
      timing: { cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1, pollingIntervalSeconds: 0.5 },
      logger: pino({ level: "silent" }),
    });
    await runner.start();
    try {
      await runner.runNow(deliverNotificationsJob.name);
      const deadline = Date.now() + 30_000;
      while ((smtp.messages.length === mailsBefore || hook.requests.length === postsBefore) && Date.now() < deadline) await sleep(100);

      const mails = smtp.messages.slice(mailsBefore);
      expect(mails.map((mail) => [mail.to, mail.headers.subject])).toEqual([[["auditor@github.example"], subject]]);
      expect(mails[0]?.text).toContain("https://telemetry.example.com/access/break-glass/1");
      const posts = hook.requests.slice(postsBefore);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.headers["x-portal-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(JSON.parse(posts[0]?.body ?? "{}")).toMatchObject({ notification: { kind: "break_glass.used", link: "https://telemetry.example.com/access/break-glass/1" } });

      // Scraped: nothing pending any more.
      const deadline2 = Date.now() + 10_000;
      let text = "";
      do {
        text = await getMetrics().registry.metrics();
        // The hook sees the POST before the job marks the row delivered: wait for both channels.
        if (["email", "webhook"].every((channel) => text.includes(`portal_notification_outbox_depth{channel="${channel}",state="pending"} 0`))) break;
        await sleep(200);
      } while (Date.now() < deadline2);
      expect(text).toContain('portal_notification_outbox_depth{channel="email",state="pending"} 0');
      expect(text).toContain('portal_notification_outbox_depth{channel="webhook",state="pending"} 0');
    } finally {
      await runner.stop({ timeoutMs: 5_000 });
    }
    // A stopped runner reports nothing rather than a stale number.
    expect(await getMetrics().registry.metrics()).not.toContain("portal_notification_outbox_depth{");
  });
});
