-- The rollups' triggers (20261203040000_telemetry_rollups) were created on the
-- unpartitioned telemetry_event, which 20261203070000_telemetry_partitions
-- renamed and dropped. The partitioned table gets them back here. Its rows
-- were copied over before this point, with the rollups already counting them
-- (the rollups migration filled them from the same rows), so nothing is
-- counted twice. Statement-level triggers on the partitioned parent see every
-- row routed to any partition in their transition tables; rows moved from the
-- default partition into a new one (telemetry_create_partition) go straight
-- into the not-yet-attached table and are not counted again.
DROP TRIGGER IF EXISTS telemetry_event_rollup_insert ON "telemetry_event";
DROP TRIGGER IF EXISTS telemetry_event_rollup_update ON "telemetry_event";

CREATE TRIGGER telemetry_event_rollup_insert AFTER INSERT ON "telemetry_event"
  REFERENCING NEW TABLE AS telemetry_rollup_inserted
  FOR EACH STATEMENT EXECUTE FUNCTION telemetry_rollup_add_inserted();

CREATE TRIGGER telemetry_event_rollup_update AFTER UPDATE ON "telemetry_event"
  REFERENCING OLD TABLE AS telemetry_rollup_updated_old NEW TABLE AS telemetry_rollup_updated_new
  FOR EACH STATEMENT EXECUTE FUNCTION telemetry_rollup_apply_update();
