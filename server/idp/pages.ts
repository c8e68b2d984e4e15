// Server-rendered HTML of the demo identity provider: login, sign-out
// confirmation, signed-out and error pages. No scripts, no external assets; one
// inline stylesheet allowed by its hash in the Content-Security-Policy. Every
// interpolated value goes through escapeHtml.
import { createHash } from "node:crypto";
import type { DemoAccount } from "./accounts";

export const DEMO_BANNER_TITLE = "Demo identity provider — not for production";
export const LOGIN_ERROR_MESSAGE = "Wrong email or password. Check the demo accounts below and try again.";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

const STYLESHEET = `
:root {
  color-scheme: light;
  --text: #1f2328; --muted: #59636e; --border: #d1d9e0; --page: #f3f4f6; --card: #ffffff;
  --accent: #0b57d0; --accent-hover: #0842a0; --danger: #b42318; --danger-bg: #fef3f2;
  --banner-bg: #fff4cc; --banner-border: #d4a72c; --banner-text: #4d3800; --focus: #0b57d0;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; min-height: 100vh; display: flex; flex-direction: column;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  font-size: 1rem; line-height: 1.5; color: var(--text); background: var(--page);
}
.banner {
  background: var(--banner-bg); color: var(--banner-text); border-bottom: 2px solid var(--banner-border);
  padding: 0.75rem 1rem; text-align: center;
}
.banner strong { display: block; font-size: 1rem; }
.banner span { font-size: 0.875rem; }
main { flex: 1; display: flex; justify-content: center; align-items: flex-start; padding: 2.5rem 1rem 3rem; }
.card {
  width: 100%; max-width: 28rem; background: var(--card); border: 1px solid var(--border);
  border-radius: 12px; padding: 2rem; box-shadow: 0 1px 3px rgba(31, 35, 40, 0.08);
}
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 0.25rem; }
h2 { font-size: 1rem; margin: 0 0 0.25rem; }
p { margin: 0 0 1rem; }
h1 + p:not(.lead) { margin-top: 0.75rem; }
.lead { color: var(--muted); margin-bottom: 1.5rem; }
.field { margin-bottom: 1rem; }
label { display: block; font-weight: 600; margin-bottom: 0.375rem; }
input[type="email"], input[type="password"] {
  display: block; width: 100%; font: inherit; color: inherit; background: #fff;
  padding: 0.625rem 0.75rem; border: 1px solid #8c959f; border-radius: 8px;
}
input[aria-invalid="true"] { border-color: var(--danger); }
button {
  font: inherit; font-weight: 600; cursor: pointer; border-radius: 8px; padding: 0.625rem 1rem;
  border: 1px solid transparent; width: 100%;
}
.primary { background: var(--accent); color: #fff; }
.primary:hover { background: var(--accent-hover); }
.secondary { background: #fff; color: var(--text); border-color: var(--border); }
.secondary:hover { background: var(--page); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
input:focus-visible { outline-offset: 1px; }
.actions { display: grid; gap: 0.75rem; margin-top: 1.5rem; }
form.cancel { margin-top: 0.75rem; }
.error {
  color: var(--danger); background: var(--danger-bg); border: 1px solid #fecdca; border-radius: 8px;
  padding: 0.75rem 1rem; margin-bottom: 1.25rem;
}
.accounts { margin-top: 2rem; padding-top: 1.5rem; border-top: 1px solid var(--border); }
.accounts p { color: var(--muted); font-size: 0.875rem; margin-bottom: 0.75rem; }
.accounts ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; }
.accounts li { padding: 0.5rem 0.75rem; border: 1px solid var(--border); border-radius: 8px; font-size: 0.875rem; }
.accounts .who { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 0.75rem; }
.accounts .name { font-weight: 600; }
.accounts .role { color: var(--muted); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.8125rem; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--page); padding: 0.75rem; border-radius: 8px; font-size: 0.8125rem; }
@media (max-width: 30rem) { main { padding-top: 1.25rem; } .card { padding: 1.25rem; } }
`;

