// Runs one fuzz target: fast-check generates the requests from a seed, eight
// lanes send them concurrently (each lane a fast-check run of its own, seeded
// from the stage's seed, the target and the lane), and every answer is
// checked against the stage's properties:
//   1. an answer, and never a 5xx;
//   2. every 4xx is JSON naming the problem: {"error":{"message":"…"}} — or,
//      from the intake (/v2/track, /api/v1/telemetry), its batch reply when
//      every item was refused: {"errors":[{"message":"…"}, …]}; HEAD answers
//      have no body, so there only the Content-Type is checked;
//   3. a request sent with a persona's real session to a route or action the
//      gate guards: every 4xx (API) — and every call (server actions, which
//      answer refusals as 200 form state) — has an audit row whose request_id
//      is the answer's X-Request-Id. Joined in batches, one query per batch.
//      Exempt: what Node's HTTP parser refuses before the request exists
//      (headers over 16 kB, a malformed request line): JSON, but no request
//      id and no audit row, since no route ran and no cookie was read.
// The first failing request of a lane ends that lane; the failure is then
// shrunk (replayed from its seed and path) and reported with the command
// that replays it. With FUZZ_SURVEY=1 (npm run fuzz -- --survey) no lane
// stops: every failure is counted by kind, with one example each.
import fc from "fast-check";
import { sql } from "../db";
import type { SignedInPersona } from "../fixtures";
import type { HttpClient, RawResponse } from "./http";
import { describeInput, render, type FuzzInput, type FuzzTarget } from "./targets";

export type FuzzOptions = {
  seed: number;
  /** count every failure by kind instead of stopping a lane at its first */
  survey: boolean;
  runs: number;
  lanes: number;
  /** replay one lane of one target from a counterexample path */
  lane?: number;
  path?: string;
  /** how long shrinking one failure may take */
  shrinkMs: number;
};

export type TargetReport = {
  target: string;
  inputs: number;
  statuses: Record<string, number>;
  serverErrors: number;
  nonJsonRefusals: number;
  unauditedRefusals: number;
  /** refusals of requests without a usable session that left no row (the gate audits those too; not a property) */
  anonymousUnaudited: number;
  auditQueries: number;
  seconds: number;
  failures: string[];
  /** each kind of failure seen (its first problem, without ids), how often, and one example */
  kinds: Record<string, { count: number; example: string }>;
};

/** One SQL query per batch of request ids: which of them have an audit row. */
export class AuditJoin {
  private pending: Array<{ requestId: string; resolve: (found: boolean) => void; reject: (error: unknown) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  queries = 0;

  constructor(
    private readonly since: Date,
    private readonly batchSize = 64,
    private readonly waitMs = 20,
  ) {}

  hasRow(requestId: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ requestId, resolve, reject });
      if (this.pending.length >= this.batchSize) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.waitMs);
    });
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    try {
      this.queries += 1;
      const rows = await sql<{ request_id: string }>(`SELECT DISTINCT request_id FROM audit_event WHERE occurred_at >= $1 AND request_id = ANY($2::text[])`, [
        this.since,
        batch.map((item) => item.requestId),
      ]);
      const found = new Set(rows.map((row) => row.request_id));
      for (const item of batch) item.resolve(found.has(item.requestId));
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
}

export type Exchange = { input: FuzzInput; response?: RawResponse; error?: string };

export type Checker = {
  client: HttpClient;
  audit: AuditJoin;
  tokens: Record<SignedInPersona, string>;
  fallbackToken: string;
};

/** The refusal text of a 4xx body, or why there is none. */
function refusalMessage(target: FuzzTarget, exchange: Required<Pick<Exchange, "response">> & Exchange): { ok: true } | { ok: false; why: string } {
  const { response, input } = exchange;
  const type = String(response.headers["content-type"] ?? "");
  if (!/^application\/json\b/i.test(type)) return { ok: false, why: `Content-Type is "${type}", not application/json` };
  if (input.method.toUpperCase() === "HEAD") return { ok: true };
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString("utf8"));
  } catch {
    return { ok: false, why: "the body is not JSON" };
  }
  // The intake may answer a batch whose every item was refused with its batch reply, each item's refusal named (docs/INGESTION.md).
  const items = (body as { errors?: unknown })?.errors;
  if (target.auth === "ingestion-key" && Array.isArray(items) && items.length > 0) {
    const unnamed = items.some((item) => typeof (item as { message?: unknown })?.message !== "string" || (item as { message: string }).message.trim() === "");
    return unnamed ? { ok: false, why: "an item of the batch reply names no problem" } : { ok: true };
  }
  const message = (body as { error?: { message?: unknown } })?.error?.message;
  if (typeof message !== "string" || message.trim() === "") return { ok: false, why: "the body names no problem (no non-empty error.message)" };
  return { ok: true };
}

