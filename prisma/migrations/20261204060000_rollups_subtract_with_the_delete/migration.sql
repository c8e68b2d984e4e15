-- The functions that remove events (retention, erasure; migration
-- 20261203070000_telemetry_partitions) now take those events out of
-- telemetry_rollup themselves, in the same statement or under the same lock as
-- the removal. Before, the application subtracted them in a statement of its
-- own first, so an event inserted (or committed) between the subtraction and
-- the removal was removed but stayed counted.
--
-- * telemetry_erase_machine and telemetry_purge_default_partition subtract
--   exactly the rows their DELETE … RETURNING removed, in the same statement.
--   An event inserted concurrently is either deleted and subtracted, or kept
--   and counted (by the insert trigger): never both one and not the other.
-- * telemetry_drop_partition subtracts the partition's rows after its SHARE
--   lock (which waits for the inserts in flight into that partition and holds
--   new ones until the commit), then drops it.
-- Rollup rows that reach zero are deleted, in the hours the removal touched.
-- The return types are unchanged.

CREATE OR REPLACE FUNCTION telemetry_drop_partition(p_name TEXT)
RETURNS TABLE (range_from TIMESTAMPTZ, range_to TIMESTAMPTZ, row_count BIGINT)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET "TimeZone" = 'UTC' AS $$
DECLARE
    v_from TIMESTAMPTZ;
    v_to TIMESTAMPTZ;
    v_count BIGINT;
BEGIN
    SELECT p.range_from, p.range_to INTO v_from, v_to FROM telemetry_event_partitions() p WHERE p.partition_name = p_name AND NOT p.is_default;
    IF v_to IS NULL THEN
        RAISE EXCEPTION 'telemetry_drop_partition: % is not a range partition of telemetry_event', p_name;
    END IF;
    IF v_to > now() THEN
        RAISE EXCEPTION 'telemetry_drop_partition: % ends at %, in the future', p_name, v_to;
    END IF;
    -- No writer may add a row between the lock and the drop: the rollups lose exactly the rows dropped.
    EXECUTE format('LOCK TABLE telemetry_partitions.%I IN SHARE MODE', p_name);
    EXECUTE 'INSERT INTO telemetry_rollup (dimension, hour, kind, value, events) SELECT dimension, hour, kind, value, -events FROM ('
        || telemetry_rollup_rows_sql(format('telemetry_partitions.%I', p_name))
        || ') AS gone ORDER BY 1, 2, 3, 4 ON CONFLICT (dimension, hour, kind, value) DO UPDATE SET events = telemetry_rollup.events + EXCLUDED.events';
    DELETE FROM telemetry_rollup WHERE events <= 0 AND hour >= v_from AND hour < v_to;
    EXECUTE format('SELECT count(*) FROM telemetry_partitions.%I', p_name) INTO v_count;
    EXECUTE format('DROP TABLE telemetry_partitions.%I', p_name);
    RETURN QUERY SELECT v_from, v_to, v_count;
END
$$;

-- The DELETE … RETURNING in `deleted` (a statement over `gone`) with the rollups' subtraction of the same rows, as one statement.
CREATE FUNCTION telemetry_rollup_subtract_deleted_sql(deleted TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $fn$
  SELECT 'WITH gone AS (' || deleted || ' RETURNING *), '
      || 'subtracted AS (INSERT INTO telemetry_rollup (dimension, hour, kind, value, events) SELECT dimension, hour, kind, value, -events FROM ('
      || telemetry_rollup_rows_sql('gone')
      || ') AS r ORDER BY 1, 2, 3, 4 ON CONFLICT (dimension, hour, kind, value) DO UPDATE SET events = telemetry_rollup.events + EXCLUDED.events) '
      || 'SELECT count(*)::bigint, min("time"), max("time"), coalesce(array_agg(DISTINCT date_trunc(''hour'', "time", ''UTC'')), ''{}'') FROM gone'
$fn$;

CREATE OR REPLACE FUNCTION telemetry_purge_default_partition(p_before TIMESTAMPTZ)
RETURNS TABLE (row_count BIGINT, first_time TIMESTAMPTZ, last_time TIMESTAMPTZ)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET "TimeZone" = 'UTC' AS $$
DECLARE
    v_count BIGINT;
    v_first TIMESTAMPTZ;
    v_last TIMESTAMPTZ;
    v_hours TIMESTAMPTZ[];
BEGIN
    IF p_before > now() THEN
        RAISE EXCEPTION 'telemetry_purge_default_partition: % is in the future', p_before;
    END IF;
    EXECUTE telemetry_rollup_subtract_deleted_sql('DELETE FROM telemetry_partitions.telemetry_event_default WHERE "time" < $1')
        INTO v_count, v_first, v_last, v_hours USING p_before;
    DELETE FROM telemetry_rollup WHERE events <= 0 AND hour = ANY(v_hours);
    RETURN QUERY SELECT v_count, v_first, v_last;
END
$$;

CREATE OR REPLACE FUNCTION telemetry_erase_machine(p_machine_id TEXT)
RETURNS TABLE (row_count BIGINT, first_time TIMESTAMPTZ, last_time TIMESTAMPTZ)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_count BIGINT;
    v_first TIMESTAMPTZ;
    v_last TIMESTAMPTZ;
    v_hours TIMESTAMPTZ[];
BEGIN
    IF p_machine_id IS NULL OR p_machine_id = '' THEN
        RAISE EXCEPTION 'telemetry_erase_machine: no machine id';
    END IF;
    EXECUTE telemetry_rollup_subtract_deleted_sql('DELETE FROM public.telemetry_event WHERE machine_id = $1')
        INTO v_count, v_first, v_last, v_hours USING p_machine_id;
    DELETE FROM telemetry_rollup WHERE events <= 0 AND hour = ANY(v_hours);
    RETURN QUERY SELECT v_count, v_first, v_last;
END
$$;
