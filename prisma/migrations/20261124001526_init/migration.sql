-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "event_kind" AS ENUM ('error', 'completion_requested', 'completion_shown', 'completion_redacted', 'completion_accepted', 'completion_rejected', 'completion_persisted', 'other');

-- CreateEnum
CREATE TYPE "ui_kind" AS ENUM ('desktop', 'web');

-- CreateEnum
CREATE TYPE "field_class" AS ENUM ('identifiers', 'environment', 'location', 'measurements', 'content');

-- CreateEnum
CREATE TYPE "employer" AS ENUM ('github', 'microsoft', 'openai');

-- CreateEnum
CREATE TYPE "employment_type" AS ENUM ('employee', 'contractor');

-- CreateEnum
CREATE TYPE "person_status" AS ENUM ('active', 'disabled');

-- CreateEnum
CREATE TYPE "role" AS ENUM ('viewer', 'admin', 'auditor');

-- CreateEnum
CREATE TYPE "group_key" AS ENUM ('copilot_team', 'platform_health', 'microsoft_copilot', 'openai_copilot');

-- CreateEnum
CREATE TYPE "purpose" AS ENUM ('improve_product', 'evaluate_product', 'improve_models', 'guide_related_products', 'investigate_abuse', 'other');

-- CreateEnum
CREATE TYPE "audit_outcome" AS ENUM ('allowed', 'denied', 'error');

-- CreateTable
CREATE TABLE "telemetry_event" (
    "id" UUID NOT NULL,
    "kind" "event_kind" NOT NULL,
    "event_name" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source_id" UUID,
    "machine_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "completion_id" TEXT,
    "vscode_version" TEXT NOT NULL,
    "extension_name" TEXT NOT NULL DEFAULT 'GitHub.copilot',
    "extension_version" TEXT NOT NULL,
    "os" TEXT NOT NULL,
    "os_version" TEXT NOT NULL,
    "ui_kind" "ui_kind" NOT NULL,
    "language_id" TEXT,
    "extension_settings" JSONB,
    "country" CHAR(2),
    "region" TEXT,
    "city" TEXT,
    "error_kind" TEXT,
    "error_context" JSONB,
    "latency_ms" INTEGER,
    "model_certainty" DOUBLE PRECISION,
    "suggestion_count" INTEGER,
    "suggestion_char_length" INTEGER,
    "post_processing" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "redaction_filter" TEXT,
    "accepted" BOOLEAN,
    "persistence_check_sec" INTEGER,
    "persistence_ratio" DOUBLE PRECISION,
    "measurements" JSONB,
    "content_ciphertext" BYTEA,
    "content_key_id" TEXT,

    CONSTRAINT "telemetry_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingestion_key" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by_id" UUID,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "ingestion_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_name_mapping" (
    "event_name" TEXT NOT NULL,
    "kind" "event_kind" NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_name_mapping_pkey" PRIMARY KEY ("event_name")
);

