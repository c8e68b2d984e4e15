// Deterministic generator of realistic GitHub Copilot editor telemetry for the
// demo and for load tests. Same (seed, now, count) → same events, byte for byte.
//
// The model: a population of pseudonymous machines (each with an OS, VS Code
// and Copilot versions, a UI kind, a location, extension settings and a few
// favourite languages) opens editor sessions spread over the last 30 days,
// weighted towards local working hours and weekdays. A session is a run of
// completion flows, each of which hangs together by completion id:
//
//   requested ─┬─ error (network / rate limit / model)          ~3%
//              ├─ (cancelled: the user typed on, nothing more)  ~9%
//              ├─ redacted (an AI-safety filter removed it)     ~3%
//              └─ shown ─┬─ accepted ── persisted @15s,30s,120s,300s,600s
//                        └─ rejected
//
// plus occasional session-level authentication errors. Events that would fall
// after `now` are not emitted (the flow stops there), so every event lies in
// [now - days, now]. Events are yielded session by session, not in time order.
import { emptyKindFields, type EventRecord } from "@/lib/telemetry/fields";
import type { EventKind, UiKind } from "@/lib/telemetry/vocabulary";
import { Random, WeightedTable } from "./random";
import { CODE_CONTEXTS, type CodeContext } from "./snippets";

/** One generated event: the row type the intake's normalizer produces too (lib/telemetry/fields.ts), content still in plaintext. */
export type SeedEvent = EventRecord & { receivedAt: Date };

export type ExtensionSettings = Record<string, boolean | number | string>;

export type GenerateOptions = {
  /** how many events to produce (exactly) */
  count: number;
  /** PRNG seed; the same seed (with the same `now`) gives the same events */
  seed: number;
  /** the end of the time window (default: the current time) */
  now?: Date;
  /** length of the time window in days (default 30) */
  days?: number;
};

/** Raw event name → kind, for every name the generator emits (names as the extension sends them, without the "GitHub.copilot/" prefix). */
export const SEED_EVENT_NAMES = {
  "ghostText.issued": "completion_requested",
  "ghostText.shown": "completion_shown",
  "ghostText.redacted": "completion_redacted",
  "ghostText.accepted": "completion_accepted",
  "ghostText.rejected": "completion_rejected",
  "ghostText.stillInCode": "completion_persisted",
  "auth.error": "error",
  "networking.error": "error",
  "completion.error": "error",
} as const satisfies Record<string, EventKind>;

/** Seconds after acceptance at which Copilot checks whether the suggestion is still in the code. */
export const PERSISTENCE_CHECKS_SEC = [15, 30, 120, 300, 600] as const;

export const REDACTION_FILTERS = ["public-code-match", "blocklist", "secrets"] as const;

export const ERROR_KINDS = [
  "auth.token_expired",
  "network.timeout",
  "network.certificate_error",
  "rate_limited",
  "model.unavailable",
] as const;

export const EXTENSION_NAME = "GitHub.copilot";

const DAY_MS = 86_400_000;

// ─── Static tables ───────────────────────────────────────────────────────────

/** VS Code minor release → the Copilot extension release current at the time (approximate). */
const RELEASES: ReadonlyArray<readonly [vscodeMinor: number, copilotMinor: number, weight: number]> = [
  [95, 245, 2],
  [96, 254, 3],
  [97, 270, 3],
  [98, 285, 4],
  [99, 297, 5],
  [100, 312, 6],
  [101, 326, 7],
  [102, 343, 9],
  [103, 356, 11],
  [104, 368, 14],
  [105, 378, 18],
  [106, 388, 16],
];
const RELEASE_TABLE = new WeightedTable(RELEASES.map((release) => [release, release[2]] as const));

