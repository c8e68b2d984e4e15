// The demo IdP's own interaction endpoints (devInteractions stays disabled):
//   GET  /interaction/:uid        login form, or automatic consent
//   POST /interaction/:uid/login  check the demo credentials
//   POST /interaction/:uid/abort  give up; the client receives access_denied
// oidc-provider binds each interaction to the browser with a cookie scoped to
// /interaction/:uid; interactionDetails() reads it, and we also require the uid
// in the URL to match it, so a form cannot be replayed from another browser or
// for another interaction. SameSite=Lax keeps cross-site POSTs from carrying it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { errors, type Interaction } from "oidc-provider";
import { DEMO_ACCOUNTS, verifyDemoCredentials } from "./accounts";
import { PAGE_HEADERS, renderErrorPage, renderLoginPage } from "./pages";

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|abort))?$/;
const MAX_FORM_BYTES = 16 * 1024;

type Route = { uid: string; action: "show" | "login" | "abort" };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

const EXPIRED = new HttpError(
  400,
  "Sign-in expired",
  "This sign-in page has expired or was opened in another browser. Go back to the Telemetry Portal and sign in again.",
);

function matchRoute(method: string | undefined, pathname: string): Route | undefined {
  const match = ROUTE.exec(pathname);
  const uid = match?.[1];
  if (!uid) return undefined;
  const sub = match[2];
  if (sub === undefined) return method === "GET" ? { uid, action: "show" } : undefined;
  if (method !== "POST") return undefined;
  return { uid, action: sub === "login" ? "login" : "abort" };
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, "Content-Length": Buffer.byteLength(html) });
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new HttpError(415, "Unsupported request", "The form must be submitted as application/x-www-form-urlencoded.");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, "Request too large", "The submitted form is too large.");
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** Loads the interaction bound to this browser and checks it is the one in the URL. */
async function loadInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse, uid: string): Promise<Interaction> {
  try {
    const interaction = await provider.interactionDetails(req, res);
    if (interaction.uid !== uid) throw EXPIRED;
    return interaction;
  } catch (error) {
    if (error instanceof errors.SessionNotFound) throw EXPIRED;
    throw error;
  }
}

function loginPage(uid: string, options: { email?: string; failed?: boolean }): string {
  return renderLoginPage({
    action: `/interaction/${uid}/login`,
    abortAction: `/interaction/${uid}/abort`,
    accounts: DEMO_ACCOUNTS,
    ...options,
  });
}

function loginHint(interaction: Interaction): string | undefined {
  const hint = interaction.params.login_hint;
  return typeof hint === "string" ? hint : undefined;
}

/**
 * Every client of the demo IdP is the portal itself (first-party), so consent
 * is granted without a screen: the OIDC scopes and claims the request asked for
 * (oidc-provider only lets through the configured openid/email/profile) are
 * added to the grant and the interaction finishes immediately.
 */
async function grantConsent(provider: Provider, req: IncomingMessage, res: ServerResponse, interaction: Interaction): Promise<void> {
  const accountId = interaction.session?.accountId;
  const clientId = interaction.params.client_id;
  if (!accountId || typeof clientId !== "string") throw EXPIRED;

  const grant = interaction.grantId
    ? await provider.Grant.find(interaction.grantId)
    : new provider.Grant({ accountId, clientId });
  if (!grant) throw EXPIRED;

  const { missingOIDCScope, missingOIDCClaims } = interaction.prompt.details;
  if (Array.isArray(missingOIDCScope)) grant.addOIDCScope(missingOIDCScope.filter(isString));
  if (Array.isArray(missingOIDCClaims)) grant.addOIDCClaims(missingOIDCClaims.filter(isString));
  const grantId = await grant.save();

  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

async function show(provider: Provider, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  const interaction = await loadInteraction(provider, req, res, uid);
  if (interaction.prompt.name === "login") {
    sendHtml(res, 200, loginPage(uid, { email: loginHint(interaction) }));
    return;
  }
  if (interaction.prompt.name === "consent") {
    await grantConsent(provider, req, res, interaction);
    return;
  }
  throw new HttpError(400, "Unsupported request", `The "${interaction.prompt.name}" prompt is not supported.`);
}

async function login(provider: Provider, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  const interaction = await loadInteraction(provider, req, res, uid);
  if (interaction.prompt.name !== "login") throw EXPIRED;
  const form = await readForm(req);
  const email = (form.get("email") ?? "").trim();
  const account = verifyDemoCredentials(email, form.get("password") ?? "");
  if (!account) {
    // Same page again with the error; the client's redirect_uri is not involved.
    sendHtml(res, 200, loginPage(uid, { email, failed: true }));
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: account.sub, amr: ["pwd"] } },
    { mergeWithLastSubmission: false },
  );
}

async function abort(provider: Provider, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  await loadInteraction(provider, req, res, uid);
  await provider.interactionFinished(
    req,
    res,
    { error: "access_denied", error_description: "The user cancelled the sign-in." },
    { mergeWithLastSubmission: false },
  );
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const known = error instanceof HttpError ? error : undefined;
  if (!known) console.error("demo IdP: interaction failed", error);
  const status = known?.status ?? 500;
  const title = known?.title ?? "Something went wrong";
  const message = known?.message ?? "The demo identity provider could not complete this step. Go back to the portal and try again.";
  sendHtml(res, status, renderErrorPage({ title, message }));
}

/**
 * Returns a request handler for the interaction routes. It resolves to false
 * for any other path, leaving the request to oidc-provider.
 */
export function createInteractionHandler(provider: Provider) {
  const handlers = { show, login, abort } as const;
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (!pathname.startsWith("/interaction/")) return false;
    const route = matchRoute(req.method, pathname);
    try {
      if (!route) throw new HttpError(404, "Not found", "There is no page at this address.");
      await handlers[route.action](provider, req, res, route.uid);
    } catch (error) {
      sendError(res, error);
    }
    return true;
  };
}
