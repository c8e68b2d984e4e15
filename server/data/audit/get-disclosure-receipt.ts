// "Who has seen data of machine X?" for the auditor (audit.read): the
// disclosure receipt (server/audit/checkpoints/disclosure-receipt.ts) — every
// audit row whose machine_ids holds X, with inclusion proofs against the
// newest signed checkpoint — as the downloadable document (the API) and as
// the page's table. Asking is itself audited (audit.disclosure_receipt, target
// type `machine`, target id X, row count = rows listed). The request row names
// X as its target, not in machine_ids: it discloses audit rows, not events of
// X, so it never appears in a later receipt of X.
import "server-only";
import { disclosureFormSchema, disclosureQuerySchema } from "@/lib/audit/disclosure-query";
import type { AuditOutcome, Employer, Purpose } from "@/lib/telemetry/vocabulary";
import { audited } from "@/server/access/audited";
import { ProofUnavailableError } from "@/server/audit/checkpoints/proof-bundle";
import { buildDisclosureReceipt, type DisclosureReceipt } from "@/server/audit/checkpoints/disclosure-receipt";
import type { Prisma } from "@/server/db/generated/client";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";

/** One access that disclosed data of the machine, as the page shows it. */
export type DisclosureRowDto = {
  auditEventId: string;
  occurredAt: string;
  actorEmail: string | null;
  actorEmployer: Employer | null;
  actorGroups: string[];
  action: string;
  outcome: AuditOutcome;
  purpose: Purpose | null;
  purposeDetail: string | null;
  fieldClasses: string[];
  rowCount: number | null;
  /** the row's place in the Merkle log; null: not sealed yet */
  leafIndex: number | null;
};

export type DisclosureReceiptView = {
  machineId: string;
  treeSize: number;
  checkpointTime: string | null;
  completeness: string;
  rows: DisclosureRowDto[];
  notYetCovered: DisclosureRowDto[];
};

const GATE = { action: "audit.disclosure_receipt", permission: "audit.read", requirePurpose: false, details: { targetType: "machine" } } as const;

async function receiptFor(tx: Prisma.TransactionClient, machineId: string): Promise<DisclosureReceipt> {
  try {
    return await buildDisclosureReceipt(tx, machineId);
  } catch (error) {
    if (error instanceof ProofUnavailableError) throw new AppError("conflict", error.message);
    throw error;
  }
}

function auditOf(receipt: DisclosureReceipt) {
  return {
    targetId: receipt.machineId,
    rowCount: receipt.rows.length + receipt.notYetCovered.length,
    filters: { checkpointSize: receipt.treeSize, covered: receipt.rows.length, notYetCovered: receipt.notYetCovered.length },
  };
}

/** GET /api/v1/audit/disclosures?machineId=…: the receipt document (what `audit:verify --receipt` checks). */
export async function getDisclosureReceipt(input: unknown): Promise<DisclosureReceipt> {
  return audited(GATE, async ({ tx }) => {
    const { machineId } = parseInput(disclosureQuerySchema, input);
    const receipt = await receiptFor(tx, machineId as string);
    return { value: receipt, audit: auditOf(receipt) };
  });
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []);

function toRowDto(entry: { auditEventId: string; leafIndex: number | null; row: Record<string, unknown> }): DisclosureRowDto {
  const { row } = entry;
  return {
    auditEventId: entry.auditEventId,
    occurredAt: String(row.occurred_at),
    actorEmail: text(row.actor_email),
    actorEmployer: text(row.actor_employer) as Employer | null,
    actorGroups: texts(row.actor_groups),
    action: String(row.action),
    outcome: String(row.outcome) as AuditOutcome,
    purpose: text(row.purpose) as Purpose | null,
    purposeDetail: text(row.purpose_detail),
    fieldClasses: texts(row.field_classes),
    rowCount: typeof row.row_count === "number" ? row.row_count : null,
    leafIndex: entry.leafIndex,
  };
}

/** /audit/disclosures: the form may be empty (nothing asked yet: the gate still decides, and the visit is audited). */
export async function getDisclosureReceiptView(input: unknown): Promise<DisclosureReceiptView | null> {
  return audited(GATE, async ({ tx }) => {
    const { machineId } = parseInput(disclosureFormSchema, input);
    if (machineId === undefined) return { value: null };
    const receipt = await receiptFor(tx, machineId);
    const checkpointTime = receipt.checkpoint ? (/\ntime (\S+)\n/.exec(receipt.checkpoint)?.[1] ?? null) : null;
    return {
      value: {
        machineId,
        treeSize: receipt.treeSize,
        checkpointTime,
        completeness: receipt.completeness,
        rows: receipt.rows.map(toRowDto),
        notYetCovered: receipt.notYetCovered.map(toRowDto),
      },
      audit: auditOf(receipt),
    };
  });
}