type OsProfile = { os: "win32" | "darwin" | "linux"; versions: WeightedTable<string> };
// What @vscode/extension-telemetry reports as the platform version: os.release()
// cut to its leading numbers (Linux's "6.8.0-85-generic" is sent as "6.8.0").
const OS_TABLE = new WeightedTable<OsProfile>([
  [{ os: "win32", versions: new WeightedTable([["10.0.26100", 40], ["10.0.22631", 35], ["10.0.19045", 25]]) }, 44],
  [{ os: "darwin", versions: new WeightedTable([["24.6.0", 30], ["25.0.0", 20], ["24.5.0", 20], ["23.6.0", 18], ["22.6.0", 6]]) }, 36],
  [
    {
      os: "linux",
      versions: new WeightedTable([
        ["6.8.0", 50],
        ["5.15.0", 20],
        ["6.14.0", 15],
        ["6.16.8", 10],
        ["6.12.48", 5],
      ]),
    },
    20,
  ],
]);

type Place = { country: string; region: string; city: string; utcOffsetHours: number };
const PLACES = new WeightedTable<Place>([
  [{ country: "US", region: "California", city: "San Francisco", utcOffsetHours: -8 }, 10],
  [{ country: "US", region: "Washington", city: "Seattle", utcOffsetHours: -8 }, 7],
  [{ country: "US", region: "New York", city: "New York", utcOffsetHours: -5 }, 7],
  [{ country: "US", region: "Texas", city: "Austin", utcOffsetHours: -6 }, 4],
  [{ country: "CA", region: "Ontario", city: "Toronto", utcOffsetHours: -5 }, 4],
  [{ country: "BR", region: "São Paulo", city: "São Paulo", utcOffsetHours: -3 }, 5],
  [{ country: "GB", region: "England", city: "London", utcOffsetHours: 0 }, 6],
  [{ country: "IE", region: "Leinster", city: "Dublin", utcOffsetHours: 0 }, 2],
  [{ country: "FR", region: "Île-de-France", city: "Paris", utcOffsetHours: 1 }, 4],
  [{ country: "DE", region: "Bavaria", city: "Munich", utcOffsetHours: 1 }, 4],
  [{ country: "DE", region: "Berlin", city: "Berlin", utcOffsetHours: 1 }, 4],
  [{ country: "NL", region: "North Holland", city: "Amsterdam", utcOffsetHours: 1 }, 3],
  [{ country: "PL", region: "Masovia", city: "Warsaw", utcOffsetHours: 1 }, 2],
  [{ country: "IL", region: "Tel Aviv District", city: "Tel Aviv", utcOffsetHours: 2 }, 2],
  [{ country: "IN", region: "Karnataka", city: "Bengaluru", utcOffsetHours: 5.5 }, 9],
  [{ country: "IN", region: "Maharashtra", city: "Pune", utcOffsetHours: 5.5 }, 3],
  [{ country: "CN", region: "Shanghai", city: "Shanghai", utcOffsetHours: 8 }, 3],
  [{ country: "SG", region: "Singapore", city: "Singapore", utcOffsetHours: 8 }, 2],
  [{ country: "JP", region: "Tokyo", city: "Tokyo", utcOffsetHours: 9 }, 5],
  [{ country: "KR", region: "Seoul", city: "Seoul", utcOffsetHours: 9 }, 2],
  [{ country: "AU", region: "New South Wales", city: "Sydney", utcOffsetHours: 10 }, 3],
]);

// Extension settings as the extension reports them: names classified as
// environment and values the portal shows as sent (booleans, and models listed
// in known_value), so the rows obey the intake's producer-text rule
// (server/ingest/producer-text.ts). Objects are shared between events of a
// machine (writers may cache their JSON by identity).
const SETTINGS_VARIANTS: readonly ExtensionSettings[] = [
  { "editor.inlineSuggest.enabled": true, "github.copilot.nextEditSuggestions.enabled": false },
  { "editor.inlineSuggest.enabled": true, "editor.inlineSuggest.suppressSuggestions": true },
  { "editor.inlineSuggest.enabled": true, "github.copilot.nextEditSuggestions.enabled": true },
  {
    "editor.inlineSuggest.enabled": true,
    "github.copilot.editor.enableAutoCompletions": true,
    "editor.inlineSuggest.suppressSuggestions": false,
  },
  { "editor.inlineSuggest.enabled": true, "github.copilot.selectedCompletionModel": "gpt-4o-copilot" },
];

