// The Application Insights "track" envelope, as @vscode/extension-telemetry
// (through @microsoft/applicationinsights-web-basic) and other Application
// Insights SDKs send it to /v2/track:
//
//   {"time":"…","iKey":"<key>","name":"Microsoft.ApplicationInsights.<key>.Event",
//    "tags":{"ai.user.id":"…","ai.session.id":"…",…},
//    "data":{"baseType":"EventData","baseData":{"ver":2,"name":"…","properties":{…},"measurements":{…}}}}
//
// Envelopes are read leniently where the SDKs differ (extra fields are
// ignored) and strictly where the portal depends on them. EventData and
// ExceptionData are accepted; other base types (page views, metrics, traces…)
// are refused item by item. Of the tags only ai.user.id and ai.session.id are
// read; everything else there (notably ai.location.ip) is dropped unread.
import "server-only";
import { z } from "zod";
import type { PropertyValue, RawEvent } from "./normalize";
import { parseEventTime } from "./event-time";
import { MAX_ITEM_DEPTH, measureJsonNesting } from "./json-depth";

const propertiesSchema = z.record(z.string(), z.unknown());
const measurementsSchema = z.record(z.string(), z.number().refine(Number.isFinite, "must be a finite number"));

const envelopeSchema = z.object({
  iKey: z.string({ error: "is required" }).trim().min(1, "is required"),
  time: z.string({ error: "is required" }),
  name: z.string().optional(),
  tags: z.record(z.string(), z.unknown()).optional(),
  data: z.object(
    {
      baseType: z.string({ error: "is required" }),
      baseData: z.record(z.string(), z.unknown(), { error: "is required" }),
    },
    { error: "is required" },
  ),
});

const eventDataSchema = z.object({
  name: z.string({ error: "is required" }).trim().min(1, "is required"),
  properties: propertiesSchema.nullish(),
  measurements: measurementsSchema.nullish(),
});

const exceptionDataSchema = z.object({
  exceptions: z
    .array(z.object({ typeName: z.string().optional(), message: z.string().optional(), stack: z.string().nullish() }), { error: "is required" })
    .min(1, "is required"),
  properties: propertiesSchema.nullish(),
  measurements: measurementsSchema.nullish(),
});

type ExceptionData = z.infer<typeof exceptionDataSchema>;

/**
 * @vscode/extension-telemetry 1.5.2 hands the web SDK an ExceptionData
 * structure where it expects an exception, and the SDK wraps it once more:
 * the envelope then says `typeName: "Object"` and carries the real
 * ExceptionData as JSON in `message`. Returns that inner data, or null when
 * the envelope is an ordinary one.
 */
function doubleEncodedException(data: ExceptionData): ExceptionData | null {
  const first = data.exceptions[0];
  if (data.exceptions.length !== 1 || first?.typeName !== "Object" || !first.message?.trimStart().startsWith("{")) return null;
  // The inner JSON is bounded like the envelope around it: its properties are stringified later.
  if (measureJsonNesting(first.message).depth > MAX_ITEM_DEPTH) return null;
  try {
    const inner = exceptionDataSchema.safeParse(JSON.parse(first.message));
    return inner.success ? inner.data : null;
  } catch {
    return null;
  }
}

export type EnvelopeResult = { ok: true; iKey: string; event: RawEvent } | { ok: false; message: string };

function describe(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join(".")}: ${issue.message}`)
    .join("; ");
}

/** Property values are strings in Application Insights; numbers and booleans are kept, objects become JSON text. */
export function toPropertyValues(properties: Record<string, unknown> | null | undefined): Record<string, PropertyValue> {
  const values: Record<string, PropertyValue> = {};
  for (const [name, value] of Object.entries(properties ?? {})) {
    if (value === undefined || value === null) continue;
    values[name] = typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : JSON.stringify(value);
  }
  return values;
}

function tag(tags: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = tags?.[name];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

export function readEnvelope(item: unknown, now: Date): EnvelopeResult {
  const envelope = envelopeSchema.safeParse(item);
  if (!envelope.success) return { ok: false, message: describe(envelope.error, "") };
  const { iKey, tags, data } = envelope.data;
  const time = parseEventTime(envelope.data.time, now);
  if (!time.ok) return { ok: false, message: `time: ${time.message}` };
  const common = { time: time.value, userId: tag(tags, "ai.user.id"), sessionId: tag(tags, "ai.session.id") };

  if (data.baseType === "EventData") {
    const base = eventDataSchema.safeParse(data.baseData);
    if (!base.success) return { ok: false, message: describe(base.error, "data.baseData") };
    return {
      ok: true,
      iKey,
      event: { ...common, name: base.data.name, properties: toPropertyValues(base.data.properties), measurements: base.data.measurements ?? {} },
    };
  }
  if (data.baseType === "ExceptionData") {
    const outer = exceptionDataSchema.safeParse(data.baseData);
    if (!outer.success) return { ok: false, message: describe(outer.error, "data.baseData") };
    const inner = doubleEncodedException(outer.data);
    const base = inner ?? outer.data;
    const first = base.exceptions[0]!;
    const properties = { ...toPropertyValues(inner?.properties), ...toPropertyValues(outer.data.properties) };
    // the wrapper's own marker (see doubleEncodedException), not the sender's data
    if (inner && properties.typeName === "Object") delete properties.typeName;
    return {
      ok: true,
      iKey,
      event: {
        ...common,
        name: "exception",
        properties,
        measurements: { ...inner?.measurements, ...outer.data.measurements },
        exception: { typeName: first.typeName, message: first.message, stack: first.stack ?? undefined },
      },
    };
  }
  return { ok: false, message: `data.baseType "${data.baseType.slice(0, 64)}" is not accepted here (EventData and ExceptionData are).` };
}