-- CreateTable
CREATE TABLE "property_classification" (
    "name" TEXT NOT NULL,
    "field_class" "field_class" NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "property_classification_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "person" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "employer" "employer" NOT NULL,
    "employment_type" "employment_type" NOT NULL,
    "status" "person_status" NOT NULL DEFAULT 'active',
    "disabled_at" TIMESTAMPTZ(3),
    "disabled_reason" TEXT,
    "oidc_issuer" TEXT,
    "oidc_subject" TEXT,
    "bound_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_group" (
    "key" "group_key" NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "event_kinds" "event_kind"[],
    "field_classes" "field_class"[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "access_group_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "grant" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "group_key" "group_key",
    "role" "role",
    "justification" TEXT NOT NULL,
    "granted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "granted_by_id" UUID,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by_id" UUID,
    "revoke_reason" TEXT,

    CONSTRAINT "grant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_user" (
    "id" UUID NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "email_verified" TIMESTAMPTZ(3),
    "image" TEXT,
    "person_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auth_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_account" (
    "user_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_account_id" TEXT NOT NULL,
    "refresh_token" TEXT,
    "access_token" TEXT,
    "expires_at" INTEGER,
    "token_type" TEXT,
    "scope" TEXT,
    "id_token" TEXT,
    "session_state" TEXT,

    CONSTRAINT "auth_account_pkey" PRIMARY KEY ("provider","provider_account_id")
);

-- CreateTable
CREATE TABLE "auth_session" (
    "session_token" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "expires" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "purpose" "purpose",
    "purpose_detail" TEXT,
    "purpose_set_at" TIMESTAMPTZ(3),

    CONSTRAINT "auth_session_pkey" PRIMARY KEY ("session_token")
);

-- CreateTable
CREATE TABLE "auth_verification_token" (
    "identifier" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expires" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_verification_token_pkey" PRIMARY KEY ("identifier","token")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" BIGSERIAL NOT NULL,
    "chain_id" SMALLINT NOT NULL,
    "seq" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "request_id" TEXT NOT NULL,
    "actor_person_id" UUID,
    "actor_email" TEXT,
    "actor_employer" "employer",
    "actor_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "actor_roles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "actor_ip" TEXT,
    "actor_user_agent" TEXT,
    "action" TEXT NOT NULL,
    "outcome" "audit_outcome" NOT NULL,
    "reason" TEXT,
    "purpose" "purpose",
    "purpose_detail" TEXT,
    "target_type" TEXT,
    "target_id" TEXT,
    "event_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "machine_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "field_classes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "filters" JSONB,
    "row_count" INTEGER,
    "file_sha256" TEXT,
    "before" JSONB,
    "after" JSONB,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_chain_head" (
    "chain_id" SMALLINT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_chain_head_pkey" PRIMARY KEY ("chain_id")
);

-- CreateIndex
CREATE INDEX "telemetry_event_time_id_idx" ON "telemetry_event"("time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "telemetry_event_kind_time_id_idx" ON "telemetry_event"("kind", "time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "telemetry_event_machine_time_idx" ON "telemetry_event"("machine_id", "time" DESC);

-- CreateIndex
CREATE INDEX "telemetry_event_session_time_idx" ON "telemetry_event"("session_id", "time" DESC);

-- CreateIndex
CREATE INDEX "telemetry_event_completion_idx" ON "telemetry_event"("completion_id");

-- CreateIndex
CREATE UNIQUE INDEX "ingestion_key_key_hash_key" ON "ingestion_key"("key_hash");

-- CreateIndex
CREATE UNIQUE INDEX "person_email_key" ON "person"("email");

-- CreateIndex
CREATE UNIQUE INDEX "person_oidc_issuer_oidc_subject_key" ON "person"("oidc_issuer", "oidc_subject");

-- CreateIndex
CREATE INDEX "grant_person_id_expires_at_idx" ON "grant"("person_id", "expires_at");

-- CreateIndex
CREATE INDEX "grant_expires_at_idx" ON "grant"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "auth_user_email_key" ON "auth_user"("email");

-- CreateIndex
CREATE UNIQUE INDEX "auth_user_person_id_key" ON "auth_user"("person_id");

-- CreateIndex
CREATE INDEX "auth_session_user_id_idx" ON "auth_session"("user_id");

-- CreateIndex
CREATE INDEX "audit_event_occurred_at_id_idx" ON "audit_event"("occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_event_actor_person_id_occurred_at_idx" ON "audit_event"("actor_person_id", "occurred_at" DESC);

-- CreateIndex
CREATE INDEX "audit_event_action_occurred_at_idx" ON "audit_event"("action", "occurred_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_chain_id_seq_key" ON "audit_event"("chain_id", "seq");

-- AddForeignKey
ALTER TABLE "telemetry_event" ADD CONSTRAINT "telemetry_event_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "ingestion_key"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ingestion_key" ADD CONSTRAINT "ingestion_key_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ingestion_key" ADD CONSTRAINT "ingestion_key_revoked_by_id_fkey" FOREIGN KEY ("revoked_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grant" ADD CONSTRAINT "grant_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grant" ADD CONSTRAINT "grant_granted_by_id_fkey" FOREIGN KEY ("granted_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grant" ADD CONSTRAINT "grant_revoked_by_id_fkey" FOREIGN KEY ("revoked_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grant" ADD CONSTRAINT "grant_group_key_fkey" FOREIGN KEY ("group_key") REFERENCES "access_group"("key") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_user" ADD CONSTRAINT "auth_user_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_account" ADD CONSTRAINT "auth_account_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_session" ADD CONSTRAINT "auth_session_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Added by hand (Prisma cannot express CHECK constraints) ---------------------

-- A grant names either a group or a role, never both, never neither.
ALTER TABLE "grant" ADD CONSTRAINT grant_exactly_one_target CHECK ((group_key IS NULL) <> (role IS NULL));

-- Every grant carries a real justification: not empty once whitespace is trimmed.
ALTER TABLE "grant" ADD CONSTRAINT grant_justification_not_blank CHECK (justification ~ '[^[:space:]]');
