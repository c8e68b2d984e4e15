-- The notification outbox (server/notify/, docs/ARCHITECTURE.md "Notifications").
-- Rows are written in the transaction of the change they report and delivered
-- by the `notify.deliver` job; `next_attempt_at` is null once a row is
-- delivered or has failed for good, so the index holds the work to do first.

CREATE TABLE "notification_outbox" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "recipient_person_id" UUID,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "link" TEXT NOT NULL,
    "dedupe_key" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(6) DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(6),
    "failed_at" TIMESTAMPTZ(6),
    "last_error" TEXT,

    CONSTRAINT "notification_outbox_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "notification_outbox_channel_check" CHECK ("channel" IN ('email', 'webhook')),
    CONSTRAINT "notification_outbox_link_check" CHECK ("link" LIKE '/%'),
    CONSTRAINT "notification_outbox_state_check" CHECK (
      ("delivered_at" IS NULL OR "failed_at" IS NULL) AND
      (("delivered_at" IS NULL AND "failed_at" IS NULL) = ("next_attempt_at" IS NOT NULL))
    )
);

CREATE UNIQUE INDEX "notification_outbox_channel_recipient_dedupe_key_key" ON "notification_outbox"("channel", "recipient", "dedupe_key");
CREATE INDEX "notification_outbox_next_attempt_at_idx" ON "notification_outbox"("next_attempt_at");
CREATE INDEX "notification_outbox_created_at_idx" ON "notification_outbox"("created_at");