/** Whether this request was sent with a persona's real session to something the gate guards. */
function isSignedInToGate(target: FuzzTarget, input: FuzzInput): boolean {
  return target.auth === "session" && input.identity.kind === "persona";
}

export type Verdict = { problems: string[]; refusal: boolean; signedIn: boolean; nonJson: boolean; unaudited: boolean; anonymousUnaudited: boolean };

export async function exchangeAndCheck(target: FuzzTarget, input: FuzzInput, checker: Checker, userAgent: string): Promise<{ exchange: Exchange; verdict: Verdict }> {
  const exchange: Exchange = { input };
  try {
    exchange.response = await checker.client.send(render(input, checker.tokens, checker.fallbackToken, userAgent));
  } catch (error) {
    exchange.error = error instanceof Error ? error.message : String(error);
  }
  const verdict: Verdict = { problems: [], refusal: false, signedIn: isSignedInToGate(target, input), nonJson: false, unaudited: false, anonymousUnaudited: false };
  const response = exchange.response;
  if (!response) {
    verdict.problems.push(`no answer: ${exchange.error}`);
    return { exchange, verdict };
  }
  if (response.status >= 500) verdict.problems.push(`answered ${response.status}`);
  verdict.refusal = response.status >= 400 && response.status < 500;
  if (verdict.refusal) {
    const message = refusalMessage(target, { ...exchange, response });
    if (!message.ok) {
      verdict.nonJson = true;
      verdict.problems.push(`answered ${response.status} but ${message.why}`);
    }
  }
  const requestId = String(response.headers["x-request-id"] ?? "");
  if (!requestId) {
    // Only Node's HTTP parser answers before the front gives the request an id.
    if (![400, 408, 413, 431].includes(response.status)) verdict.problems.push(`answered ${response.status} without an X-Request-Id`);
    return { exchange, verdict };
  }
  const mustBeAudited = verdict.signedIn && (target.kind === "action" || verdict.refusal);
  if (mustBeAudited || (target.auth === "session" && verdict.refusal)) {
    const audited = await checker.audit.hasRow(requestId);
    if (!audited && mustBeAudited) verdict.unaudited = true;
    if (!audited && mustBeAudited) verdict.problems.push(`${verdict.refusal ? `refused (${response.status})` : `answered ${response.status}`} a signed-in person and left no audit row for request ${requestId}`);
    if (!audited && !verdict.signedIn) verdict.anonymousUnaudited = true;
  }
  return { exchange, verdict };
}

export function describeExchange(exchange: Exchange): string {
  const response = exchange.response;
  const answer = response
    ? `→ ${response.status} ${String(response.headers["content-type"] ?? "(no Content-Type)")}, X-Request-Id ${String(response.headers["x-request-id"] ?? "(none)")}\n${response.body.toString("utf8").slice(0, 400)}`
    : `→ no answer (${exchange.error})`;
  return `${describeInput(exchange.input)}\n${answer}`;
}

