-- Periodic access reviews (issue 13 item 4): per group, on a cadence, a
-- campaign lists every grant of the group with its usage (read from the audit
-- trail when shown); reviewers keep or revoke each with a reason; when the
-- campaign ends, the unreviewed grants get the campaign's consequence (revoke
-- or flag). Written by hand to match schema.prisma; runs on PGlite and
-- PostgreSQL 15.

-- Per group: days between campaigns and what befalls an unreviewed grant
-- (NULL: the defaults ACCESS_REVIEW_CADENCE_DAYS / ACCESS_REVIEW_CONSEQUENCE).
CREATE TYPE "access_review_consequence" AS ENUM ('revoke', 'flag');
ALTER TABLE "access_group" ADD COLUMN "review_cadence_days" SMALLINT;
ALTER TABLE "access_group" ADD COLUMN "review_consequence" "access_review_consequence";
ALTER TABLE "access_group" ADD CONSTRAINT access_group_review_cadence_range CHECK (review_cadence_days IS NULL OR review_cadence_days BETWEEN 7 AND 730);

CREATE TYPE "access_review_status" AS ENUM ('open', 'closed');
CREATE TYPE "access_review_decision" AS ENUM ('keep', 'revoke');
-- what the close did to an item nobody reviewed
CREATE TYPE "access_review_outcome" AS ENUM ('kept', 'revoked', 'revoked_unreviewed', 'flagged_unreviewed', 'ended_before_review');

CREATE TABLE "access_review_campaign" (
    "id" UUID NOT NULL,
    "group_key" "group_key" NOT NULL,
    "status" "access_review_status" NOT NULL DEFAULT 'open',
    -- usage is counted from period_start to closes_at (or now, while open)
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closes_at" TIMESTAMPTZ(3) NOT NULL,
    "consequence" "access_review_consequence" NOT NULL,
    -- NULL: opened by the access-reviews.open job on the group's cadence
    "opened_by_id" UUID,
    "reason" TEXT NOT NULL,
    "last_reminded_at" TIMESTAMPTZ(3),
    "reminders_sent" INTEGER NOT NULL DEFAULT 0,
    "closed_at" TIMESTAMPTZ(3),
    -- NULL: closed by the access-reviews.close job when closes_at passed
    "closed_by_id" UUID,

    CONSTRAINT "access_review_campaign_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "access_review_item" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "grant_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    -- the grant's expiry when the campaign opened
    "grant_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "decision" "access_review_decision",
    "reason" TEXT,
    "decided_by_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "outcome" "access_review_outcome",

    CONSTRAINT "access_review_item_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "access_review_campaign_group_key_opened_at_idx" ON "access_review_campaign"("group_key", "opened_at" DESC);
CREATE INDEX "access_review_campaign_status_closes_at_idx" ON "access_review_campaign"("status", "closes_at");
CREATE UNIQUE INDEX "access_review_item_campaign_id_grant_id_key" ON "access_review_item"("campaign_id", "grant_id");
CREATE INDEX "access_review_item_person_id_idx" ON "access_review_item"("person_id");

ALTER TABLE "access_review_campaign" ADD CONSTRAINT "access_review_campaign_group_key_fkey" FOREIGN KEY ("group_key") REFERENCES "access_group"("key") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "access_review_campaign" ADD CONSTRAINT "access_review_campaign_opened_by_id_fkey" FOREIGN KEY ("opened_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "access_review_campaign" ADD CONSTRAINT "access_review_campaign_closed_by_id_fkey" FOREIGN KEY ("closed_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "access_review_item" ADD CONSTRAINT "access_review_item_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "access_review_campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "access_review_item" ADD CONSTRAINT "access_review_item_grant_id_fkey" FOREIGN KEY ("grant_id") REFERENCES "grant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "access_review_item" ADD CONSTRAINT "access_review_item_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "access_review_item" ADD CONSTRAINT "access_review_item_decided_by_id_fkey" FOREIGN KEY ("decided_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Added by hand ----------------------------------------------------------------

-- One open campaign per group (two openers racing cannot both open one).
CREATE UNIQUE INDEX "access_review_campaign_one_open" ON "access_review_campaign" ("group_key") WHERE status = 'open';
ALTER TABLE "access_review_campaign" ADD CONSTRAINT access_review_campaign_window CHECK (closes_at > opened_at AND period_start <= opened_at);
ALTER TABLE "access_review_campaign" ADD CONSTRAINT access_review_campaign_closed CHECK ((status = 'closed') = (closed_at IS NOT NULL));
ALTER TABLE "access_review_campaign" ADD CONSTRAINT access_review_campaign_reason_not_blank CHECK (reason ~ '[^[:space:]]');
ALTER TABLE "access_review_item" ADD CONSTRAINT access_review_item_decided CHECK (
  (decision IS NULL) = (decided_at IS NULL) AND (decision IS NULL OR (reason IS NOT NULL AND reason ~ '[^[:space:]]'))
);

-- A campaign is closed once and then stays as it was; an item is decided
-- once, and its outcome is set once (by the decision or by the close). Nothing
-- is deleted: the campaign is the review's record.
CREATE FUNCTION access_review_campaign_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'access review campaigns are kept';
  END IF;
  IF OLD.status = 'closed' THEN
    RAISE EXCEPTION 'access review campaign % is closed', OLD.id;
  END IF;
  IF NEW.group_key <> OLD.group_key OR NEW.period_start <> OLD.period_start OR NEW.opened_at <> OLD.opened_at
     OR NEW.consequence <> OLD.consequence OR NEW.opened_by_id IS DISTINCT FROM OLD.opened_by_id THEN
    RAISE EXCEPTION 'an access review campaign''s terms never change';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER access_review_campaign_guard BEFORE UPDATE OR DELETE ON "access_review_campaign"
  FOR EACH ROW EXECUTE FUNCTION access_review_campaign_guard();

CREATE FUNCTION access_review_item_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'access review items are kept';
  END IF;
  IF NEW.campaign_id <> OLD.campaign_id OR NEW.grant_id <> OLD.grant_id OR NEW.person_id <> OLD.person_id OR NEW.grant_expires_at <> OLD.grant_expires_at THEN
    RAISE EXCEPTION 'an access review item''s grant never changes';
  END IF;
  IF OLD.decision IS NOT NULL AND (NEW.decision IS DISTINCT FROM OLD.decision OR NEW.reason IS DISTINCT FROM OLD.reason
     OR NEW.decided_by_id IS DISTINCT FROM OLD.decided_by_id OR NEW.decided_at IS DISTINCT FROM OLD.decided_at) THEN
    RAISE EXCEPTION 'access review item % was already decided (%)', OLD.id, OLD.decision;
  END IF;
  IF OLD.outcome IS NOT NULL AND NEW.outcome IS DISTINCT FROM OLD.outcome THEN
    RAISE EXCEPTION 'access review item % already has its outcome (%)', OLD.id, OLD.outcome;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER access_review_item_guard BEFORE UPDATE OR DELETE ON "access_review_item"
  FOR EACH ROW EXECUTE FUNCTION access_review_item_guard();
