-- telemetry_event becomes a table partitioned by event time (declarative
-- range partitioning, one partition per UTC month; docs/ARCHITECTURE.md
-- "Partitioned telemetry" has the measurements behind the choice).
--
-- * The partitions live in their own schema, telemetry_partitions, owned by
--   the migration role like the parent: the runtime role reaches the rows
--   through public.telemetry_event only (PostgreSQL checks the parent's
--   privileges there), keeps SELECT and INSERT on it, and cannot delete or
--   drop anything itself. Creating, dropping and erasing go through the
--   SECURITY DEFINER functions below, which the job queue and the audited
--   erasure call (server/telemetry/partitions.ts, server/telemetry/erasure.ts).
-- * The primary key must include the partition key: (id, time). An event's
--   id is deterministic over the envelope, which carries the time, so the
--   intake's ON CONFLICT (id, time) skips a replay exactly as ON CONFLICT (id)
--   did. schema.prisma says @@id([id, time]).
-- * A DEFAULT partition catches an event whose time falls outside every
--   range partition (far past or far future), so intake never fails on a
--   missing partition; telemetry_create_partition moves such rows into the
--   range partition when it is created.
-- * Every index of the unpartitioned table is recreated on the parent (each
--   partition gets its own), including the expression and text_pattern_ops
--   indexes of 20261202070000_field_registry_filters that Prisma cannot
--   express. Per partition also: a BRIN index on time (see ARCHITECTURE).
-- * Existing rows are copied over, then the old table is dropped.

CREATE SCHEMA "telemetry_partitions";

-- 1. The old table steps aside (its index names are needed for the new one).
ALTER TABLE "telemetry_event" RENAME TO "telemetry_event_unpartitioned";
ALTER TABLE "telemetry_event_unpartitioned" RENAME CONSTRAINT "telemetry_event_pkey" TO "telemetry_event_unpartitioned_pkey";
ALTER TABLE "telemetry_event_unpartitioned" DROP CONSTRAINT "telemetry_event_source_id_fkey";
DROP INDEX "telemetry_event_time_id_idx";
DROP INDEX "telemetry_event_kind_time_id_idx";
DROP INDEX "telemetry_event_machine_time_idx";
DROP INDEX "telemetry_event_session_time_idx";
DROP INDEX "telemetry_event_completion_idx";
DROP INDEX "telemetry_event_latency_id_idx";
DROP INDEX "telemetry_event_certainty_id_idx";
DROP INDEX "telemetry_event_lower_city_idx";
DROP INDEX "telemetry_event_lower_region_idx";
DROP INDEX "telemetry_event_lower_language_idx";
DROP INDEX "telemetry_event_lower_error_kind_idx";
DROP INDEX "telemetry_event_lower_redaction_filter_idx";
DROP INDEX "telemetry_event_vscode_version_pattern_idx";
DROP INDEX "telemetry_event_extension_version_pattern_idx";

-- 2. The partitioned table: the same columns, in the same order.
CREATE TABLE "telemetry_event" (
    "id" UUID NOT NULL,
    "kind" "event_kind" NOT NULL,
    "event_name" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source_id" UUID,
    "machine_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "completion_id" TEXT,
    "vscode_version" TEXT NOT NULL,
    "extension_name" TEXT NOT NULL DEFAULT 'GitHub.copilot',
    "extension_version" TEXT NOT NULL,
    "os" TEXT NOT NULL,
    "os_version" TEXT NOT NULL,
    "ui_kind" "ui_kind" NOT NULL,
    "language_id" TEXT,
    "extension_settings" JSONB,
    "country" CHAR(2),
    "region" TEXT,
    "city" TEXT,
    "error_kind" TEXT,
    "error_context" JSONB,
    "latency_ms" INTEGER,
    "model_certainty" DOUBLE PRECISION,
    "suggestion_count" INTEGER,
    "suggestion_char_length" INTEGER,
    "post_processing" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "redaction_filter" TEXT,
    "accepted" BOOLEAN,
    "persistence_check_sec" INTEGER,
    "persistence_ratio" DOUBLE PRECISION,
    "measurements" JSONB,
    "content_ciphertext" BYTEA,
    "content_key_id" TEXT,

    CONSTRAINT "telemetry_event_pkey" PRIMARY KEY ("id", "time")
) PARTITION BY RANGE ("time");

