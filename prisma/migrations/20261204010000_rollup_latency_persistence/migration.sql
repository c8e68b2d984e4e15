-- Latency and persistence as rollup dimensions (issue 14, the charts' speed;
-- docs/ARCHITECTURE.md, "Rollups"; lib/telemetry/rollup-buckets.ts is the
-- code's copy of the thresholds below, and rollups.integration.test.ts fails
-- when the two disagree). The charts' percentiles then come from per-hour
-- bucket counts instead of percentile_cont over telemetry_event.
--
--   latencyBucket      telemetry_latency_bucket(latency_ms): exact below
--                      20 ms, 22 buckets per decade up to 10 min, one beyond;
--                      -1 for a negative latency
--   persistenceBucket  "<check sec>:<telemetry_persistence_bucket(ratio)>":
--                      0.01 wide, then [0.99, 0.999) and [0.999, 1]; -1 outside [0, 1]
--   persistenceSum     "<check sec>", whose events column is the sum of
--                      telemetry_persistence_weight(ratio) = 1 + round(ratio × 10⁶)
--                      (1 outside [0, 1]): the exact mean, and never ≤ 0, so the
--                      clean-up of rows that reach zero stays right.
--
-- Rollup rows now sum a per-event weight (1 for every dimension but
-- persistenceSum) instead of counting rows.
CREATE FUNCTION telemetry_latency_bucket(ms integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN ms < 0 THEN -1 ELSE width_bucket(ms, ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,22,25,27,30,34,37,42,46,51,57,63,70,78,87,96,107,119,132,146,162,180,200,222,247,274,304,338,375,416,462,513,570,632,702,780,866,961,1067,1185,1316,1461,1622,1801,2000,2221,2466,2738,3040,3375,3748,4161,4620,5130,5696,6325,7022,7797,8658,9613,10673,11851,13159,14611,16223,18013,20000,22207,24657,27377,30398,33752,37476,41611,46203,51300,56961,63246,70224,77972,86575,96128,106734,118511,131587,146105,162226,180126,200000,222067,246569,273775,303982,337522,374763,416114,462026,513004,569607,600000]::integer[]) END
$fn$;

CREATE FUNCTION telemetry_persistence_bucket(ratio double precision) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN ratio IS NULL THEN NULL WHEN ratio >= 0 AND ratio <= 1 THEN width_bucket(ratio, ARRAY[0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.10,0.11,0.12,0.13,0.14,0.15,0.16,0.17,0.18,0.19,0.20,0.21,0.22,0.23,0.24,0.25,0.26,0.27,0.28,0.29,0.30,0.31,0.32,0.33,0.34,0.35,0.36,0.37,0.38,0.39,0.40,0.41,0.42,0.43,0.44,0.45,0.46,0.47,0.48,0.49,0.50,0.51,0.52,0.53,0.54,0.55,0.56,0.57,0.58,0.59,0.60,0.61,0.62,0.63,0.64,0.65,0.66,0.67,0.68,0.69,0.70,0.71,0.72,0.73,0.74,0.75,0.76,0.77,0.78,0.79,0.80,0.81,0.82,0.83,0.84,0.85,0.86,0.87,0.88,0.89,0.90,0.91,0.92,0.93,0.94,0.95,0.96,0.97,0.98,0.99,0.999]::double precision[]) ELSE -1 END
$fn$;

CREATE FUNCTION telemetry_persistence_weight(ratio double precision) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN ratio >= 0 AND ratio <= 1 THEN 1 + round(ratio * 1000000)::integer ELSE 1 END
$fn$;

CREATE OR REPLACE FUNCTION telemetry_rollup_rows_sql(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format($q$
    SELECT d.dimension, date_trunc('hour', e.time, 'UTC') AS hour, e.kind, d.value, sum(d.weight)::bigint AS events
    FROM %s AS e
    CROSS JOIN LATERAL (VALUES
      ('', '', 1),
      ('vscodeVersion', e.vscode_version::text, 1),
      ('extensionVersion', e.extension_version::text, 1),
      ('os', e.os::text, 1),
      ('uiKind', e.ui_kind::text, 1),
      ('languageId', e.language_id::text, 1),
      ('country', e.country::text, 1),
      ('region', e.region::text, 1),
      ('city', e.city::text, 1),
      ('errorKind', e.error_kind::text, 1),
      ('redactionFilter', e.redaction_filter::text, 1),
      ('accepted', e.accepted::text, 1),
      ('latencyBucket', telemetry_latency_bucket(e.latency_ms)::text, 1),
      ('persistenceBucket', e.persistence_check_sec::text || ':' || telemetry_persistence_bucket(e.persistence_ratio)::text, 1),
      ('persistenceSum', CASE WHEN e.persistence_ratio IS NOT NULL THEN e.persistence_check_sec::text END, telemetry_persistence_weight(e.persistence_ratio))
    ) AS d(dimension, value, weight)
    WHERE d.value IS NOT NULL
    GROUP BY 1, 2, 3, 4$q$, source)
$fn$;

CREATE OR REPLACE FUNCTION telemetry_rollup_apply_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- new rows added, old rows subtracted, netted per key first (most updates change nothing the rollups hold)
  EXECUTE 'INSERT INTO telemetry_rollup (dimension, hour, kind, value, events) '
    || 'SELECT dimension, hour, kind, value, sum(events)::bigint FROM ('
    || telemetry_rollup_rows_sql('telemetry_rollup_updated_new')
    || ' UNION ALL SELECT dimension, hour, kind, value, -events FROM ('
    || telemetry_rollup_rows_sql('telemetry_rollup_updated_old')
    || ') AS old_rows) AS changes GROUP BY 1, 2, 3, 4 HAVING sum(events) <> 0'
    || ' ORDER BY 1, 2, 3, 4 ON CONFLICT (dimension, hour, kind, value) DO UPDATE SET events = telemetry_rollup.events + EXCLUDED.events';
  -- a value no event holds any more leaves no row behind (looked for in the hours the statement touched only)
  DELETE FROM telemetry_rollup
  WHERE events = 0
    AND dimension = ANY(ARRAY['', 'vscodeVersion', 'extensionVersion', 'os', 'uiKind', 'languageId', 'country', 'region', 'city', 'errorKind', 'redactionFilter', 'accepted', 'latencyBucket', 'persistenceBucket', 'persistenceSum'])
    AND hour IN (SELECT date_trunc('hour', time, 'UTC') FROM telemetry_rollup_updated_old);
  RETURN NULL;
END
$fn$;

-- The events already stored, for the new dimensions.
INSERT INTO telemetry_rollup (dimension, hour, kind, value, events)
SELECT d.dimension, date_trunc('hour', e.time, 'UTC'), e.kind, d.value, sum(d.weight)::bigint
FROM telemetry_event AS e
CROSS JOIN LATERAL (VALUES
  ('latencyBucket', telemetry_latency_bucket(e.latency_ms)::text, 1),
  ('persistenceBucket', e.persistence_check_sec::text || ':' || telemetry_persistence_bucket(e.persistence_ratio)::text, 1),
  ('persistenceSum', CASE WHEN e.persistence_ratio IS NOT NULL THEN e.persistence_check_sec::text END, telemetry_persistence_weight(e.persistence_ratio))
) AS d(dimension, value, weight)
WHERE d.value IS NOT NULL
GROUP BY 1, 2, 3, 4;

-- ~20 % more rows at once: fresh statistics, so the reads' plans use the primary key from the start.
ANALYZE telemetry_rollup;
