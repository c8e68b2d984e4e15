-- Per-hour rollups of telemetry_event (issue 14, "Speed: pre-aggregate"; see
-- docs/ARCHITECTURE.md, "Rollups"). One narrow table: per UTC hour and event
-- kind, the number of events (dimension '' and value ''), and for each rollup
-- dimension of the field registry (lib/telemetry/fields.ts ROLLUP_FIELDS, the
-- facetable fields) the number of events per non-NULL value (`column::text`).
--
-- Maintained by triggers, in the same transaction as the write that changes
-- telemetry_event: one statement-level trigger per INSERT (the intake's
-- INSERT … SELECT, the seed's COPY) and per UPDATE (ingest:reclassify), reading
-- the statement's transition tables. Counts are added with ON CONFLICT DO
-- UPDATE (events = events + EXCLUDED.events), in key order, so concurrent
-- writers neither lose counts nor deadlock on each other. Deletions subtract
-- explicitly (server/telemetry/rollups.ts subtractEventsFromRollups), since
-- dropping a partition fires no trigger. `npm run telemetry:rollups:rebuild`
-- recomputes the table from telemetry_event.
--
-- The dimension list below must match ROLLUP_FIELDS: rollups.integration.test.ts
-- fails when an event's rollup rows and the registry's dimensions disagree.
CREATE TABLE "telemetry_rollup" (
    "dimension" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "kind" "event_kind" NOT NULL,
    "value" TEXT NOT NULL,
    "events" BIGINT NOT NULL,
    CONSTRAINT "telemetry_rollup_pkey" PRIMARY KEY ("dimension", "hour", "kind", "value")
);

CREATE FUNCTION telemetry_rollup_rows_sql(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format($q$
    SELECT d.dimension, date_trunc('hour', e.time, 'UTC') AS hour, e.kind, d.value, count(*)::bigint AS events
    FROM %s AS e
    CROSS JOIN LATERAL (VALUES
      ('', ''),
      ('vscodeVersion', e.vscode_version::text),
      ('extensionVersion', e.extension_version::text),
      ('os', e.os::text),
      ('uiKind', e.ui_kind::text),
      ('languageId', e.language_id::text),
      ('country', e.country::text),
      ('region', e.region::text),
      ('city', e.city::text),
      ('errorKind', e.error_kind::text),
      ('redactionFilter', e.redaction_filter::text),
      ('accepted', e.accepted::text)
    ) AS d(dimension, value)
    WHERE d.value IS NOT NULL
    GROUP BY 1, 2, 3, 4$q$, source)
$fn$;

CREATE FUNCTION telemetry_rollup_add_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE 'INSERT INTO telemetry_rollup (dimension, hour, kind, value, events) '
    || telemetry_rollup_rows_sql('telemetry_rollup_inserted')
    || ' ORDER BY 1, 2, 3, 4 ON CONFLICT (dimension, hour, kind, value) DO UPDATE SET events = telemetry_rollup.events + EXCLUDED.events';
  RETURN NULL;
END
$fn$;

CREATE FUNCTION telemetry_rollup_apply_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
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
    AND dimension = ANY(ARRAY['', 'vscodeVersion', 'extensionVersion', 'os', 'uiKind', 'languageId', 'country', 'region', 'city', 'errorKind', 'redactionFilter', 'accepted'])
    AND hour IN (SELECT date_trunc('hour', time, 'UTC') FROM telemetry_rollup_updated_old);
  RETURN NULL;
END
$fn$;

CREATE TRIGGER telemetry_event_rollup_insert AFTER INSERT ON "telemetry_event"
  REFERENCING NEW TABLE AS telemetry_rollup_inserted
  FOR EACH STATEMENT EXECUTE FUNCTION telemetry_rollup_add_inserted();

CREATE TRIGGER telemetry_event_rollup_update AFTER UPDATE ON "telemetry_event"
  REFERENCING OLD TABLE AS telemetry_rollup_updated_old NEW TABLE AS telemetry_rollup_updated_new
  FOR EACH STATEMENT EXECUTE FUNCTION telemetry_rollup_apply_update();

-- The events already stored.
INSERT INTO telemetry_rollup (dimension, hour, kind, value, events)
SELECT d.dimension, date_trunc('hour', e.time, 'UTC'), e.kind, d.value, count(*)::bigint
FROM telemetry_event AS e
CROSS JOIN LATERAL (VALUES
  ('', ''),
  ('vscodeVersion', e.vscode_version::text),
  ('extensionVersion', e.extension_version::text),
  ('os', e.os::text),
  ('uiKind', e.ui_kind::text),
  ('languageId', e.language_id::text),
  ('country', e.country::text),
  ('region', e.region::text),
  ('city', e.city::text),
  ('errorKind', e.error_kind::text),
  ('redactionFilter', e.redaction_filter::text),
  ('accepted', e.accepted::text)
) AS d(dimension, value)
WHERE d.value IS NOT NULL
GROUP BY 1, 2, 3, 4;
