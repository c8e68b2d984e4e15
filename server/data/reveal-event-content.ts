// Reveal the content of one event (code snippets, editor state, suggestion
// text): allowed only when the person's scope grants `content` for the event's
// kind; decrypted here, on this explicit request, and audited as its own action
// (events.reveal) with the event id and field class `content`. A person without
// the grant gets 403, and the gate records the refusal with the event id.
import "server-only";
import { z } from "zod";
import { permittedKinds, telemetryScope } from "@/lib/access/policy";
import type { RevealedContent } from "@/lib/telemetry/event-types";
import { EVENT_KIND_LABELS, PURPOSE_LABELS, type EventKind } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { ContentDecryptionError, openContent } from "@/server/crypto/content";
import { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { eventIdInputSchema, wellFormedEventId } from "@/server/telemetry/event-id";
import { kindCondition } from "@/server/telemetry/event-sql";
import { EVENT_NOT_FOUND } from "./get-event";

/** What a decrypted document may hold (lib/telemetry/fields.ts ContentDocument); anything else is dropped. */
const contentDocumentSchema = z.object({
  prefix: z.string().optional(),
  suffix: z.string().optional(),
  editorState: z
    .object({ line: z.number(), character: z.number(), relativePath: z.string().optional(), lineCount: z.number().optional() })
    .optional(),
  suggestions: z.array(z.string()).optional(),
  persistedText: z.string().optional(),
  unclassified: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

type ContentRow = { id: string; kind: EventKind; machine_id: string; content_ciphertext: Uint8Array | null; content_key_id: string | null };

export async function revealEventContent(input: { id: unknown }): Promise<RevealedContent> {
  const targetId = wellFormedEventId(input);
  return audited(
    { action: "events.reveal", permission: "telemetry.read", details: { targetType: "telemetry_event", ...(targetId ? { targetId } : {}) } },
    async ({ tx, actor }) => {
      const { id } = parseInput(eventIdInputSchema, input);
      const rows = await tx.$queryRaw<ContentRow[]>(
        Prisma.sql`SELECT id::text AS id, kind::text AS kind, machine_id, content_ciphertext, content_key_id
                   FROM telemetry_event WHERE id = ${id}::uuid AND ${kindCondition(permittedKinds(actor.scope))}`,
      );
      const row = rows[0];
      if (!row) throw new AppError("not_found", EVENT_NOT_FOUND);
      if (!actor.scope[row.kind]?.includes("content")) {
        // Say which narrowed it: the groups, or the declared purpose (which the person can change).
        const groupsAllow = telemetryScope(actor.subject)[row.kind]?.includes("content") ?? false;
        throw new AppError(
          "forbidden",
          groupsAllow && actor.purpose
            ? `Your declared purpose (${PURPOSE_LABELS[actor.purpose]}) does not include content: change the purpose of this session if your work needs the code.`
            : `Your access does not include the content of ${EVENT_KIND_LABELS[row.kind]} events.`,
        );
      }
      let content: RevealedContent["content"] = null;
      if (row.content_ciphertext && row.content_key_id) {
        const keys = getEnv().CONTENT_ENCRYPTION_KEYS;
        if (!keys) throw new Error("CONTENT_ENCRYPTION_KEYS is not configured; content cannot be decrypted.");
        let document: unknown;
        try {
          document = openContent({ ciphertext: row.content_ciphertext, keyId: row.content_key_id }, row.id, keys);
        } catch (error) {
          // Altered ciphertext, or a key that is no longer configured: say so, and the gate audits it as an error.
          if (error instanceof ContentDecryptionError) throw new AppError("unprocessable", `This event's content cannot be shown: ${error.message}`);
          throw error;
        }
        content = contentDocumentSchema.parse(document);
      }
      return {
        value: { id: row.id, content },
        audit: { eventIds: [row.id], machineIds: [row.machine_id], fieldClasses: ["content"], rowCount: 1 },
      };
    },
  );
}
