// Every server action, found in the production build's server-reference
// manifest (a new action is covered without touching any spec), the page it is
// posted to, its parameters, and who may and may not call it. Shared by the
// authorization suite (authz/server-actions.spec.ts) and the fuzz stage (fuzz/).
//
// Calling one over HTTP as the browser does: POST to its page with the
// `Next-Action: <id>` header and React's encoding of the arguments — multipart
// form data whose field "0" is the JSON argument list; an argument "$K<n>" is
// a FormData whose entries are the fields named "_<n>_<name>".
import fs from "node:fs";
import path from "node:path";
import { UNKNOWN_EVENT_ID, type SignedInPersona } from "./fixtures";

const ROOT = path.resolve(import.meta.dirname, "..");
const MANIFEST = path.join(ROOT, ".next/server/server-reference-manifest.json");

export type ServerAction = {
  id: string;
  name: string;
  /** the source file, relative to the project */
  file: string;
  /** the page it is posted to (dynamic segments filled with a valid id that names nothing) */
  page: string;
  /** how many parameters it declares: 0 (), 1 (formData) or 2 (previousState, formData) */
  arity: number;
};

/** The parameter count of `export async function name(…)` in its source, or 2 (both shapes fit) when it cannot be read. */
function arityOf(file: string, name: string): number {
  const full = path.join(ROOT, file);
  if (!fs.existsSync(full)) return 2;
  const match = new RegExp(`export\\s+async\\s+function\\s+${name}\\s*\\(([^)]*)\\)`).exec(fs.readFileSync(full, "utf8"));
  if (!match) return 2;
  return (match[1] ?? "").split(",").filter((parameter) => parameter.trim() !== "").length;
}

export function discoverServerActions(): ServerAction[] {
  if (!fs.existsSync(MANIFEST)) throw new Error(`${MANIFEST} is missing: the browser tests run against a production build (next build)`);
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, "utf8")) as {
    node: Record<string, { exportedName?: string; filename?: string; workers: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node)
    .map(([id, entry]) => {
      const worker = Object.keys(entry.workers).sort()[0];
      if (!worker) throw new Error(`server action ${entry.exportedName ?? id} is on no page`);
      const page =
        worker
          .replace(/^app/, "")
          .replace(/\/page$/, "")
          .split("/")
          .filter((segment) => !/^\(.*\)$/.test(segment))
          .map((segment) => (/^\[.+\]$/.test(segment) ? UNKNOWN_EVENT_ID : segment))
          .join("/") || "/";
      const name = entry.exportedName ?? id;
      const file = entry.filename ?? "?";
      return { id, name, file, page, arity: arityOf(file, name) };
    })
    .sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
}

/**
 * Who may call an action, and who may not, by the page it belongs to.
 * "public": signing in and out need no grant. "no-grant": a signed-in person
 * whose grants were all revoked.
 */
export type ActionRule =
  | { prefix: string; personas: "public" }
  | { prefix: string; allowedAs: SignedInPersona; personas: Array<SignedInPersona | "no-grant"> };

export const ACTION_RULES: ActionRule[] = [
  { prefix: "/signin", personas: "public" },
  { prefix: "/admin", allowedAs: "admin", personas: ["viewerCopilot", "auditor"] },
  { prefix: "/audit", allowedAs: "auditor", personas: ["viewerCopilot", "admin"] },
  { prefix: "/purpose", allowedAs: "viewerMicrosoft", personas: ["no-grant"] },
  { prefix: "/events", allowedAs: "viewerCopilot", personas: ["auditor", "admin"] },
  // Deciding requests: admins and a group's named approvers only (the seed names Paz Approver, no persona below).
  { prefix: "/access/requests", allowedAs: "admin", personas: ["viewerCopilot", "auditor", "no-grant"] },
  // Access reviews: decisions by a group's reviewers (admins, named approvers); starting, ending and settings by admins.
  { prefix: "/access/reviews", allowedAs: "admin", personas: ["viewerCopilot", "auditor", "no-grant"] },
  // Asking for access and withdrawing one's own request: anyone listed and active, grant or not.
  { prefix: "/access", allowedAs: "viewerCopilot", personas: [] },
];
/** Actions of the portal chrome, on every page: only sign-out, which needs no grant. */
export const CHROME_ACTIONS = new Set(["signOutAction"]);

export function actionRuleFor(action: ServerAction): ActionRule | undefined {
  if (CHROME_ACTIONS.has(action.name)) return { prefix: action.page, personas: "public" };
  return ACTION_RULES.find(({ prefix }) => action.page === prefix || action.page.startsWith(`${prefix}/`));
}

/** Who may not call an action (see ACTION_RULES). */
export function deniedAs(action: ServerAction): Array<SignedInPersona | "no-grant"> | "public" | undefined {
  return actionRuleFor(action)?.personas;
}

/** The multipart fields of a call: "0" the argument list, then the FormData argument's fields as "_1_<name>". */
export function encodeActionArguments(args: unknown[], form: Array<[string, string]> = []): Array<[string, string]> {
  return [["0", JSON.stringify(args)], ...form.map(([name, value]): [string, string] => [`_1_${name}`, value])];
}
