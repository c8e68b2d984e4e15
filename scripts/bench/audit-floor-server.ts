// The floor for the HTTP read benchmark (./audit-http.ts): a plain Node
// `http` server that answers GET /events with the portal's own page query
// (GET /api/v1/events?limit=50, same SQL, same columns) plus the same audit
// row (chain head locked, row hashed as server/audit/write-audit-event.ts
// hashes it, inserted and the head advanced) in one transaction through `pg`,
// and sends the rows as JSON. No framework, no ORM, no session: what the
// database and one Node thread can do for an audited page.
//
// Run by the benchmark as a child process: tsx scripts/bench/audit-floor-server.ts <databaseUrl> <port> <poolSize> <chains>
import { randomUUID } from "node:crypto";
import http from "node:http";
import pg from "pg";
import { EVENT_KINDS } from "../../lib/telemetry/vocabulary";
import { eventListQuerySchema } from "../../lib/telemetry/event-query";
import { hashAuditRow, type AuditRowContent } from "../../server/audit/canonical";
import { pickChain } from "../../server/audit/write-audit-event";
import { SESSION_OPTIONS } from "../../server/db/connect";
import { EVENT_ROW_COLUMNS } from "../../server/telemetry/event-dto";
import { listWhere, pageQuery } from "../../server/telemetry/event-sql";

const [databaseUrl, portText, poolText, chainsText] = process.argv.slice(2);
if (!databaseUrl || !portText || !poolText || !chainsText) throw new Error("usage: audit-floor-server.ts <databaseUrl> <port> <poolSize> <chains>");
const chains = Number(chainsText);
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(poolText), min: Number(poolText), options: SESSION_OPTIONS });

const INSERT_AND_ADVANCE = `
  WITH inserted AS (
    INSERT INTO audit_event (
      chain_id, seq, occurred_at, request_id,
      actor_person_id, actor_email, actor_employer, actor_groups, actor_roles, actor_ip, actor_user_agent,
      action, outcome, reason, purpose, purpose_detail, target_type, target_id,
      event_ids, machine_ids, field_classes, filters, row_count, file_sha256, before, after,
      prev_hash, hash
    ) VALUES ($1, $2, $3::timestamptz, $4, $5::uuid, $6, $7::employer, $8::text[], $9::text[], $10, $11,
              $12, $13::audit_outcome, NULL, $14::purpose, NULL, NULL, NULL,
              $15::text[], $16::text[], $17::text[], $18::jsonb, $19::integer, NULL, NULL, NULL, $20, $21)
    RETURNING id
  ), advanced AS (
    UPDATE audit_chain_head SET seq = $2, hash = $21, updated_at = $3::timestamptz WHERE chain_id = $1 RETURNING chain_id
  )
  SELECT inserted.id FROM inserted, advanced`;

type Row = { id: string; machine_id: string } & Record<string, unknown>;

async function auditedPage(): Promise<Row[]> {
  const query = eventListQuerySchema.parse(new URLSearchParams("limit=50"));
  const now = new Date();
  const page = pageQuery(EVENT_ROW_COLUMNS, listWhere(EVENT_KINDS, query.filters, query.sort, now), query.sort, null, query.limit + 1);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const rows = (await client.query<Row>({ name: "floor_page", text: page.text, values: page.values })).rows.slice(0, query.limit);
    const requestId = randomUUID();
    const chainId = pickChain(requestId, chains);
    const head = (await client.query<{ seq: string; hash: string }>({ name: "floor_head", text: "SELECT seq, hash FROM audit_chain_head WHERE chain_id = $1 FOR UPDATE", values: [chainId] })).rows[0];
    if (!head) throw new Error(`no head for chain ${chainId}`);
    const row: AuditRowContent = {
      chainId,
      seq: BigInt(head.seq) + 1n,
      occurredAt: new Date(),
      requestId,
      actorPersonId: "00000000-0000-4000-8000-00000000f100",
      actorEmail: "floor@example.com",
      actorEmployer: "github",
      actorGroups: ["copilot_team"],
      actorRoles: ["viewer"],
      actorIp: "127.0.0.1",
      actorUserAgent: "bench-audit floor",
      action: "events.list",
      outcome: "allowed",
      reason: null,
      purpose: "evaluate_product",
      purposeDetail: null,
      targetType: null,
      targetId: null,
      eventIds: rows.map((item) => item.id),
      machineIds: [...new Set(rows.map((item) => item.machine_id))],
      fieldClasses: ["identifiers", "environment", "measurements"],
      filters: { limit: query.limit },
      rowCount: rows.length,
      fileSha256: null,
      before: null,
      after: null,
      prevHash: head.hash,
    };
    const hash = hashAuditRow(row);
    await client.query({
      name: "floor_audit",
      text: INSERT_AND_ADVANCE,
      values: [
        row.chainId, row.seq.toString(), row.occurredAt.toISOString(), row.requestId, row.actorPersonId, row.actorEmail, row.actorEmployer,
        row.actorGroups, row.actorRoles, row.actorIp, row.actorUserAgent, row.action, row.outcome, row.purpose,
        row.eventIds, row.machineIds, row.fieldClasses, JSON.stringify(row.filters), row.rowCount, row.prevHash, hash,
      ],
    });
    await client.query("COMMIT");
    return rows;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const server = http.createServer((request, response) => {
  auditedPage().then(
    (rows) => {
      const body = JSON.stringify({ items: rows });
      response.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "private, no-store", "Content-Length": Buffer.byteLength(body) });
      response.end(body);
    },
    (error: unknown) => {
      response.writeHead(503, { "Content-Type": "text/plain" });
      response.end(error instanceof Error ? error.message : String(error));
    },
  );
  request.resume();
});
server.keepAliveTimeout = 60_000;
server.listen(Number(portText), "127.0.0.1", () => console.log("floor ready"));
process.on("SIGTERM", () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
});
