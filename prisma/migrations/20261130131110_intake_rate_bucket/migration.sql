-- The intake's per-key token buckets, in the database so that every portal
-- instance draws on the same bucket (server/ingest/rate-limit.ts takes tokens
-- with one INSERT … ON CONFLICT DO UPDATE). No row = a full bucket; the
-- `intake.rate-buckets.purge` job deletes rows that have refilled.
-- CreateTable
CREATE TABLE "intake_rate_bucket" (
    "key_id" UUID NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "intake_rate_bucket_pkey" PRIMARY KEY ("key_id")
);

-- AddForeignKey
ALTER TABLE "intake_rate_bucket" ADD CONSTRAINT "intake_rate_bucket_key_id_fkey" FOREIGN KEY ("key_id") REFERENCES "ingestion_key"("id") ON DELETE CASCADE ON UPDATE CASCADE;
