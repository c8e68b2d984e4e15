-- Audit alerts (server/audit/alerts/, docs/ARCHITECTURE.md "Audit alerts"):
-- the alerts raised, the job's per-chain read cursor, and each person's time
-- zone for the working-hours rule.

ALTER TABLE "person" ADD COLUMN "time_zone" TEXT NOT NULL DEFAULT 'UTC';

CREATE TABLE "audit_alert" (
    "id" BIGSERIAL NOT NULL,
    "rule" TEXT NOT NULL,
    "subject_key" TEXT NOT NULL,
    "person_id" UUID,
    "subject_label" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(6) NOT NULL,
    "window_end" TIMESTAMPTZ(6) NOT NULL,
    "count" BIGINT NOT NULL,
    "threshold" BIGINT NOT NULL,
    "audit_event_ids" BIGINT[],
    "audit_event_count" INTEGER NOT NULL,
    "summary" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_alert_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "audit_alert_rule_subject_key_window_end_key" ON "audit_alert"("rule", "subject_key", "window_end");
CREATE INDEX "audit_alert_created_at_id_idx" ON "audit_alert"("created_at" DESC, "id" DESC);

-- Append-only, like the trail it is drawn from (the function comes from the audit_merkle_log migration).
CREATE TRIGGER audit_alert_no_update_delete BEFORE UPDATE OR DELETE ON audit_alert
FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_alert_no_truncate BEFORE TRUNCATE ON audit_alert
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

CREATE TABLE "audit_alert_cursor" (
    "chain_id" SMALLINT NOT NULL,
    "seq" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_alert_cursor_pkey" PRIMARY KEY ("chain_id")
);

-- Alerts are raised for rows written from now on: the trail's history is not re-judged.
INSERT INTO "audit_alert_cursor" ("chain_id", "seq") SELECT "chain_id", "seq" FROM "audit_chain_head";