const LANGUAGE_TABLE = new WeightedTable<string>(
  (
    [
      ["python", 24],
      ["typescript", 20],
      ["typescriptreact", 6],
      ["javascript", 12],
      ["go", 8],
      ["java", 10],
      ["csharp", 9],
      ["rust", 5],
      ["cpp", 4],
      ["ruby", 2],
    ] as const
  ).filter(([language]) => CODE_CONTEXTS.has(language)),
);

const POST_PROCESSING_STEPS: ReadonlyArray<readonly [step: string, probability: number]> = [
  ["trim", 1],
  ["dedupe-lines", 0.5],
  ["indent-fix", 0.15],
  ["truncate-at-block-end", 0.3],
  ["balance-brackets", 0.05],
];

const REDACTION_TABLE = new WeightedTable<(typeof REDACTION_FILTERS)[number]>([
  ["public-code-match", 60],
  ["blocklist", 25],
  ["secrets", 15],
]);

type RequestError = "network.timeout" | "network.certificate_error" | "rate_limited" | "model.unavailable";
const REQUEST_ERROR_TABLE = new WeightedTable<RequestError>([
  ["network.timeout", 45],
  ["rate_limited", 25],
  ["model.unavailable", 18],
  ["network.certificate_error", 12],
]);

// Flow probabilities (see the header diagram).
const P_REQUEST_ERROR = 0.03;
const P_CANCELLED = 0.09;
const P_REDACTED = 0.03;
const P_SESSION_AUTH_ERROR = 0.08;
/** chance that the document was closed before a persistence check (no more checks) */
const P_CHECK_SKIPPED = 0.04;
/** chance that, at a check, the user has deleted the whole suggestion */
const P_DELETED = 0.03;
/** mean fraction of what remains that is edited away before each check */
const PERSISTENCE_DECAY = [0.03, 0.04, 0.08, 0.08, 0.07] as const;

// ─── Population ──────────────────────────────────────────────────────────────

type Machine = {
  id: string;
  os: string;
  osVersion: string;
  uiKind: UiKind;
  vscodeVersion: string;
  extensionVersion: string;
  place: Place;
  settings: ExtensionSettings;
  languages: string[];
};

function createMachine(random: Random): Machine {
  const [vscodeMinor, copilotMinor] = RELEASE_TABLE.draw(random);
  const osProfile = OS_TABLE.draw(random);
  const languages = [LANGUAGE_TABLE.draw(random)];
  const extra = random.int(3);
  for (let i = 0; i < extra; i++) {
    const language = LANGUAGE_TABLE.draw(random);
    if (!languages.includes(language)) languages.push(language);
  }
  return {
    // VS Code's machine id is a SHA-256 hex digest: 64 hex characters.
    id: random.hex(32),
    os: osProfile.os,
    osVersion: osProfile.versions.draw(random),
    uiKind: random.chance(0.07) ? "web" : "desktop",
    vscodeVersion: `1.${vscodeMinor}.${random.int(4)}`,
    extensionVersion: `1.${copilotMinor + random.int(6)}.0`,
    place: PLACES.draw(random),
    settings: random.pick(SETTINGS_VARIANTS),
    languages,
  };
}

/** Local-hour activity weight: office hours busy, evenings some, nights little. */
function hourWeight(localHour: number): number {
  if (localHour >= 9 && localHour < 18) return 1;
  if (localHour >= 7 && localHour < 23) return 0.45;
  return 0.1;
}

// ─── Generator ───────────────────────────────────────────────────────────────

