import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { html, rawHtml, type HtmlValue, type SafeHtml } from './html-template.js';
import type { PortalDeps } from './portal-deps.js';
import { CSRF_FIELD, csrfToken, takeFlash, type PortalSession } from './session.js';

const STYLE = rawHtml(`<style>
body{font-family:system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6fa}
header{background:#24304a;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;margin-right:auto}
main{max-width:1100px;margin:1.2rem auto;padding:0 1rem}
section{background:#fff;border-radius:8px;padding:1rem 1.2rem;margin-bottom:1rem;box-shadow:0 1px 2px #0001}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e6ee}
.flash{padding:.6rem 1rem;border-radius:6px;margin-bottom:1rem}.flash.info{background:#e3f4e8}.flash.error{background:#fbe4e4}
.error-text{color:#a11}label{display:block;margin:.5rem 0 .2rem}input[type=text],input[type=password],input[type=email],select{padding:.4rem;min-width:18rem}
button{padding:.35rem .8rem;cursor:pointer}form.inline{display:inline}nav.tabs a{margin-right:1rem}
code.secret{background:#eef;padding:.2rem .4rem;word-break:break-all}.muted{color:#667}
</style>`);

export interface PageOptions {
  title: string;
  session?: PortalSession | null;
  status?: ContentfulStatusCode;
  /** Shown above the content instead of (or beside) a pending flash. */
  notice?: { kind: 'info' | 'error'; text: string } | null;
}

/** Hidden CSRF field for a form on this page. */
export function csrfField(c: Context, deps: PortalDeps): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken(c, deps)}" />`;
}

/** Renders a full page; pages are never cached since they show per-user data. */
export async function renderPage(
  c: Context,
  deps: PortalDeps,
  body: HtmlValue,
  opts: PageOptions,
): Promise<Response> {
  const flash = await takeFlash(c, deps);
  const notices = [flash, opts.notice].filter((n): n is { kind: 'info' | 'error'; text: string } => !!n);
  const s = opts.session;
  const nav =
    s && !s.mustChangePassword
      ? html`<a href="/dashboard">Dashboard</a><a href="/identity">Identities</a
          ><a href="/api_keys">API keys</a><a href="/profile">Profile</a>${
            s.roles.includes('admin') ? html`<a href="/admin/users">Users</a>` : ''
          }<span class="muted">${s.username}</span><a href="/auth/logout">Log out</a>`
      : s
        ? html`<a href="/auth/logout">Log out</a>`
        : html`<a href="/auth/login">Log in</a>`;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${opts.title} · ${deps.appName}</title>
        ${STYLE}
      </head>
      <body>
        <header><a class="brand" href="/">${deps.appName}</a>${nav}</header>
        <main>
          ${notices.map((n) => html`<div class="flash ${n.kind}" role="${n.kind === 'error' ? 'alert' : 'status'}">${n.text}</div>`)}
          <h1>${opts.title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
  c.header('Cache-Control', 'no-store');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(page.toString(), opts.status ?? 200);
}

/** A page that only says what went wrong (404, 403, upstream down). */
export function renderMessagePage(
  c: Context,
  deps: PortalDeps,
  status: ContentfulStatusCode,
  title: string,
  text: string,
  session?: PortalSession | null,
): Promise<Response> {
  return renderPage(
    c,
    deps,
    html`<section>
      <p>${text}</p>
      <p><a href="/">Back</a></p>
    </section>`,
    {
      title,
      status,
      session,
    },
  );
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '–' : d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
