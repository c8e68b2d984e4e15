// A campaign's report as a file: every grant under review with its usage,
// decision, reviewer and outcome, as CSV (every cell through the formula
// guard) or JSON. For the group's reviewers, auditors and admins. Audited
// (access.review_export) with the row count and the file's SHA-256, written
// and committed before the file is served, like the other exports.
import "server-only";
import { createHash } from "node:crypto";
import { audited } from "@/server/access/audited";
import { exportCsv, type CsvExport } from "@/server/csv/csv-export";
import { AppError } from "@/server/http/app-error";
import { parseInput } from "@/server/http/parse-input";
import { targetHint } from "@/server/data/admin/access-list";
import { campaignDto, campaignInclude, itemDto, itemsWithUsage, mayDecideGroup, refuseNonReader, reviewerGroupsOf } from "./rules";
import { exportReviewReportInputSchema } from "./schemas";
import { UNUSED_DAYS } from "./settings";
import type { ReviewCampaignDto, ReviewItemDto } from "./types";
import type { GateContext } from "@/server/access/audited";

export const REPORT_COLUMNS = [
  "campaign_id",
  "group",
  "holder_email",
  "holder_name",
  "holder_employer",
  "grant_id",
  "grant_expires_at",
  "grant_state",
  "last_access_at",
  "reads",
  "reveals",
  "exports",
  `unused_${UNUSED_DAYS}_days`,
  "decision",
  "reason",
  "decided_by",
  "decided_at",
  "outcome",
] as const;

function reportRow(campaign: ReviewCampaignDto, item: ReviewItemDto): unknown[] {
  return [
    campaign.id,
    campaign.groupKey,
    item.holder.email,
    item.holder.name,
    item.holder.employer,
    item.grant.id,
    item.grant.expiresAt,
    item.grant.state,
    item.usage.lastAccessAt ?? "",
    item.usage.reads,
    item.usage.reveals,
    item.usage.exports,
    item.usage.isUnused ? "yes" : "no",
    item.decision ?? "",
    item.reason ?? "",
    item.decidedBy?.email ?? "",
    item.decidedAt ?? "",
    item.outcome ?? (campaign.status === "open" ? "pending" : ""),
  ];
}

export type JsonExport = { filename: string; rowCount: number; sha256: string; byteLength: number; body: string };

async function loadReport({ tx, actor }: GateContext, campaignId: string) {
  const readable = await refuseNonReader(tx, actor);
  const now = new Date();
  const campaign = await tx.accessReviewCampaign.findUnique({ where: { id: campaignId }, include: campaignInclude });
  if (!campaign || !mayDecideGroup(readable, campaign.groupKey)) throw new AppError("not_found", "No such access review.");
  const reviewerGroups = await reviewerGroupsOf(tx, actor);
  const rows = await itemsWithUsage(tx, campaign, now);
  const dto = campaignDto(campaign, now);
  return { campaign: dto, items: rows.map(({ item, usage }) => itemDto(item, usage, campaign, actor, reviewerGroups, campaign.groupKey, now)), now };
}

const spec = (input: unknown) => ({ action: "access.review_export", permission: null, allowWithoutGrant: true, details: { targetType: "access_review", targetId: targetHint(input, "campaignId") } }) as const;

/** The report as CSV. */
export async function exportReviewReportCsv(input: unknown): Promise<CsvExport> {
  return exportCsv("tp-review-report", (file) =>
    audited(spec(input), async (context) => {
      const { campaignId, format } = parseInput(exportReviewReportInputSchema, input);
      if (format !== "csv") throw new AppError("invalid_input", "format: must be csv here", [{ path: "format", message: "must be csv" }]);
      const { campaign, items, now } = await loadReport(context, campaignId);
      await file.writeRows([REPORT_COLUMNS, ...items.map((item) => reportRow(campaign, item))]);
      const { sha256, byteLength } = await file.seal();
      return {
        value: { filename: `access-review-${campaign.groupKey}-${campaign.openedAt.slice(0, 10)}.csv`, rowCount: items.length, sha256, byteLength, truncated: false, maxRows: items.length },
        audit: { targetType: "access_review", targetId: campaign.id, rowCount: items.length, fileSha256: sha256, filters: { format: "csv", status: campaign.status, at: now.toISOString() } },
      };
    }),
  );
}

/** The report as JSON: the campaign and its items, exactly the bytes hashed into the audit row. */
export async function exportReviewReportJson(input: unknown): Promise<JsonExport> {
  return audited(spec(input), async (context) => {
    const { campaignId, format } = parseInput(exportReviewReportInputSchema, input);
    if (format !== "json") throw new AppError("invalid_input", "format: must be json here", [{ path: "format", message: "must be json" }]);
    const { campaign, items, now } = await loadReport(context, campaignId);
    const report = {
      generatedAt: now.toISOString(),
      unusedDays: UNUSED_DAYS,
      campaign,
      items: items.map(({ canDecide: _canDecide, note: _note, ...item }) => ({ ...item, outcome: item.outcome ?? (campaign.status === "open" ? "pending" : null) })),
    };
    const body = `${JSON.stringify(report, null, 2)}\n`;
    const bytes = Buffer.from(body, "utf8");
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    return {
      value: { filename: `access-review-${campaign.groupKey}-${campaign.openedAt.slice(0, 10)}.json`, rowCount: items.length, sha256, byteLength: bytes.byteLength, body },
      audit: { targetType: "access_review", targetId: campaign.id, rowCount: items.length, fileSha256: sha256, filters: { format: "json", status: campaign.status, at: now.toISOString() } },
    };
  });
}
