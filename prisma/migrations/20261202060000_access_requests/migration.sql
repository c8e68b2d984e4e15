-- Access governance (issue 13): telemetry access as one grant, access requests
-- and their approvals, per-group approvers and approval counts, and expiry
-- reminders. Written by hand to match schema.prisma; runs on PGlite and PostgreSQL 15.

-- Telemetry access is one row: a group and the viewer role together. A grant
-- still names a group alone or a role alone (older grants, admin and auditor).
ALTER TABLE "grant" DROP CONSTRAINT grant_exactly_one_target;
ALTER TABLE "grant" ADD CONSTRAINT grant_target CHECK (
  (group_key IS NOT NULL OR role IS NOT NULL) AND (group_key IS NULL OR role IS NULL OR role = 'viewer')
);

-- How many distinct approvers a group's requests need.
ALTER TABLE "access_group" ADD COLUMN "approvals_required" SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE "access_group" ADD COLUMN "sensitive_approvals_required" SMALLINT NOT NULL DEFAULT 2;
ALTER TABLE "access_group" ADD CONSTRAINT access_group_approvals_range CHECK (approvals_required BETWEEN 1 AND 3);
ALTER TABLE "access_group" ADD CONSTRAINT access_group_sensitive_approvals_range CHECK (sensitive_approvals_required BETWEEN 2 AND 3);

-- CreateEnum
CREATE TYPE "access_request_kind" AS ENUM ('access', 'extension');

-- CreateEnum
CREATE TYPE "access_request_status" AS ENUM ('pending', 'approved', 'denied', 'cancelled', 'expired');

-- CreateTable
CREATE TABLE "access_request" (
    "id" UUID NOT NULL,
    "kind" "access_request_kind" NOT NULL,
    "requester_id" UUID NOT NULL,
    "group_key" "group_key" NOT NULL,
    "duration_days" SMALLINT NOT NULL,
    "justification" TEXT NOT NULL,
    "ticket_ref" TEXT,
    "grant_id" UUID,
    "approvals_required" SMALLINT NOT NULL,
    "approvals_reason" TEXT,
    "status" "access_request_status" NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lapses_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3),
    "decided_by_id" UUID,
    "decision_reason" TEXT,

    CONSTRAINT "access_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_request_approval" (
    "request_id" UUID NOT NULL,
    "approver_id" UUID NOT NULL,
    "approved_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "comment" TEXT,

    CONSTRAINT "access_request_approval_pkey" PRIMARY KEY ("request_id","approver_id")
);

-- CreateTable
CREATE TABLE "group_approver" (
    "group_key" "group_key" NOT NULL,
    "person_id" UUID NOT NULL,
    "added_by_id" UUID,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "group_approver_pkey" PRIMARY KEY ("group_key","person_id")
);

-- CreateTable
CREATE TABLE "grant_reminder" (
    "grant_id" UUID NOT NULL,
    "days_before" SMALLINT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "grant_reminder_pkey" PRIMARY KEY ("grant_id","days_before","expires_at")
);

-- CreateIndex
CREATE INDEX "access_request_requester_id_created_at_idx" ON "access_request"("requester_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "access_request_status_created_at_idx" ON "access_request"("status", "created_at" DESC);

-- CreateIndex
CREATE INDEX "access_request_group_key_created_at_idx" ON "access_request"("group_key", "created_at" DESC);

-- CreateIndex
CREATE INDEX "access_request_approval_approver_id_approved_at_idx" ON "access_request_approval"("approver_id", "approved_at" DESC);

-- AddForeignKey
ALTER TABLE "access_request" ADD CONSTRAINT "access_request_requester_id_fkey" FOREIGN KEY ("requester_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "access_request" ADD CONSTRAINT "access_request_decided_by_id_fkey" FOREIGN KEY ("decided_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "access_request" ADD CONSTRAINT "access_request_group_key_fkey" FOREIGN KEY ("group_key") REFERENCES "access_group"("key") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "access_request" ADD CONSTRAINT "access_request_grant_id_fkey" FOREIGN KEY ("grant_id") REFERENCES "grant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "access_request_approval" ADD CONSTRAINT "access_request_approval_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "access_request"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "access_request_approval" ADD CONSTRAINT "access_request_approval_approver_id_fkey" FOREIGN KEY ("approver_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_approver" ADD CONSTRAINT "group_approver_group_key_fkey" FOREIGN KEY ("group_key") REFERENCES "access_group"("key") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_approver" ADD CONSTRAINT "group_approver_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_approver" ADD CONSTRAINT "group_approver_added_by_id_fkey" FOREIGN KEY ("added_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grant_reminder" ADD CONSTRAINT "grant_reminder_grant_id_fkey" FOREIGN KEY ("grant_id") REFERENCES "grant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Added by hand ----------------------------------------------------------------

ALTER TABLE "access_request" ADD CONSTRAINT access_request_duration_range CHECK (duration_days BETWEEN 1 AND 3650);
ALTER TABLE "access_request" ADD CONSTRAINT access_request_approvals_range CHECK (approvals_required BETWEEN 1 AND 3);
ALTER TABLE "access_request" ADD CONSTRAINT access_request_justification_not_blank CHECK (justification ~ '[^[:space:]]');
ALTER TABLE "access_request" ADD CONSTRAINT access_request_extension_names_grant CHECK (kind <> 'extension' OR grant_id IS NOT NULL);
ALTER TABLE "access_request" ADD CONSTRAINT access_request_decided CHECK ((status = 'pending') = (decided_at IS NULL));
ALTER TABLE "access_request" ADD CONSTRAINT access_request_approved_has_grant CHECK (status <> 'approved' OR grant_id IS NOT NULL);

-- One open request per person and group; one approved access request per grant
-- made (two approvals racing cannot both create a grant).
CREATE UNIQUE INDEX "access_request_one_pending" ON "access_request" ("requester_id", "group_key") WHERE status = 'pending';
CREATE UNIQUE INDEX "access_request_one_per_new_grant" ON "access_request" ("grant_id") WHERE kind = 'access';

-- A request is decided once: only a pending request changes, and nothing but
-- its decision; no row is deleted (every request and decision is kept forever).
CREATE FUNCTION access_request_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'access requests are kept forever';
  END IF;
  IF OLD.status <> 'pending' THEN
    RAISE EXCEPTION 'access request % was already decided (%)', OLD.id, OLD.status;
  END IF;
  IF NEW.kind <> OLD.kind OR NEW.requester_id <> OLD.requester_id OR NEW.group_key <> OLD.group_key
     OR NEW.duration_days <> OLD.duration_days OR NEW.justification <> OLD.justification
     OR NEW.ticket_ref IS DISTINCT FROM OLD.ticket_ref OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'an access request''s content never changes';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER access_request_decided_once BEFORE UPDATE OR DELETE ON "access_request"
  FOR EACH ROW EXECUTE FUNCTION access_request_decided_once();

CREATE FUNCTION access_request_approval_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'approvals are append-only';
END;
$$;
CREATE TRIGGER access_request_approval_append_only BEFORE UPDATE OR DELETE ON "access_request_approval"
  FOR EACH ROW EXECUTE FUNCTION access_request_approval_append_only();