ALTER TABLE "telemetry_event" ADD CONSTRAINT "telemetry_event_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "ingestion_key"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "telemetry_partitions"."telemetry_event_default" PARTITION OF "telemetry_event" DEFAULT;

-- 3. The partitions' bounds, as timestamps (read from the catalog; no privilege on the partitions needed).
CREATE FUNCTION telemetry_event_partitions()
RETURNS TABLE (partition_name TEXT, range_from TIMESTAMPTZ, range_to TIMESTAMPTZ, is_default BOOLEAN)
LANGUAGE sql STABLE SET search_path = public, pg_temp SET "TimeZone" = 'UTC' AS $$
    SELECT c.relname::text,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz,
           pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'public.telemetry_event'::regclass
     ORDER BY 2 NULLS LAST
$$;

-- 4. A range partition [p_from, p_to): created once (an existing one is left
-- alone), with any rows the default partition holds for that range moved in.
-- Creators are serialized by an advisory lock (two instances' jobs, a
-- migration). The name is the range's start: telemetry_event_pYYYYMMDD.
CREATE FUNCTION telemetry_create_partition(p_from TIMESTAMPTZ, p_to TIMESTAMPTZ)
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
    EXECUTE format('CREATE INDEX %I ON telemetry_partitions.%I USING brin ("time")', v_name || '_time_brin', v_name);
    RETURN QUERY SELECT v_name, true, v_moved;
END
$$;

-- 5. Retention: drops one range partition entirely in the past, returning its
-- range and how many rows it held (the caller writes the audit row in the
-- same transaction). Refuses the default partition and any partition whose
-- range reaches past now().
CREATE FUNCTION telemetry_drop_partition(p_name TEXT)
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
    -- No writer may add a row between the count and the drop.
    EXECUTE format('LOCK TABLE telemetry_partitions.%I IN SHARE MODE', p_name);
    EXECUTE format('SELECT count(*) FROM telemetry_partitions.%I', p_name) INTO v_count;
    EXECUTE format('DROP TABLE telemetry_partitions.%I', p_name);
    RETURN QUERY SELECT v_from, v_to, v_count;
END
$$;