export function* generateEvents(options: GenerateOptions): Generator<SeedEvent, void, undefined> {
  const count = Math.max(0, Math.floor(options.count));
  if (count === 0) return;
  const random = new Random(options.seed);
  const nowMs = (options.now ?? new Date()).getTime();
  const windowMs = (options.days ?? 30) * DAY_MS;
  const startMs = nowMs - windowMs;

  // About 300 events per machine over the window, within sensible bounds.
  const machineCount = Math.min(6000, Math.max(25, Math.round(count / 300)));
  const machines: Machine[] = [];
  for (let i = 0; i < machineCount; i++) machines.push(createMachine(random));
  // A few heavy users and many light ones.
  const machineTable = new WeightedTable(machines.map((machine) => [machine, random.logNormal(1, 0.8)] as const));

  let emitted = 0;

  // Everything below mutates these per-session values; `emit` reads them.
  let machine = machines[0]!;
  let sessionId = "";
  /** the file the user is editing in the current session */
  let context: CodeContext = pickContext(random, machine);

  const emit = (
    kind: EventKind,
    eventName: string,
    timeMs: number,
    fields: Partial<Omit<SeedEvent, "id" | "kind" | "eventName" | "time" | "receivedAt">>,
  ): SeedEvent => {
    emitted++;
    // Telemetry is batched by the extension: received a few seconds later.
    const receivedMs = Math.min(nowMs, timeMs + Math.round(random.logNormal(3000, 0.9)));
    return {
      id: random.uuid(),
      sourceId: null,
      kind,
      eventName,
      time: new Date(timeMs),
      receivedAt: new Date(receivedMs),
      machineId: machine.id,
      sessionId,
      completionId: null,
      vscodeVersion: machine.vscodeVersion,
      extensionName: EXTENSION_NAME,
      extensionVersion: machine.extensionVersion,
      os: machine.os,
      osVersion: machine.osVersion,
      uiKind: machine.uiKind,
      languageId: null,
      extensionSettings: machine.settings,
      country: machine.place.country,
      region: machine.place.region,
      city: machine.place.city,
      ...emptyKindFields(),
      ...fields,
    };
  };

  while (emitted < count) {
    machine = machineTable.draw(random);
    let sessionStart = startMs + random.next() * windowMs;
    // Shape the start time towards local weekday working hours (rejection sampling, bounded).
    for (let attempt = 0; attempt < 8; attempt++) {
      const local = new Date(sessionStart + machine.place.utcOffsetHours * 3_600_000);
      const weekday = local.getUTCDay();
      const weight = hourWeight(local.getUTCHours()) * (weekday === 0 || weekday === 6 ? 0.35 : 1);
      if (random.next() < weight) break;
      sessionStart = startMs + random.next() * windowMs;
    }
    sessionStart = Math.floor(sessionStart);
    // VS Code's session id: a UUID followed by the session's start time in ms.
    sessionId = random.uuid() + String(sessionStart);

    let t = sessionStart + random.range(2_000, 40_000);
    if (random.chance(P_SESSION_AUTH_ERROR) && t <= nowMs) {
      const expiry = t - random.range(60_000, 3 * DAY_MS);
      yield emit("error", "auth.error", t, {
        errorKind: "auth.token_expired",
        errorContext: { keyExpiry: new Date(expiry).toISOString(), refreshAttempted: true },
      });
      if (emitted >= count) return;
      t += random.range(1_000, 20_000);
    }

    context = pickContext(random, machine);
    const flows = 1 + Math.floor(random.exponential(15));
    for (let flow = 0; flow < flows && emitted < count; flow++) {
      t += Math.round(random.exponential(40_000)) + 300;
      if (t > nowMs) break;
      if (random.chance(0.15)) context = pickContext(random, machine); // switched files
      yield* completionFlow(t);
    }
  }

  // One completion flow starting at `requestedMs`; see the header diagram.
  function* completionFlow(requestedMs: number): Generator<SeedEvent, void, undefined> {
    const completionId = random.uuid();
    const languageId = context.languageId;
    yield emit("completion_requested", "ghostText.issued", requestedMs, {
      completionId,
      languageId,
      measurements: { promptCharLen: context.prefix.length, promptSuffixCharLen: context.suffix.length },
      content: {
        prefix: context.prefix,
        suffix: context.suffix,
        editorState: { line: context.line, character: context.character, relativePath: context.relativePath, lineCount: context.lineCount },
      },
    });
    if (emitted >= count) return;

    const latencyMs = Math.round(Math.min(900, Math.max(80, random.logNormal(260, 0.5))));
    let t = requestedMs + latencyMs;
    const roll = random.next();
    if (roll < P_REQUEST_ERROR) {
      if (t > nowMs) return;
      const errorKind = REQUEST_ERROR_TABLE.draw(random);
      yield emit("error", errorKind.startsWith("network.") ? "networking.error" : "completion.error", t, {
        errorKind,
        errorContext: requestErrorContext(random, errorKind),
      });
      return;
    }
    if (roll < P_REQUEST_ERROR + P_CANCELLED) return;
    if (t > nowMs) return;
    if (roll < P_REQUEST_ERROR + P_CANCELLED + P_REDACTED) {
      yield emit("completion_redacted", "ghostText.redacted", t, {
        completionId,
        languageId,
        redactionFilter: REDACTION_TABLE.draw(random),
        content: { suggestions: [context.suggestion] },
      });
      return;
    }

    // Model certainty: a squashed normal, mostly between 0.4 and 0.95.
    const certainty = Math.round((1 / (1 + Math.exp(-(0.9 + 1.1 * random.normal())))) * 1000) / 1000;
    const suggestionCount = Math.min(1 + context.alternatives.length, random.chance(0.7) ? 1 : random.chance(0.65) ? 2 : 3);
    const suggestions = [context.suggestion, ...context.alternatives.slice(0, suggestionCount - 1)];
    const postProcessing: string[] = [];
    for (const [step, probability] of POST_PROCESSING_STEPS) if (random.next() < probability) postProcessing.push(step);
    yield emit("completion_shown", "ghostText.shown", t, {
      completionId,
      languageId,
      latencyMs,
      modelCertainty: certainty,
      suggestionCount,
      suggestionCharLength: context.suggestion.length,
      postProcessing,
      content: { suggestions },
    });
    if (emitted >= count) return;

    // The user reacts after a moment; confident suggestions are accepted more often (~30% overall).
    t += Math.round(random.logNormal(1_200, 0.8));
    if (t > nowMs) return;
    const accepted = random.next() < 0.04 + 0.36 * certainty;
    yield emit(accepted ? "completion_accepted" : "completion_rejected", accepted ? "ghostText.accepted" : "ghostText.rejected", t, {
      completionId,
      languageId,
      accepted,
      content: { suggestions: [context.suggestion] },
    });
    if (!accepted || emitted >= count) return;

    const acceptedMs = t;
    let ratio = 1;
    for (let check = 0; check < PERSISTENCE_CHECKS_SEC.length; check++) {
      if (random.chance(P_CHECK_SKIPPED)) return;
      const checkSec = PERSISTENCE_CHECKS_SEC[check]!;
      const checkMs = acceptedMs + checkSec * 1000;
      if (checkMs > nowMs) return;
      if (random.chance(P_DELETED)) ratio = 0;
      else ratio *= 1 - Math.min(1, random.exponential(PERSISTENCE_DECAY[check]!));
      const rounded = Math.round(ratio * 1000) / 1000;
      yield emit("completion_persisted", "ghostText.stillInCode", checkMs, {
        completionId,
        languageId,
        persistenceCheckSec: checkSec,
        persistenceRatio: rounded,
        content: { persistedText: context.suggestion.slice(0, Math.round(context.suggestion.length * rounded)) },
      });
      if (emitted >= count || ratio === 0) return;
    }
  }
}

function pickContext(random: Random, machine: Machine): CodeContext {
  const contexts = CODE_CONTEXTS.get(random.pick(machine.languages));
  if (!contexts) throw new Error("no code context for a machine language");
  return random.pick(contexts);
}

function requestErrorContext(random: Random, kind: RequestError): Record<string, string | number | boolean> {
  switch (kind) {
    case "network.timeout":
      return { endpoint: "completions", timeoutMs: random.chance(0.7) ? 10_000 : 30_000, attempt: random.range(1, 3) };
    case "network.certificate_error":
      return { code: random.chance(0.6) ? "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" : "SELF_SIGNED_CERT_IN_CHAIN", proxyConfigured: random.chance(0.8) };
    case "rate_limited":
      return { endpoint: "completions", httpStatus: 429, retryAfterSec: random.pick([30, 60, 120]) };
    case "model.unavailable":
      return { model: random.chance(0.8) ? "gpt-4o-copilot" : "gpt-41-copilot", httpStatus: random.chance(0.85) ? 503 : 502 };
  }
}
