-- SCIM 2.0 provisioning (server/scim/): bearer tokens for identity providers,
-- and what the identity provider knows of a person.
ALTER TABLE "person" ADD COLUMN "scim_external_id" TEXT;
ALTER TABLE "person" ADD COLUMN "removed_at" TIMESTAMPTZ(3);

CREATE TABLE "scim_token" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by_id" UUID,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "scim_token_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "scim_token_token_hash_key" ON "scim_token"("token_hash");

ALTER TABLE "scim_token" ADD CONSTRAINT "scim_token_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "scim_token" ADD CONSTRAINT "scim_token_revoked_by_id_fkey" FOREIGN KEY ("revoked_by_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
