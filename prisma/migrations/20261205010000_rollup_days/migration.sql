-- Per-day rollups (issue 14, "overviews stay fast as data grows";
-- docs/ARCHITECTURE.md, "Rollups"). A chart or facet over 30 days read ~720
-- hourly rows per (kind, value) from telemetry_rollup; telemetry_rollup_day
-- holds the same counts per UTC day, so whole days of a range cost one row
-- each (server/telemetry/rollups.ts reads days, then hours, then the events
-- of the partial hours at the edges).
--
-- Kept from telemetry_rollup itself: statement-level triggers on it append
-- each statement's net change per (dimension, day, kind, value) as a delta
-- row. Every writer of telemetry_rollup (the intake's and the seed's inserts,
-- updates, retention, erasure, a rebuild) is covered without changing it, and
-- an append takes no row lock, so concurrent intake statements cannot
-- deadlock on day rows (the INSERT and UPDATE triggers of one ON CONFLICT
-- statement would otherwise lock day rows in two passes, each in its own
-- order). A day's counts are the sum of its rows; telemetry_rollup_day_compact()
-- (the job rollups.days.compact, and the seed at its end) folds each
-- (dimension, day) that has deltas into one row per key. A delta appended by
-- a transaction the compaction cannot see stays a delta until the next run:
-- nothing is lost or counted twice.
CREATE TABLE "telemetry_rollup_day" (
    "id" BIGSERIAL NOT NULL,
    "dimension" TEXT NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "kind" "event_kind" NOT NULL,
    "value" TEXT NOT NULL,
    "events" BIGINT NOT NULL,
    "compacted" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "telemetry_rollup_day_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "telemetry_rollup_day_dimension_day_kind_value_idx" ON "telemetry_rollup_day" ("dimension", "day", "kind", "value") INCLUDE ("events");
-- the deltas still to fold
CREATE INDEX "telemetry_rollup_day_pending_idx" ON "telemetry_rollup_day" ("dimension", "day") WHERE NOT "compacted";

CREATE FUNCTION telemetry_rollup_day_add_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO telemetry_rollup_day (dimension, day, kind, value, events)
  SELECT dimension, date_trunc('day', hour, 'UTC'), kind, value, sum(events)
  FROM telemetry_rollup_day_inserted GROUP BY 1, 2, 3, 4 HAVING sum(events) <> 0;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION telemetry_rollup_day_apply_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO telemetry_rollup_day (dimension, day, kind, value, events)
  SELECT dimension, date_trunc('day', hour, 'UTC'), kind, value, sum(events)
  FROM (SELECT dimension, hour, kind, value, events FROM telemetry_rollup_day_new
        UNION ALL SELECT dimension, hour, kind, value, -events FROM telemetry_rollup_day_old) AS changes
  GROUP BY 1, 2, 3, 4 HAVING sum(events) <> 0;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION telemetry_rollup_day_subtract_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO telemetry_rollup_day (dimension, day, kind, value, events)
  SELECT dimension, date_trunc('day', hour, 'UTC'), kind, value, -sum(events)
  FROM telemetry_rollup_day_deleted GROUP BY 1, 2, 3, 4 HAVING sum(events) <> 0;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER telemetry_rollup_day_insert AFTER INSERT ON "telemetry_rollup"
  REFERENCING NEW TABLE AS telemetry_rollup_day_inserted
  FOR EACH STATEMENT EXECUTE FUNCTION telemetry_rollup_day_add_inserted();
CREATE TRIGGER telemetry_rollup_day_update AFTER UPDATE ON "telemetry_rollup"
  REFERENCING OLD TABLE AS telemetry_rollup_day_old NEW TABLE AS telemetry_rollup_day_new
  FOR EACH STATEMENT EXECUTE FUNCTION telemetry_rollup_day_apply_update();
CREATE TRIGGER telemetry_rollup_day_delete AFTER DELETE ON "telemetry_rollup"
  REFERENCING OLD TABLE AS telemetry_rollup_day_deleted
  FOR EACH STATEMENT EXECUTE FUNCTION telemetry_rollup_day_subtract_deleted();

-- Folds the deltas: every (dimension, day) with a delta becomes one row per
-- key (none where the sum is 0). Returns the delta rows folded. One at a time
-- (a transaction-scoped advisory lock), so two instances' runs do not fold
-- the same rows twice; writers are never blocked.
CREATE FUNCTION telemetry_rollup_day_compact() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  v_folded bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('telemetry_rollup_day_compact'));
  WITH touched AS (
    SELECT DISTINCT dimension, day FROM telemetry_rollup_day WHERE NOT compacted
  ), gone AS (
    DELETE FROM telemetry_rollup_day AS d USING touched AS t
    WHERE d.dimension = t.dimension AND d.day = t.day
    RETURNING d.dimension, d.day, d.kind, d.value, d.events, d.compacted
  ), folded AS (
    INSERT INTO telemetry_rollup_day (dimension, day, kind, value, events, compacted)
    SELECT dimension, day, kind, value, sum(events), true FROM gone GROUP BY 1, 2, 3, 4 HAVING sum(events) <> 0
  )
  SELECT count(*) FILTER (WHERE NOT compacted) INTO v_folded FROM gone;
  RETURN v_folded;
END
$fn$;

-- The rows already counted per hour, per day.
INSERT INTO telemetry_rollup_day (dimension, day, kind, value, events, compacted)
SELECT dimension, date_trunc('day', hour, 'UTC'), kind, value, sum(events), true
FROM telemetry_rollup GROUP BY 1, 2, 3, 4 HAVING sum(events) <> 0;

ANALYZE telemetry_rollup_day;
