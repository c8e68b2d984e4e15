-- Defaults for the telemetry intake (server/ingest/normalize.ts), editable by
-- admins afterwards. Rows are only added, never overwritten.
--
-- 1. Event names → kinds: the names GitHub Copilot sends (as the demo
--    generator, server/seed/generate-events.ts SEED_EVENT_NAMES, emits them),
--    without VS Code's "GitHub.copilot/" prefix, which the intake strips.
--    Any other name is stored as kind `other` until mapped.
INSERT INTO "event_name_mapping" ("event_name", "kind") VALUES
    ('ghostText.issued', 'completion_requested'),
    ('ghostText.shown', 'completion_shown'),
    ('ghostText.redacted', 'completion_redacted'),
    ('ghostText.accepted', 'completion_accepted'),
    ('ghostText.rejected', 'completion_rejected'),
    ('ghostText.stillInCode', 'completion_persisted'),
    ('auth.error', 'error'),
    ('networking.error', 'error'),
    ('completion.error', 'error')
ON CONFLICT ("event_name") DO NOTHING;

-- 2. Property and measurement names → field classes. A name not listed here
--    is treated as `content` (encrypted, the most restricted class) until an
--    admin classifies it. Names that fill a column or a content slot always
--    land there; their rows say which class that is.
INSERT INTO "property_classification" ("name", "field_class") VALUES
    -- metadata @vscode/extension-telemetry and VS Code add to every event
    ('common.vscodemachineid', 'identifiers'),
    ('common.vscodesessionid', 'identifiers'),
    ('common.vscodeversion', 'environment'),
    ('common.extname', 'environment'),
    ('common.extversion', 'environment'),
    ('common.os', 'environment'),
    ('common.platformversion', 'environment'),
    ('common.uikind', 'environment'),
    ('common.remotename', 'environment'),
    ('common.product', 'environment'),
    ('common.isnewappinstall', 'environment'),
    ('common.nodeArch', 'environment'),
    ('common.telemetryclientversion', 'environment'),
    ('common.vscodecommithash', 'environment'),
    -- Copilot's per-event fields that have a column
    ('completionId', 'identifiers'),
    ('languageId', 'environment'),
    ('latencyMs', 'measurements'),
    ('latency', 'measurements'),
    ('meanProb', 'measurements'),
    ('modelCertainty', 'measurements'),
    ('suggestionCount', 'measurements'),
    ('numSuggestions', 'measurements'),
    ('compCharLen', 'measurements'),
    ('suggestionCharLength', 'measurements'),
    ('postProcessing', 'measurements'),
    ('redactionFilter', 'measurements'),
    ('filter', 'measurements'),
    ('accepted', 'measurements'),
    ('persistenceCheckSec', 'measurements'),
    ('checkIntervalSec', 'measurements'),
    ('persistenceRatio', 'measurements'),
    ('stillInCodeRatio', 'measurements'),
    ('errorKind', 'measurements'),
    ('errorCode', 'measurements'),
    -- measurements without a column (kept in `measurements`, or `error_context` for errors)
    ('promptCharLen', 'measurements'),
    ('promptSuffixCharLen', 'measurements'),
    ('keyExpiry', 'measurements'),
    ('refreshAttempted', 'measurements'),
    ('endpoint', 'measurements'),
    ('timeoutMs', 'measurements'),
    ('attempt', 'measurements'),
    ('code', 'measurements'),
    ('proxyConfigured', 'measurements'),
    ('httpStatus', 'measurements'),
    ('retryAfterSec', 'measurements'),
    ('model', 'measurements'),
    -- the slots of the encrypted content document
    ('prefix', 'content'),
    ('suffix', 'content'),
    ('suggestion', 'content'),
    ('suggestions', 'content'),
    ('completionText', 'content'),
    ('persistedText', 'content'),
    ('line', 'content'),
    ('character', 'content'),
    ('relativePath', 'content'),
    ('lineCount', 'content')
ON CONFLICT ("name") DO NOTHING;
