// The portal's own batch format for producers that are not VS Code
// extensions (POST /api/v1/telemetry, `Authorization: Bearer <ingestion key>`).
// docs/INGESTION.md documents it; the schemas below are the definition.
//
//   {"events":[{"name":"ghostText.shown","time":"2026-11-24T10:15:00.000Z",
//               "machineId":"…","sessionId":"…","vscodeVersion":"1.99.3",
//               "extensionName":"GitHub.copilot","extensionVersion":"1.250.0",
//               "os":"linux","osVersion":"6.8.0","uiKind":"desktop",
//               "properties":{"languageId":"python"},
//               "measurements":{"compCharLen":42,"meanProb":0.83}}]}
//
// The batch object is strict (an unknown top-level field refuses the whole
// request); each event is checked on its own, so one bad event is refused
// with its index and the others are stored. The metadata fields are the same
// as the `common.*` properties of an Application Insights envelope and go
// through the same normalization.
import "server-only";
import { z } from "zod";
import { type RawEvent, MAX_METADATA_LENGTH } from "./normalize";
import { parseEventTime } from "./event-time";

export const MAX_NATIVE_BATCH_EVENTS = 10_000;

const metadataText = z.string().trim().min(1, "must not be empty").max(MAX_METADATA_LENGTH, `must be at most ${MAX_METADATA_LENGTH} characters`);
const propertyValue = z.union([z.string(), z.number().refine(Number.isFinite, "must be a finite number"), z.boolean(), z.null()]);

/** One event of the portal's batch format. */
export const nativeEventSchema = z.strictObject({
  /** the event name; a "<publisher>.<extension>/" prefix is stripped as for VS Code events */
  name: metadataText,
  /** when it happened: ISO 8601 with a time zone */
  time: z.string(),
  machineId: metadataText,
  sessionId: metadataText,
  vscodeVersion: metadataText.optional(),
  extensionName: metadataText.optional(),
  extensionVersion: metadataText.optional(),
  os: metadataText.optional(),
  osVersion: metadataText.optional(),
  uiKind: z.enum(["desktop", "web"]).optional(),
  properties: z.record(z.string().max(MAX_METADATA_LENGTH), propertyValue).optional(),
  measurements: z.record(z.string().max(MAX_METADATA_LENGTH), z.number().refine(Number.isFinite, "must be a finite number")).optional(),
  /** makes the event an `error` (as Application Insights ExceptionData does) */
  exception: z
    .strictObject({ typeName: metadataText, message: z.string().optional(), stack: z.string().optional() })
    .optional(),
});
export type NativeEvent = z.infer<typeof nativeEventSchema>;

/** The request body: a strict object holding the events (each is validated separately, see readNativeEvent). */
export const nativeBatchSchema = z.strictObject({
  events: z
    .array(z.unknown())
    .min(1, "must hold at least one event")
    .max(MAX_NATIVE_BATCH_EVENTS, `must hold at most ${MAX_NATIVE_BATCH_EVENTS} events`),
});

export type NativeEventResult = { ok: true; event: RawEvent } | { ok: false; message: string };

export function readNativeEvent(item: unknown, now: Date): NativeEventResult {
  const parsed = nativeEventSchema.safeParse(item);
  if (!parsed.success) {
    return {
      ok: false,
      message: parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.map(String).join(".") || "event"}: ${issue.message}`)
        .join("; "),
    };
  }
  const event = parsed.data;
  const time = parseEventTime(event.time, now);
  if (!time.ok) return { ok: false, message: `time: ${time.message}` };
  // The metadata travels as the same common.* properties VS Code sends, so one normalization serves both formats.
  const common: Record<string, string | undefined> = {
    "common.vscodemachineid": event.machineId,
    "common.vscodesessionid": event.sessionId,
    "common.vscodeversion": event.vscodeVersion,
    "common.extname": event.extensionName,
    "common.extversion": event.extensionVersion,
    "common.os": event.os,
    "common.platformversion": event.osVersion,
    "common.uikind": event.uiKind,
  };
  const properties: RawEvent["properties"] = { ...event.properties };
  for (const [name, value] of Object.entries(common)) {
    if (value === undefined) delete properties[name];
    else properties[name] = value;
  }
  return {
    ok: true,
    event: {
      name: event.name,
      time: time.value,
      properties,
      measurements: event.measurements ?? {},
      ...(event.exception ? { exception: event.exception } : {}),
    },
  };
}
