import { z } from '@waddlebot/core';
import type { Hono } from 'hono';
import { html } from '../html-template.js';
import { readForm, requireUser } from '../page-guard.js';
import { csrfField, renderMessagePage, renderPage } from '../page-layout.js';
import { callPeer, errorText } from '../peer-call.js';
import type { PortalDeps } from '../portal-deps.js';
import { endSession, readSession, setFlash, startSession } from '../session.js';
import { verifyJwt } from '@waddlebot/core';

export const OAUTH_PROVIDERS = ['twitch', 'discord', 'slack'] as const;
type Provider = (typeof OAUTH_PROVIDERS)[number];

export function isProvider(p: string): p is Provider {
  return (OAUTH_PROVIDERS as readonly string[]).includes(p);
}

const NewPassword = z.string().min(8).max(256);

/** §7.2 login, logout, forced password change, OAuth sign-in. */
export function mountAuthPages(app: Hono<any>, deps: PortalDeps, enabledProviders: readonly Provider[]) {
  app.get('/', async (c) => {
    const session = await readSession(c, deps);
    return c.redirect(session ? '/dashboard' : '/auth/login', 302);
  });

  const loginPage = (c: any, login: string, error?: string, status?: 400 | 401 | 503) =>
    renderPage(
      c,
      deps,
      html`<section>
        <form method="post" action="/auth/login">
          ${csrfField(c, deps)} <label for="login">Username or e-mail</label
          ><input type="text" id="login" name="login" value="${login}" autocomplete="username" required />
          <label for="password">Password</label
          ><input type="password" id="password" name="password" autocomplete="current-password" required />
          <p><button type="submit">Log in</button></p>
        </form>
        ${enabledProviders.length ? html`<p><a href="/auth/oauth_login">Log in with Twitch, Discord or Slack</a></p>` : ''}
      </section>`,
      {
        title: 'Log in',
        status: status ?? (error ? 401 : 200),
        notice: error ? { kind: 'error', text: error } : null,
      },
    );

  app.get('/auth/login', async (c) => {
    if (await readSession(c, deps)) return c.redirect('/dashboard', 302);
    return loginPage(c, '');
  });

  app.post('/auth/login', async (c) => {
    const form = await readForm(c, deps);
    if (form instanceof Response) return form;
    const login = (form.login ?? form.username ?? form.email ?? '').trim().slice(0, 320);
    const password = form.password ?? '';
    if (!login || !password) {
      return loginPage(c, login, 'Enter your username or e-mail and your password.', 400);
    }
    const r = await callPeer<{ user_id: string; token: string; must_change_password: boolean }>(
      deps.identity,
      '/auth/login',
      { method: 'POST', body: { login, password: password.slice(0, 256) }, timeoutMs: deps.apiTimeoutMs },
    );
    if (r.kind === 'unavailable' || (r.kind === 'error' && r.status >= 500))
      return loginPage(c, login, 'Login is unavailable right now. Try again later.', 503);
    if (r.kind === 'error' || !verifyJwt(r.data.token, deps.secretKey, deps.clock.now())) {
      deps.logger.auth({ action: 'portal_login', result: 'FAILURE' });
      return loginPage(c, login, 'Invalid username/e-mail or password.');
    }
    await startSession(c, deps, r.data.token, r.data.must_change_password === true);
    deps.logger.auth({ action: 'portal_login', user: r.data.user_id, result: 'SUCCESS' });
    return c.redirect(r.data.must_change_password ? '/auth/change-password' : '/dashboard', 302);
  });

  const changePage = (
    c: any,
    session: Parameters<typeof renderPage>[3]['session'],
    error?: string,
    status?: 400 | 401,
  ) =>
    renderPage(
      c,
      deps,
      html`<section>
        ${
          session?.mustChangePassword
            ? html`<p>You logged in with a temporary password. Choose your own password to continue.</p>`
            : ''
        }
        <form method="post" action="/auth/change-password">
          ${csrfField(c, deps)} <label for="current_password">Current password</label
          ><input
            type="password"
            id="current_password"
            name="current_password"
            autocomplete="current-password"
            required
          />
          <label for="new_password">New password (at least 8 characters)</label
          ><input
            type="password"
            id="new_password"
            name="new_password"
            autocomplete="new-password"
            required
          />
          <label for="confirm_password">Repeat the new password</label
          ><input
            type="password"
            id="confirm_password"
            name="confirm_password"
            autocomplete="new-password"
            required
          />
          <p><button type="submit">Change password</button></p>
        </form>
      </section>`,
      {
        title: 'Change password',
        session,
        status: status ?? 200,
        notice: error ? { kind: 'error', text: error } : null,
      },
    );

  app.get('/auth/change-password', async (c) => {
    const session = await requireUser(c, deps, { allowPendingPasswordChange: true });
    if (session instanceof Response) return session;
    return changePage(c, session);
  });

  app.post('/auth/change-password', async (c) => {
    const session = await requireUser(c, deps, { allowPendingPasswordChange: true });
    if (session instanceof Response) return session;
    const form = await readForm(c, deps, session);
    if (form instanceof Response) return form;
    const current = form.current_password ?? '';
    const next = form.new_password ?? '';
    if (!current) return changePage(c, session, 'Enter your current password.', 400);
    if (!NewPassword.safeParse(next).success)
      return changePage(c, session, 'The new password must be 8 to 256 characters long.', 400);
    if (next !== (form.confirm_password ?? next))
      return changePage(c, session, 'The two new passwords differ.', 400);
    if (next === current)
      return changePage(c, session, 'Choose a password different from the current one.', 400);
    const r = await callPeer(deps.identity, '/auth/change-password', {
      method: 'POST',
      body: { current_password: current, new_password: next },
      bearer: session.token,
      timeoutMs: deps.apiTimeoutMs,
    });
    if (r.kind === 'unavailable')
      return changePage(c, session, 'Identity is unavailable right now. Try again later.', 400);
    if (r.kind === 'error')
      return changePage(
        c,
        session,
        r.status === 401 ? 'The current password is wrong.' : errorText(r),
        r.status === 401 ? 401 : 400,
      );
    await startSession(c, deps, session.token, false);
    deps.logger.audit({ action: 'password_changed', user: session.userId, result: 'SUCCESS' });
    await setFlash(c, deps, 'info', 'Your password was changed.');
    return c.redirect('/dashboard', 302);
  });

  app.get('/auth/logout', async (c) => {
    const session = await readSession(c, deps);
    endSession(c, deps);
    if (session) deps.logger.auth({ action: 'portal_logout', user: session.userId, result: 'SUCCESS' });
    return c.redirect('/auth/login', 302);
  });

  app.get('/auth/oauth_login', async (c) =>
    renderPage(
      c,
      deps,
      html`<section>
        ${
          enabledProviders.length
            ? enabledProviders.map(
                (p) =>
                  html`<p>
                    <a class="oauth" href="/auth/oauth/${p}"
                      >Log in with ${p[0]!.toUpperCase() + p.slice(1)}</a
                    >
                  </p>`,
              )
            : html`<p>No sign-in provider is enabled.</p>`
        }
        <p><a href="/auth/login">Log in with a password</a></p>
      </section>`,
      { title: 'Log in with a platform', session: await readSession(c, deps) },
    ),
  );

  app.get('/auth/oauth/:provider', async (c) => {
    const provider = c.req.param('provider');
    if (!isProvider(provider) || !enabledProviders.includes(provider))
      return renderMessagePage(c, deps, 404, 'Unknown provider', 'That sign-in provider is not enabled.');
    return c.redirect(identityOAuthUrl(deps, provider), 302);
  });

  // Identity redirects to `…/auth/oauth_callback/<p>#token=<jwt>`: the fragment never reaches a
  // server, so this page hands it over with a same-origin POST that carries the CSRF token.
  app.get('/auth/oauth_callback/:provider', async (c) => {
    const provider = c.req.param('provider');
    if (!isProvider(provider))
      return renderMessagePage(c, deps, 404, 'Unknown provider', 'That sign-in provider is not enabled.');
    const error = c.req.query('error');
    if (error) {
      await setFlash(c, deps, 'error', 'The platform sign-in failed. Try again or log in with a password.');
      return c.redirect('/auth/login', 302);
    }
    return renderPage(
      c,
      deps,
      html`<section>
        <form id="oauth-complete" method="post" action="/auth/oauth_callback/${provider}">
          ${csrfField(c, deps)} <input type="hidden" name="token" id="oauth-token" value="" /><noscript
            >JavaScript is needed to finish the sign-in.</noscript
          >
          <button type="submit">Continue</button>
        </form>
        <script>
          (function () {
            var m = /[#&]token=([^&]+)/.exec(location.hash);
            if (!m) return;
            document.getElementById('oauth-token').value = decodeURIComponent(m[1]);
            history.replaceState(null, '', location.pathname);
            document.getElementById('oauth-complete').submit();
          })();
        </script>
      </section>`,
      { title: 'Signing in…' },
    );
  });

  app.post('/auth/oauth_callback/:provider', async (c) => {
    const form = await readForm(c, deps);
    if (form instanceof Response) return form;
    const claims = form.token ? verifyJwt(form.token, deps.secretKey, deps.clock.now()) : null;
    if (!claims) {
      deps.logger.auth({
        action: 'portal_oauth_login',
        result: 'FAILURE',
        provider: c.req.param('provider'),
      });
      await setFlash(c, deps, 'error', 'The platform sign-in could not be completed. Try again.');
      return c.redirect('/auth/login', 302);
    }
    await startSession(c, deps, form.token!, false);
    deps.logger.auth({ action: 'portal_oauth_login', user: claims.sub, result: 'SUCCESS' });
    return c.redirect('/dashboard', 302);
  });
}

/** Identity's OAuth start URL with the way back into the portal (identity checks it, §3.3). */
export function identityOAuthUrl(deps: PortalDeps, provider: Provider): string {
  const back = `${deps.publicUrl}/auth/oauth_callback/${provider}`;
  return `${deps.identityPublicUrl}/auth/oauth/${provider}?redirect=${encodeURIComponent(back)}`;
}
