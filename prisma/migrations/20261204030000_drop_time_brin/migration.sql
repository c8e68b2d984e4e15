-- The per-partition BRIN index on "time" (20261203070000_telemetry_partitions)
-- goes: on the seeded data a one-day aggregate through it was 37x slower than
-- through the B-tree on ("time" DESC, id DESC), which every partition has
-- anyway (docs/ARCHITECTURE.md "Partitioned telemetry"). It only cost writes.
--
-- 1. telemetry_create_partition no longer creates it (otherwise unchanged;
--    CREATE OR REPLACE keeps the owner, SECURITY DEFINER and grants).
CREATE OR REPLACE FUNCTION telemetry_create_partition(p_from TIMESTAMPTZ, p_to TIMESTAMPTZ)
RETURNS TABLE (partition_name TEXT, created BOOLEAN, moved_rows BIGINT)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET "TimeZone" = 'UTC' AS $$
DECLARE
    v_name TEXT := 'telemetry_event_p' || to_char(p_from, 'YYYYMMDD');
    v_moved BIGINT := 0;
BEGIN
    IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
        RAISE EXCEPTION 'telemetry_create_partition: the range [%, %) is empty', p_from, p_to;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('telemetry-portal:telemetry-partitions', 0));
    IF to_regclass(format('telemetry_partitions.%I', v_name)) IS NOT NULL THEN
        RETURN QUERY SELECT v_name, false, 0::bigint;
        RETURN;
    END IF;
    EXECUTE format('CREATE TABLE telemetry_partitions.%I (LIKE public.telemetry_event INCLUDING DEFAULTS)', v_name);
    EXECUTE format(
        'WITH moved AS (DELETE FROM telemetry_partitions.telemetry_event_default WHERE "time" >= $1 AND "time" < $2 RETURNING *)
         INSERT INTO telemetry_partitions.%I SELECT * FROM moved', v_name) USING p_from, p_to;
    GET DIAGNOSTICS v_moved = ROW_COUNT;
    -- Attaching creates the partition's copies of the parent's indexes, primary key and foreign key.
    EXECUTE format('ALTER TABLE public.telemetry_event ATTACH PARTITION telemetry_partitions.%I FOR VALUES FROM (%L) TO (%L)', v_name, p_from, p_to);
    RETURN QUERY SELECT v_name, true, v_moved;
END
$$;

-- 2. The BRIN indexes the old function made on existing partitions
--    (telemetry_event_pYYYYMMDD_time_brin, BRIN, in telemetry_partitions).
DO $$
DECLARE
    item RECORD;
BEGIN
    FOR item IN SELECT ci.relname AS index_name
                  FROM pg_index x
                  JOIN pg_class ci ON ci.oid = x.indexrelid
                  JOIN pg_namespace n ON n.oid = ci.relnamespace
                  JOIN pg_am am ON am.oid = ci.relam
                 WHERE n.nspname = 'telemetry_partitions' AND am.amname = 'brin' AND ci.relname LIKE 'telemetry\_event\_p%\_time\_brin' LOOP
        EXECUTE format('DROP INDEX telemetry_partitions.%I', item.index_name);
    END LOOP;
END
$$;