function cutText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** A stable 31-bit seed for a lane of a target. */
export function laneSeed(seed: number, target: string, lane: number): number {
  let hash = seed | 0;
  for (const char of `${target}#${lane}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash & 0x7fffffff;
}

class PropertyViolation extends Error {}

export async function fuzzTarget(target: FuzzTarget, options: FuzzOptions, checker: Checker): Promise<TargetReport> {
  const started = Date.now();
  const queriesBefore = checker.audit.queries;
  const report: TargetReport = { target: target.name, inputs: 0, statuses: {}, serverErrors: 0, nonJsonRefusals: 0, unauditedRefusals: 0, anonymousUnaudited: 0, auditQueries: 0, seconds: 0, failures: [], kinds: {} };
  const userAgent = `telemetry-portal-fuzz/${target.name.replace(/[^\w/.,-]+/g, "_")}`;

  /**
   * The property for one lane; `counted` is false while shrinking, so the
   * stage's counts stay the generated inputs. Runs are numbered as
   * fast-check's paths number them, for the survey's replay commands.
   */
  const property = (counted: boolean, lane: number) => {
    let run = -1;
    return fc.asyncProperty(target.arbitrary, async (input) => {
      run += 1;
      const { exchange, verdict } = await exchangeAndCheck(target, input, checker, userAgent);
      if (counted) {
        report.inputs += 1;
        const status = String(exchange.response?.status ?? "none");
        report.statuses[status] = (report.statuses[status] ?? 0) + 1;
        if ((exchange.response?.status ?? 0) >= 500 || !exchange.response) report.serverErrors += 1;
        if (verdict.nonJson) report.nonJsonRefusals += 1;
        if (verdict.unaudited) report.unauditedRefusals += 1;
        if (verdict.anonymousUnaudited) report.anonymousUnaudited += 1;
        if (verdict.problems.length > 0) {
          const kind = `${verdict.problems[0]?.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "…")} (${input.method}, ${input.identity.kind === "persona" ? "signed in" : input.identity.kind})`;
          const replay = `replay: npm run fuzz -- --seed ${options.seed} --target ${JSON.stringify(target.name)} --lane ${lane} --path ${options.path ?? run}`;
          const seen = (report.kinds[kind] ??= { count: 0, example: `${describeExchange(exchange)}\n${replay}` });
          seen.count += 1;
        }
      }
      if (verdict.problems.length > 0 && !(counted && options.survey)) throw new PropertyViolation(`${verdict.problems.join("; ")}\n${describeExchange(exchange)}`);
    });
  };

  const runsOf = (lane: number) => (options.path !== undefined ? 1 : Math.floor(options.runs / options.lanes) + (lane < options.runs % options.lanes ? 1 : 0));
  // (fewer runs than lanes: the extra lanes have nothing to do)
  const lanes = (options.lane !== undefined ? [options.lane] : Array.from({ length: options.lanes }, (_, lane) => lane)).filter((lane) => runsOf(lane) > 0);
  const results = await Promise.all(
    lanes.map(async (lane) => {
      const seed = laneSeed(options.seed, target.name, lane);
      const details = await fc.check(property(true, lane), { seed, numRuns: runsOf(lane), endOnFailure: true, ...(options.path !== undefined ? { path: options.path } : {}) });
      return { lane, seed, details };
    }),
  );

  for (const { lane, seed, details } of results) {
    if (!details.failed) continue;
    if (details.errorInstance && !(details.errorInstance instanceof PropertyViolation)) {
      report.failures.push(`lane ${lane}: the fuzz stage itself failed: ${String(details.errorInstance)}`);
      continue;
    }
    // Shrink: replay the failing run from its path and let fast-check simplify it, within a time budget.
    const shrunk = await fc.check(property(false, lane), { seed, path: details.counterexamplePath ?? undefined, numRuns: 1, interruptAfterTimeLimit: options.shrinkMs, markInterruptAsFailure: false });
    const final = shrunk.failed ? shrunk : details;
    const violation = final.errorInstance instanceof Error ? final.errorInstance.message : String(final.errorInstance);
    report.failures.push(
      [
        `lane ${lane} (seed ${seed}), after ${details.numRuns} run(s)${shrunk.failed ? `, shrunk ${shrunk.numShrinks} time(s)` : ""}:`,
        violation,
        `fast-check counterexample: ${cutText(fc.stringify(final.counterexample?.[0]), 2000)}`,
        `fast-check counterexample path: ${final.counterexamplePath}`,
        `replay: npm run fuzz -- --seed ${options.seed} --target ${JSON.stringify(target.name)} --lane ${lane} --path ${final.counterexamplePath}`,
      ].join("\n"),
    );
  }
  report.auditQueries = checker.audit.queries - queriesBefore;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
