-- The audit trail is append-only and tamper-evident (server/audit/).
--
-- 1. Genesis: one head per possible chain (AUDIT_CHAINS may be 1..64), at
--    seq 0 with hash = sha256('telemetry-portal:audit:genesis:' || chain_id).
--    A chain's first row links to that hash.
-- 2. audit_event refuses UPDATE, DELETE (row triggers) and TRUNCATE (statement
--    trigger), whoever asks.
-- 3. audit_chain_head only moves forward: an UPDATE must raise seq; DELETE and
--    TRUNCATE are refused. Cutting rows off a chain's tail therefore leaves the
--    head ahead of the last row, which verification reports.
--
-- Triggers stop the application and honest mistakes, not the table's owner: an
-- owner or superuser can `ALTER TABLE … DISABLE TRIGGER`. The hash chains are
-- what make such tampering detectable (`npm run audit:verify`). In production,
-- run migrations as the owner role and the portal as a separate role that
-- cannot disable triggers and may only append:
--
--   -- as the owner (the role that runs `npm run db:migrate`), once:
--   -- CREATE ROLE portal_app LOGIN PASSWORD '…';
--   -- GRANT USAGE ON SCHEMA public TO portal_app;
--   -- GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app;
--   -- GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portal_app;
--   -- REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM portal_app;   -- INSERT and SELECT only
--   -- REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_chain_head FROM portal_app;
--   -- GRANT UPDATE (seq, hash, updated_at) ON audit_chain_head TO portal_app; -- SELECT … FOR UPDATE and the advance
--
-- Retention purges are an explicit operator step (see server/audit/retention.ts).

INSERT INTO audit_chain_head (chain_id, seq, hash, updated_at)
SELECT chain_id, 0, encode(sha256(convert_to('telemetry-portal:audit:genesis:' || chain_id, 'UTF8')), 'hex'), now()
FROM generate_series(0, 63) AS chain_id
ON CONFLICT (chain_id) DO NOTHING;

CREATE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit rows are never changed or removed; see server/audit/retention.ts for the archive procedure.';
END;
$$;

CREATE TRIGGER audit_event_no_update_delete
BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();

CREATE TRIGGER audit_event_no_truncate
BEFORE TRUNCATE ON audit_event
FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();

CREATE FUNCTION audit_chain_head_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.chain_id = OLD.chain_id AND NEW.seq > OLD.seq THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_chain_head only moves forward: chain % cannot go from seq % to seq %', OLD.chain_id, OLD.seq, NEW.seq
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'INSERT' THEN
    -- New chains start at their genesis; nothing else may be planted.
    IF NEW.seq = 0 AND NEW.hash = encode(sha256(convert_to('telemetry-portal:audit:genesis:' || NEW.chain_id, 'UTF8')), 'hex') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_chain_head: a new chain must start at its genesis (seq 0)'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RAISE EXCEPTION 'audit_chain_head is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_chain_head_forward_only
BEFORE INSERT OR UPDATE OR DELETE ON audit_chain_head
FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard();

CREATE TRIGGER audit_chain_head_no_truncate
BEFORE TRUNCATE ON audit_chain_head
FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_guard();
