-- What each declared purpose lets a session see (lib/access/purpose-scope.ts,
-- docs/ARCHITECTURE.md "Purpose narrows what a session sees"). The defaults
-- match DEFAULT_PURPOSE_FIELD_CLASSES; admins change them with a justification.

CREATE TABLE "purpose_scope" (
    "purpose" "purpose" NOT NULL,
    "field_classes" "field_class"[] NOT NULL,
    "justification" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "purpose_scope_pkey" PRIMARY KEY ("purpose")
);

INSERT INTO "purpose_scope" ("purpose", "field_classes", "justification") VALUES
  ('improve_product', ARRAY['identifiers', 'environment', 'location', 'measurements']::"field_class"[],
   'Default: comparing strategies and predicting helpful suggestions needs outcomes per setting, language and region, linked across one completion''s events; not the code.'),
  ('evaluate_product', ARRAY['environment', 'measurements']::"field_class"[],
   'Default: measuring the impact on users is done in aggregate; no identifiers, location or code.'),
  ('improve_models', ARRAY['environment', 'measurements', 'content']::"field_class"[],
   'Default: positive and negative examples are the code with its outcome and language; not who or where.'),
  ('guide_related_products', ARRAY['environment', 'measurements']::"field_class"[],
   'Default: related products learn from aggregate usage only.'),
  ('investigate_abuse', ARRAY['identifiers', 'environment', 'location', 'measurements', 'content']::"field_class"[],
   'Default: abuse is a pattern of one machine or session, in a place, in code; everything the groups allow.'),
  ('other', ARRAY['environment', 'measurements']::"field_class"[],
   'Default: an open-ended purpose gets the least that still answers a product question.');
