-- Indexes for the field registry's filter modes (lib/telemetry/fields.ts,
-- server/telemetry/event-sql.ts fieldCondition):
--   case-insensitive: lower(column) = lower($1), answered by lower() expression
--     indexes on the selective text fields (city, region, language, error
--     kind, redaction filter; os has three values and is not worth one);
--   prefix (versions): column = $1 OR column LIKE '$1.%' OR column LIKE '$1-%',
--     answered by text_pattern_ops indexes (LIKE prefixes need them under a
--     non-C collation; they answer = too).
-- Prisma's schema cannot express expression indexes or this operator class:
-- they live here only (see the note in schema.prisma's TelemetryEvent).
CREATE INDEX "telemetry_event_lower_city_idx" ON "telemetry_event" (lower("city"));
CREATE INDEX "telemetry_event_lower_region_idx" ON "telemetry_event" (lower("region"));
CREATE INDEX "telemetry_event_lower_language_idx" ON "telemetry_event" (lower("language_id"));
CREATE INDEX "telemetry_event_lower_error_kind_idx" ON "telemetry_event" (lower("error_kind"));
CREATE INDEX "telemetry_event_lower_redaction_filter_idx" ON "telemetry_event" (lower("redaction_filter"));
CREATE INDEX "telemetry_event_vscode_version_pattern_idx" ON "telemetry_event" ("vscode_version" text_pattern_ops);
CREATE INDEX "telemetry_event_extension_version_pattern_idx" ON "telemetry_event" ("extension_version" text_pattern_ops);
