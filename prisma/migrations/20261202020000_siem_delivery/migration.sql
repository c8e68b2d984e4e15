-- Streaming the audit trail to a SIEM (server/siem/, docs/SIEM.md).
--
-- audit_event itself is the outbox: a row commits with the access it records,
-- so delivery adds nothing to the request path. Per sink, siem_sink holds the
-- delivery lease (one worker at a time, across instances) and the last
-- attempt's outcome; siem_delivery_cursor holds, per audit chain, the last seq
-- the sink acknowledged. A cursor only moves after an acknowledgement, and
-- only by the lease holder, so rows go out at least once and in order per chain.

-- CreateTable
CREATE TABLE "siem_sink" (
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "destination" TEXT NOT NULL,
    "start_from" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_holder" UUID,
    "lease_expires_at" TIMESTAMPTZ(6),
    "last_attempt_at" TIMESTAMPTZ(6),
    "last_success_at" TIMESTAMPTZ(6),
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(6),
    "failures" INTEGER NOT NULL DEFAULT 0,
    "delivered_total" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "siem_sink_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "siem_delivery_cursor" (
    "sink" TEXT NOT NULL,
    "chain_id" SMALLINT NOT NULL,
    "delivered_seq" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "siem_delivery_cursor_pkey" PRIMARY KEY ("sink","chain_id")
);

-- AddForeignKey
ALTER TABLE "siem_delivery_cursor" ADD CONSTRAINT "siem_delivery_cursor_sink_fkey" FOREIGN KEY ("sink") REFERENCES "siem_sink"("name") ON DELETE CASCADE ON UPDATE CASCADE;
