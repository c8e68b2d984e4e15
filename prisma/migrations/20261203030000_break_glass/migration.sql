-- Break-glass (issue 13 item 5), the manager relationship (the "no one
-- approves, alone, a request of someone they manage" rule) and the record of
-- grant-expired notices. Written by hand to match schema.prisma; runs on
-- PGlite and PostgreSQL 15.

-- Who manages whom: set by an admin or by the identity provider (SCIM
-- enterprise extension `manager`). Never oneself.
ALTER TABLE "person" ADD COLUMN "manager_id" UUID;
ALTER TABLE "person" ADD CONSTRAINT "person_manager_id_fkey" FOREIGN KEY ("manager_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "person" ADD CONSTRAINT "person_manager_not_self" CHECK ("manager_id" IS NULL OR "manager_id" <> "id");
CREATE INDEX "person_manager_id_idx" ON "person"("manager_id");

-- The named on-call people of a group: the only ones who may take break-glass access to it.
CREATE TABLE "break_glass_on_call" (
    "group_key" "group_key" NOT NULL,
    "person_id" UUID NOT NULL,
    "added_by_id" UUID,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "break_glass_on_call_pkey" PRIMARY KEY ("group_key", "person_id")
);
ALTER TABLE "break_glass_on_call" ADD CONSTRAINT "break_glass_on_call_group_key_fkey" FOREIGN KEY ("group_key") REFERENCES "access_group"("key") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "break_glass_on_call" ADD CONSTRAINT "break_glass_on_call_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "break_glass_on_call" ADD CONSTRAINT "break_glass_on_call_added_by_id_fkey" FOREIGN KEY ("added_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- One emergency access: in force from started_at until expires_at (or ended_at,
-- if ended early), kept forever, reviewed afterwards by someone else.
CREATE TABLE "break_glass_access" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "group_key" "group_key" NOT NULL,
    "reason" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "ended_by_id" UUID,
    "reviewed_at" TIMESTAMPTZ(3),
    "reviewed_by_id" UUID,
    "review_outcome" TEXT,
    "review_notes" TEXT,

    CONSTRAINT "break_glass_access_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "break_glass_access_window" CHECK ("expires_at" > "started_at"),
    CONSTRAINT "break_glass_access_review_outcome" CHECK ("review_outcome" IS NULL OR "review_outcome" IN ('appropriate', 'inappropriate')),
    CONSTRAINT "break_glass_access_review_complete" CHECK (("reviewed_at" IS NULL) = ("reviewed_by_id" IS NULL) AND ("reviewed_at" IS NULL) = ("review_outcome" IS NULL)),
    -- the post-review is someone else's
    CONSTRAINT "break_glass_access_review_by_another" CHECK ("reviewed_by_id" IS NULL OR "reviewed_by_id" <> "person_id")
);
ALTER TABLE "break_glass_access" ADD CONSTRAINT "break_glass_access_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "break_glass_access" ADD CONSTRAINT "break_glass_access_group_key_fkey" FOREIGN KEY ("group_key") REFERENCES "access_group"("key") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "break_glass_access" ADD CONSTRAINT "break_glass_access_ended_by_id_fkey" FOREIGN KEY ("ended_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "break_glass_access" ADD CONSTRAINT "break_glass_access_reviewed_by_id_fkey" FOREIGN KEY ("reviewed_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "break_glass_access_person_id_started_at_idx" ON "break_glass_access"("person_id", "started_at" DESC);
CREATE INDEX "break_glass_access_started_at_idx" ON "break_glass_access"("started_at" DESC);
-- The post-review gate, in the database too: one unreviewed break-glass per person at most.
CREATE UNIQUE INDEX "break_glass_access_one_unreviewed" ON "break_glass_access"("person_id") WHERE "reviewed_at" IS NULL;
