-- The audit Merkle log and its signed checkpoints (docs/ARCHITECTURE.md,
-- "Audit proofs"; server/audit/checkpoints/).
--
-- audit_merkle_leaf and audit_checkpoint are append-only like audit_event;
-- audit_log_state (one row) only grows. As with audit_event, the triggers
-- stop the application and mistakes, not the owner: the checkpoints written
-- outside the database are what detect an owner's rewrite.

CREATE TABLE "audit_merkle_leaf" (
    "leaf_index" BIGINT NOT NULL,
    "audit_event_id" BIGINT NOT NULL,
    "leaf_hash" TEXT NOT NULL,
    "sealed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_merkle_leaf_pkey" PRIMARY KEY ("leaf_index")
);

CREATE UNIQUE INDEX "audit_merkle_leaf_audit_event_id_key" ON "audit_merkle_leaf"("audit_event_id");

CREATE TABLE "audit_log_state" (
    "id" SMALLINT NOT NULL,
    "tree_size" BIGINT NOT NULL,
    "frontier" TEXT[],
    "floor_id" BIGINT NOT NULL,
    "pending_id" BIGINT NOT NULL,
    "pending_xmax" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_state_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "audit_checkpoint" (
    "tree_size" BIGINT NOT NULL,
    "root_hash" TEXT NOT NULL,
    "issued_at" TIMESTAMPTZ(6) NOT NULL,
    "note" TEXT NOT NULL,

    CONSTRAINT "audit_checkpoint_pkey" PRIMARY KEY ("tree_size")
);

INSERT INTO audit_log_state (id, tree_size, frontier, floor_id, pending_id, pending_xmax) VALUES (1, 0, '{}', 0, 0, 0);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_merkle_leaf_no_update_delete BEFORE UPDATE OR DELETE ON audit_merkle_leaf
FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_merkle_leaf_no_truncate BEFORE TRUNCATE ON audit_merkle_leaf
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_checkpoint_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoint
FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

CREATE FUNCTION audit_log_state_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.tree_size >= OLD.tree_size AND NEW.floor_id >= OLD.floor_id THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log_state only grows: % is not allowed here', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_state_forward BEFORE UPDATE OR DELETE ON audit_log_state
FOR EACH ROW EXECUTE FUNCTION audit_log_state_guard();
CREATE TRIGGER audit_log_state_no_truncate BEFORE TRUNCATE ON audit_log_state
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_state_guard();
