-- Incremental verification and witnesses for the audit Merkle log
-- (docs/ARCHITECTURE.md, "Audit proofs"; server/audit/checkpoints/).
--
-- audit_verification: every successful verification (full or incremental),
--   with where it got to: the signed checkpoint (size, root, frontier) and
--   each chain's (seq, hash). The newest row is where the next incremental
--   run starts.
-- audit_checkpoint_cosignature: what the witnesses this log submits to
--   answered (C2SP tlog-cosignature/v1 lines on our checkpoints).
-- audit_witnessed_checkpoint: what this portal, acting as a witness for
--   another log, verified and cosigned (C2SP tlog-witness).
-- All three are append-only, like the rest of the log.

CREATE TABLE "audit_verification" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "tree_size" BIGINT NOT NULL,
    "root_hash" TEXT NOT NULL,
    "frontier" TEXT[],
    "chain_heads" JSONB NOT NULL,
    "row_count" BIGINT NOT NULL,
    "verified_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_verification_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "audit_checkpoint_cosignature" (
    "id" BIGSERIAL NOT NULL,
    "tree_size" BIGINT NOT NULL,
    "witness" TEXT NOT NULL,
    "witness_url" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_checkpoint_cosignature_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "audit_checkpoint_cosignature_tree_size_witness_key" ON "audit_checkpoint_cosignature"("tree_size", "witness");

CREATE TABLE "audit_witnessed_checkpoint" (
    "id" BIGSERIAL NOT NULL,
    "origin" TEXT NOT NULL,
    "tree_size" BIGINT NOT NULL,
    "root_hash" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "cosignature" TEXT NOT NULL,
    "witnessed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_witnessed_checkpoint_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "audit_witnessed_checkpoint_origin_tree_size_key" ON "audit_witnessed_checkpoint"("origin", "tree_size");

CREATE TRIGGER audit_verification_no_update_delete BEFORE UPDATE OR DELETE ON audit_verification
FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_verification_no_truncate BEFORE TRUNCATE ON audit_verification
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_checkpoint_cosignature_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoint_cosignature
FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_checkpoint_cosignature_no_truncate BEFORE TRUNCATE ON audit_checkpoint_cosignature
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_witnessed_checkpoint_no_update_delete BEFORE UPDATE OR DELETE ON audit_witnessed_checkpoint
FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_witnessed_checkpoint_no_truncate BEFORE TRUNCATE ON audit_witnessed_checkpoint
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
