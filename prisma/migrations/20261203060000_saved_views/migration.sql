-- Saved and shared explorer views (issue 14 item 5; server/data/views/,
-- docs/ARCHITECTURE.md "Saved views carry the query, never the data").
-- A view is the explorer's query (filters, columns, sort, time range) as the
-- query-string parameters lib/telemetry/saved-view.ts validates, never rows.
-- visibility 'personal': only the owner lists and opens it; 'group': members
-- of group_key too (checked per request against the opener's grants in force).

CREATE TYPE "view_visibility" AS ENUM ('personal', 'group');

CREATE TABLE "saved_view" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "owner_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "visibility" "view_visibility" NOT NULL,
    "group_key" "group_key",
    "query" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saved_view_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "saved_view_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    -- a shared view names its group; a personal one none
    CONSTRAINT "saved_view_group" CHECK (("visibility" = 'group') = ("group_key" IS NOT NULL)),
    CONSTRAINT "saved_view_name" CHECK (char_length(btrim("name")) BETWEEN 1 AND 120),
    CONSTRAINT "saved_view_query" CHECK (jsonb_typeof("query") = 'object')
);

CREATE INDEX "saved_view_owner_id_name_idx" ON "saved_view"("owner_id", "name");
CREATE INDEX "saved_view_group_key_name_idx" ON "saved_view"("group_key", "name");