const STYLESHEET_HASH = createHash("sha256").update(STYLESHEET).digest("base64");

/** Headers for every HTML page the IdP renders. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  "Content-Security-Policy": [
    "default-src 'none'",
    `style-src 'sha256-${STYLESHEET_HASH}'`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; "),
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
};

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Demo identity provider</title>
<style>${STYLESHEET}</style>
</head>
<body>
<aside class="banner" aria-label="Demo notice">
<strong>${escapeHtml(DEMO_BANNER_TITLE)}</strong>
<span>Anyone can sign in as any listed account. Use your company's OpenID Connect issuer for real data.</span>
</aside>
<main>
<div class="card">
${body}
</div>
</main>
</body>
</html>
`;
}

function accountList(accounts: readonly DemoAccount[]): string {
  const items = accounts
    .map(
      (account) => `<li>
<div class="who"><span class="name">${escapeHtml(account.name)}</span><span class="role">${escapeHtml(account.description)}</span></div>
<code>${escapeHtml(account.email)}</code>
</li>`,
    )
    .join("\n");
  return `<section class="accounts" aria-labelledby="accounts-heading">
<h2 id="accounts-heading">Demo accounts</h2>
<p>Every account's password is <code>demo</code>.</p>
<ul>
${items}
</ul>
</section>`;
}

export type LoginPageView = {
  /** Path the credentials are posted to (includes the interaction uid). */
  action: string;
  /** Path of the "cancel" form. */
  abortAction: string;
  email?: string;
  failed?: boolean;
  accounts: readonly DemoAccount[];
};

export function renderLoginPage(view: LoginPageView): string {
  const invalid = view.failed ? ` aria-invalid="true" aria-describedby="login-error"` : "";
  const error = view.failed ? `<p class="error" id="login-error" role="alert">${escapeHtml(LOGIN_ERROR_MESSAGE)}</p>` : "";
  // Focus the field the user most likely needs next.
  const focusEmail = view.email ? "" : " autofocus";
  const focusPassword = view.email ? " autofocus" : "";
  return layout(
    "Sign in",
    `<h1>Sign in</h1>
<p class="lead">to continue to the Telemetry Portal</p>
${error}
<form method="post" action="${escapeHtml(view.action)}">
<div class="field">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required spellcheck="false" autocapitalize="none" value="${escapeHtml(view.email ?? "")}"${invalid}${focusEmail}>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${focusPassword}>
</div>
<div class="actions">
<button type="submit" class="primary">Sign in</button>
</div>
</form>
<form method="post" action="${escapeHtml(view.abortAction)}" class="cancel">
<button type="submit" class="secondary">Cancel</button>
</form>
${accountList(view.accounts)}`,
  );
}

export function renderLogoutPage(form: string): string {
  // `form` is oidc-provider's own hidden form (action URL and xsrf token); the
  // buttons below submit it through their form="op.logoutForm" attribute.
  return layout(
    "Sign out",
    `<h1>Sign out?</h1>
<p class="lead">You are signed in to the demo identity provider.</p>
${form}
<div class="actions">
<button type="submit" class="primary" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" class="secondary" form="op.logoutForm">Stay signed in</button>
</div>`,
  );
}

export function renderSignedOutPage(): string {
  return layout(
    "Signed out",
    `<h1>Signed out</h1>
<p class="lead">You have signed out of the demo identity provider. You can close this tab.</p>`,
  );
}

export type ErrorPageView = {
  title: string;
  message: string;
  /** Protocol details (error code, description), shown verbatim but escaped. */
  details?: Readonly<Record<string, unknown>>;
};

export function renderErrorPage(view: ErrorPageView): string {
  const details = Object.entries(view.details ?? {})
    .filter(([, value]) => value !== undefined && value !== null && value !== "")
    .map(([key, value]) => `${escapeHtml(key)}: ${escapeHtml(value)}`)
    .join("\n");
  return layout(
    view.title,
    `<h1>${escapeHtml(view.title)}</h1>
<p>${escapeHtml(view.message)}</p>
${details ? `<pre>${details}</pre>` : ""}`,
  );
}
