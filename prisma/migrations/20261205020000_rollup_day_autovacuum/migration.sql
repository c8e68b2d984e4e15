-- telemetry_rollup_day churns: every fold (the rollups.days.compact job, each
-- minute) deletes the day's delta rows and writes one row per key, so its
-- index fills with dead entries between vacuums. Measured after seeding 10M
-- events: a 30-day facet's index scan visited 66,012 entries for 630 live
-- rows (150 ms; 7 ms after VACUUM). PostgreSQL's default waits for 20 % of
-- the table to be dead; vacuum and analyze it after every 5,000 changed rows
-- instead (a vacuum of this small table takes milliseconds).
ALTER TABLE "telemetry_rollup_day" SET (
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 5000,
  autovacuum_analyze_scale_factor = 0,
  autovacuum_analyze_threshold = 5000
);