-- 6. What the default partition holds, by UTC month (the job makes partitions for them).
CREATE FUNCTION telemetry_default_partition_months()
RETURNS TABLE (month_start TIMESTAMPTZ, row_count BIGINT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET "TimeZone" = 'UTC' AS $$
    SELECT date_trunc('month', "time"), count(*) FROM telemetry_partitions.telemetry_event_default GROUP BY 1 ORDER BY 1
$$;

-- 7. Retention for the default partition: deletes its rows older than p_before (not in the future).
CREATE FUNCTION telemetry_purge_default_partition(p_before TIMESTAMPTZ)
RETURNS TABLE (row_count BIGINT, first_time TIMESTAMPTZ, last_time TIMESTAMPTZ)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET "TimeZone" = 'UTC' AS $$
BEGIN
    IF p_before > now() THEN
        RAISE EXCEPTION 'telemetry_purge_default_partition: % is in the future', p_before;
    END IF;
    RETURN QUERY WITH gone AS (DELETE FROM telemetry_partitions.telemetry_event_default WHERE "time" < p_before RETURNING "time")
        SELECT count(*)::bigint, min("time"), max("time") FROM gone;
END
$$;

-- 8. Erasure (a data-subject request): every event of one machine, in every
-- partition, content included (it is a column of the row). The caller
-- writes the tombstone audit row in the same transaction.
CREATE FUNCTION telemetry_erase_machine(p_machine_id TEXT)
RETURNS TABLE (row_count BIGINT, first_time TIMESTAMPTZ, last_time TIMESTAMPTZ)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_machine_id IS NULL OR p_machine_id = '' THEN
        RAISE EXCEPTION 'telemetry_erase_machine: no machine id';
    END IF;
    RETURN QUERY WITH gone AS (DELETE FROM public.telemetry_event WHERE machine_id = p_machine_id RETURNING "time")
        SELECT count(*)::bigint, min("time"), max("time") FROM gone;
END
$$;

-- 9. Monthly partitions for the existing rows and for the next three months
-- (the job `telemetry.partitions` keeps creating them ahead from here on).
DO $$
DECLARE
    v_month TIMESTAMPTZ;
    v_last TIMESTAMPTZ := (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months') AT TIME ZONE 'UTC';
BEGIN
    SELECT date_trunc('month', least(min("time"), now()) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' INTO v_month FROM "telemetry_event_unpartitioned";
    WHILE v_month <= v_last LOOP
        PERFORM telemetry_create_partition(v_month, (v_month AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC');
        v_month := (v_month AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC';
    END LOOP;
END
$$;

INSERT INTO "telemetry_event" SELECT * FROM "telemetry_event_unpartitioned";

-- The new table keeps the old one's grants (npm run db:roles gave the runtime role SELECT, INSERT), not
-- what ALTER DEFAULT PRIVILEGES hands a new table (which would include UPDATE and DELETE until the next db:roles).
DO $$
DECLARE
    item RECORD;
BEGIN
    FOR item IN SELECT DISTINCT r.rolname FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
                 WHERE c.oid = 'public.telemetry_event'::regclass AND a.grantee <> c.relowner LOOP
        EXECUTE format('REVOKE ALL ON public.telemetry_event FROM %I', item.rolname);
    END LOOP;
    FOR item IN SELECT r.rolname, a.privilege_type FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
                 WHERE c.oid = 'public.telemetry_event_unpartitioned'::regclass AND a.grantee <> c.relowner LOOP
        EXECUTE format('GRANT %s ON public.telemetry_event TO %I', item.privilege_type, item.rolname);
    END LOOP;
END
$$;

DROP TABLE "telemetry_event_unpartitioned";

-- 10. The indexes, on the parent (each partition gets its own copy).
CREATE INDEX "telemetry_event_time_id_idx" ON "telemetry_event"("time" DESC, "id" DESC);
CREATE INDEX "telemetry_event_kind_time_id_idx" ON "telemetry_event"("kind", "time" DESC, "id" DESC);
CREATE INDEX "telemetry_event_machine_time_idx" ON "telemetry_event"("machine_id", "time" DESC);
CREATE INDEX "telemetry_event_session_time_idx" ON "telemetry_event"("session_id", "time" DESC);
CREATE INDEX "telemetry_event_completion_idx" ON "telemetry_event"("completion_id");
CREATE INDEX "telemetry_event_latency_id_idx" ON "telemetry_event"("latency_ms", "id");
CREATE INDEX "telemetry_event_certainty_id_idx" ON "telemetry_event"("model_certainty", "id");
CREATE INDEX "telemetry_event_lower_city_idx" ON "telemetry_event" (lower("city"));
CREATE INDEX "telemetry_event_lower_region_idx" ON "telemetry_event" (lower("region"));
CREATE INDEX "telemetry_event_lower_language_idx" ON "telemetry_event" (lower("language_id"));
CREATE INDEX "telemetry_event_lower_error_kind_idx" ON "telemetry_event" (lower("error_kind"));
CREATE INDEX "telemetry_event_lower_redaction_filter_idx" ON "telemetry_event" (lower("redaction_filter"));
CREATE INDEX "telemetry_event_vscode_version_pattern_idx" ON "telemetry_event" ("vscode_version" text_pattern_ops);
CREATE INDEX "telemetry_event_extension_version_pattern_idx" ON "telemetry_event" ("extension_version" text_pattern_ops);
