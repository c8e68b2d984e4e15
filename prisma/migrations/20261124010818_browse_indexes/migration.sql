-- CreateIndex
CREATE INDEX "audit_event_event_ids_idx" ON "audit_event" USING GIN ("event_ids" array_ops);

-- CreateIndex
CREATE INDEX "audit_event_machine_ids_idx" ON "audit_event" USING GIN ("machine_ids" array_ops);

-- CreateIndex
CREATE INDEX "telemetry_event_latency_id_idx" ON "telemetry_event"("latency_ms", "id");

-- CreateIndex
CREATE INDEX "telemetry_event_certainty_id_idx" ON "telemetry_event"("model_certainty", "id");
