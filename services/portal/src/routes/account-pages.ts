import type { Context, Hono } from 'hono';
import { html } from '../html-template.js';
import { readForm, requireUser } from '../page-guard.js';
import { csrfField, formatDate, renderMessagePage, renderPage } from '../page-layout.js';
import { callPeer, errorText } from '../peer-call.js';
import type { PortalDeps } from '../portal-deps.js';
import { setFlash, type PortalSession } from '../session.js';
import { isProvider } from './auth-pages.js';

const PLATFORMS = ['twitch', 'discord', 'slack'] as const;
const KEY_ID = /^\d{1,12}$/;

/** Identity's `link_error` words (its OAuth link flow) as messages; unknown words get the generic one. */
const LINK_ERROR_TEXT: Record<string, string> = {
  conflict: 'That account is already linked to another WaddleBot user.',
  denied: 'The platform did not allow the link.',
  other_user: 'That link was started by another WaddleBot user, so it was not applied.',
  unavailable: 'The platform could not be reached. Try again later.',
};

interface Profile {
  user_id: string;
  username: string;
  email: string | null;
  display_name: string | null;
  first_name: string | null;
  last_name: string | null;
  primary_platform: string | null;
}

/** §7.2 profile, identities and API keys: proxies to identity with the user's own JWT. */
export function mountAccountPages(app: Hono<any>, deps: PortalDeps) {
  const asUser = (
    session: PortalSession,
    path: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' = 'GET',
    body?: unknown,
  ) =>
    callPeer<any>(deps.identity, path, { method, body, bearer: session.token, timeoutMs: deps.apiTimeoutMs });

  /** Runs a form post against identity and redirects back with its outcome as a flash. */
  async function identityAction(
    c: Context,
    back: string,
    run: (session: PortalSession, form: Record<string, string>) => Promise<string | { error: string }>,
  ) {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const form = await readForm(c, deps, session);
    if (form instanceof Response) return form;
    const outcome = await run(session, form);
    if (typeof outcome === 'string') await setFlash(c, deps, 'info', outcome);
    else await setFlash(c, deps, 'error', outcome.error);
    return c.redirect(back, 302);
  }
  const failure = (r: Awaited<ReturnType<typeof asUser>>) =>
    ({ error: r.kind === 'error' ? errorText(r) : 'Identity is unavailable right now.' }) as const;

  const profilePage = async (c: Context, session: PortalSession, error?: string) => {
    const r = await asUser(session, '/auth/profile');
    if (r.kind !== 'ok')
      return renderMessagePage(c, deps, 503, 'Profile', 'Identity is unavailable right now.', session);
    const p = r.data as Profile;
    return renderPage(
      c,
      deps,
      html`<section>
        <p>
          User id <strong>${p.user_id}</strong> · username <strong>${p.username}</strong> · e-mail
          ${p.email ?? '–'}
        </p>
        <form method="post" action="/profile">
          ${csrfField(c, deps)} <label for="first_name">First name</label
          ><input
            type="text"
            id="first_name"
            name="first_name"
            maxlength="128"
            value="${p.first_name ?? ''}"
          />
          <label for="last_name">Last name</label
          ><input type="text" id="last_name" name="last_name" maxlength="128" value="${p.last_name ?? ''}" />
          <label for="display_name">Display name</label
          ><input
            type="text"
            id="display_name"
            name="display_name"
            maxlength="128"
            value="${p.display_name ?? ''}"
          />
          <p><button type="submit">Save</button></p>
        </form>
        <p><a href="/auth/change-password">Change password</a></p>
      </section>`,
      {
        title: 'Profile',
        session,
        status: error ? 400 : 200,
        notice: error ? { kind: 'error', text: error } : null,
      },
    );
  };

  app.get('/profile', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    return profilePage(c, session);
  });

  app.post('/profile', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const form = await readForm(c, deps, session);
    if (form instanceof Response) return form;
    const update: Record<string, string | null> = {};
    for (const f of ['first_name', 'last_name', 'display_name'] as const) {
      if (form[f] === undefined) continue;
      const v = form[f].trim();
      if (v.length > 128)
        return profilePage(c, session, `${f.replace('_', ' ')} is longer than 128 characters.`);
      update[f] = v || null;
    }
    const r = await asUser(session, '/auth/profile', 'PUT', update);
    if (r.kind !== 'ok') return profilePage(c, session, failure(r).error);
    await setFlash(c, deps, 'info', 'Profile saved.');
    return c.redirect('/profile', 302);
  });

  app.get('/identity', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const [user, pending] = await Promise.all([
      callPeer<any>(deps.identity, `/identity/user/${encodeURIComponent(session.userId)}`, {
        timeoutMs: deps.apiTimeoutMs,
      }),
      asUser(session, '/identity/pending'),
    ]);
    if (user.kind !== 'ok')
      return renderMessagePage(c, deps, 503, 'Identities', 'Identity is unavailable right now.', session);
    const identities = (user.data.identities ?? []) as {
      platform: string;
      platform_id: string;
      platform_username: string;
      verified_at: string | null;
      verification_method: string | null;
    }[];
    const pendingRows = pending.kind === 'ok' ? ((pending.data.pending ?? []) as any[]) : [];
    const csrf = csrfField(c, deps);
    return renderPage(
      c,
      deps,
      html`<section>
          <h2>Linked accounts</h2>
          ${
            identities.length
              ? html`<table>
                  <thead>
                    <tr>
                      <th>Platform</th>
                      <th>Username</th>
                      <th>Platform id</th>
                      <th>Verified</th>
                      <th>Method</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${identities.map(
                      (i) =>
                        html`<tr class="identity">
                          <td>${i.platform}</td>
                          <td>${i.platform_username}</td>
                          <td>${i.platform_id}</td>
                          <td>${formatDate(i.verified_at)}</td>
                          <td>${i.verification_method ?? ''}</td>
                          <td>
                            <form class="inline" method="post" action="/identity/unlink">
                              ${csrf}<input type="hidden" name="platform" value="${i.platform}" /><button
                                type="submit"
                              >
                                Unlink
                              </button>
                            </form>
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p>No linked accounts.</p>`
          }
        </section>
        <section>
          <h2>Pending verifications</h2>
          ${
            pendingRows.length
              ? html`<table>
                    <thead>
                      <tr>
                        <th>Platform</th>
                        <th>Username</th>
                        <th>Expires</th>
                        <th>Resent</th>
                        <th>Delivery</th>
                        <th></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${pendingRows.map(
                        (p) =>
                          html`<tr class="pending">
                            <td>${p.target_platform}</td>
                            <td>${p.target_username}</td>
                            <td>${formatDate(p.expires_at)}</td>
                            <td>${p.resend_count}</td>
                            <td>${p.delivery_status}</td>
                            <td>
                              <form class="inline" method="post" action="/identity/resend">
                                ${csrf}<input
                                  type="hidden"
                                  name="target_platform"
                                  value="${p.target_platform}"
                                /><button type="submit">Resend code</button>
                              </form>
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                  <p>Type <code>!verify CODE</code> in chat on that platform to finish.</p>`
              : html`<p>None.</p>`
          }
        </section>
        <section>
          <h2>Link an account</h2>
          <form method="post" action="/identity/link">
            ${csrf} <label for="target_platform">Platform</label
            ><select id="target_platform" name="target_platform">
              ${PLATFORMS.map((p) => html`<option value="${p}">${p}</option>`)}
            </select>
            <label for="target_username">Your username there</label
            ><input type="text" id="target_username" name="target_username" maxlength="128" required />
            <p><button type="submit">Send verification code</button></p>
          </form>
          <p>Or connect with: ${PLATFORMS.map((p) => html`<a href="/identity/connect/${p}">${p}</a> `)}</p>
        </section>`,
      { title: 'Identities', session },
    );
  });

  app.post('/identity/link', (c) =>
    identityAction(c, '/identity', async (session, form) => {
      const platform = (form.target_platform ?? '').trim().toLowerCase();
      const username = (form.target_username ?? '').trim();
      if (!(PLATFORMS as readonly string[]).includes(platform))
        return { error: 'Choose Twitch, Discord or Slack.' };
      if (!username || username.length > 128)
        return { error: 'Enter your username on that platform (up to 128 characters).' };
      const r = await asUser(session, '/identity/link', 'POST', {
        target_platform: platform,
        target_username: username,
      });
      if (r.kind !== 'ok') return failure(r);
      return `Code sent: type !verify CODE on ${platform} as ${username} within ${r.data.expires_in_minutes ?? 10} minutes.`;
    }),
  );

  app.post('/identity/resend', (c) =>
    identityAction(c, '/identity', async (session, form) => {
      const platform = (form.target_platform ?? '').trim().toLowerCase();
      if (!(PLATFORMS as readonly string[]).includes(platform)) return { error: 'Unknown platform.' };
      const r = await asUser(session, '/identity/resend', 'POST', { target_platform: platform });
      return r.kind === 'ok' ? `A new code was sent on ${platform}.` : failure(r);
    }),
  );

  app.post('/identity/unlink', (c) =>
    identityAction(c, '/identity', async (session, form) => {
      const platform = (form.platform ?? '').trim().toLowerCase();
      if (!(PLATFORMS as readonly string[]).includes(platform)) return { error: 'Unknown platform.' };
      const r = await asUser(session, '/identity/unlink', 'DELETE', { platform });
      return r.kind === 'ok' ? `Your ${platform} account was unlinked.` : failure(r);
    }),
  );

  app.get('/identity/connect/:provider', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const provider = c.req.param('provider');
    if (!isProvider(provider))
      return renderMessagePage(c, deps, 404, 'Unknown provider', 'No such provider.', session);
    // Identity links to the user whose JWT starts the flow (§3.4 step 2). A browser redirect cannot
    // carry that JWT, so the portal asks identity for the provider URL server-side and sends the
    // browser there; identity keeps the state bound to this user and returns to /identity/connected.
    const r = await asUser(session, `/auth/oauth/${provider}/link-url`, 'POST', {
      redirect: `${deps.publicUrl}/identity/connected/${provider}`,
    });
    if (r.kind === 'ok' && typeof r.data?.url === 'string') return c.redirect(r.data.url as string, 302);
    await setFlash(
      c,
      deps,
      'error',
      r.kind === 'error' ? errorText(r) : `Connecting ${provider} is not available right now.`,
    );
    return c.redirect('/identity', 302);
  });

  /**
   * Where identity sends the browser after the provider: with a one-time `link_code` that this
   * session's JWT redeems (identity refuses a code started by another user), or a `link_error` word.
   */
  app.get('/identity/connected/:provider', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const provider = c.req.param('provider');
    if (!isProvider(provider))
      return renderMessagePage(c, deps, 404, 'Unknown provider', 'No such provider.', session);
    const linkCode = c.req.query('link_code');
    const failed = `Your ${provider} account could not be linked. Try again.`;
    if (!linkCode) {
      await setFlash(c, deps, 'error', LINK_ERROR_TEXT[c.req.query('link_error') ?? ''] ?? failed);
      return c.redirect('/identity', 302);
    }
    const r = await asUser(session, `/auth/oauth/${provider}/link-complete`, 'POST', { link_code: linkCode });
    if (r.kind === 'ok') {
      deps.logger.audit({
        action: 'portal_oauth_link',
        user: session.userId,
        platform: provider,
        result: 'SUCCESS',
      });
      await setFlash(c, deps, 'info', `Your ${provider} account is now linked.`);
    } else {
      const reason =
        r.kind === 'error'
          ? ({ 409: 'conflict', 403: 'other_user' } as Record<number, string>)[r.status]
          : undefined;
      await setFlash(c, deps, 'error', LINK_ERROR_TEXT[reason ?? ''] ?? failed);
    }
    return c.redirect('/identity', 302);
  });

  app.get('/api_keys', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const r = await asUser(session, '/identity/api-keys');
    if (r.kind !== 'ok')
      return renderMessagePage(c, deps, 503, 'API keys', 'Identity is unavailable right now.', session);
    const keys = (r.data.api_keys ?? []) as {
      key_id: number;
      name: string;
      created_at: string;
      expires_at: string | null;
      last_used_at: string | null;
      usage_count: number;
    }[];
    const csrf = csrfField(c, deps);
    return renderPage(
      c,
      deps,
      html`<section>
          ${
            keys.length
              ? html`<table>
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Created</th>
                      <th>Expires</th>
                      <th>Last used</th>
                      <th>Uses</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${keys.map(
                      (k) =>
                        html`<tr class="api-key" data-key-id="${k.key_id}">
                          <td>${k.name}</td>
                          <td>${formatDate(k.created_at)}</td>
                          <td>${formatDate(k.expires_at)}</td>
                          <td>${formatDate(k.last_used_at)}</td>
                          <td>${k.usage_count}</td>
                          <td>
                            <form class="inline" method="post" action="/api_keys/${k.key_id}/regenerate">
                              ${csrf}<button type="submit">Regenerate</button>
                            </form>
                            <form class="inline" method="post" action="/api_keys/${k.key_id}/revoke">
                              ${csrf}<button type="submit">Revoke</button>
                            </form>
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p>No API keys.</p>`
          }
        </section>
        <section>
          <h2>Create a key</h2>
          <form method="post" action="/api_keys/create">
            ${csrf} <label for="name">Name</label
            ><input type="text" id="name" name="name" maxlength="128" value="API Key" />
            <label for="expires_in_days">Expires in (days)</label
            ><input type="text" id="expires_in_days" name="expires_in_days" value="365" inputmode="numeric" />
            <p><button type="submit">Create</button></p>
          </form>
        </section>`,
      { title: 'API keys', session },
    );
  });

  /** A new key is shown on this one response only (never stored, never logged, never cached). */
  const showKeyOnce = (c: Context, session: PortalSession, key: string, name: string) =>
    renderPage(
      c,
      deps,
      html`<section>
        <p>Copy the key <strong>${name}</strong> now: it will not be shown again.</p>
        <p><code class="secret new-api-key">${key}</code></p>
        <p><a href="/api_keys">Back to API keys</a></p>
      </section>`,
      { title: 'New API key', session, status: 201 },
    );

  app.post('/api_keys/create', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const form = await readForm(c, deps, session);
    if (form instanceof Response) return form;
    const name = (form.name ?? '').trim() || 'API Key';
    const days = (form.expires_in_days ?? '365').trim() || '365';
    const badInput =
      name.length > 128
        ? 'The name is longer than 128 characters.'
        : !/^\d{1,4}$/.test(days) || Number(days) < 1 || Number(days) > 3650
          ? 'Expiry must be 1 to 3650 days.'
          : null;
    if (badInput) {
      await setFlash(c, deps, 'error', badInput);
      return c.redirect('/api_keys', 302);
    }
    const r = await asUser(session, '/identity/api-keys', 'POST', { name, expires_in_days: Number(days) });
    if (r.kind !== 'ok') {
      await setFlash(c, deps, 'error', failure(r).error);
      return c.redirect('/api_keys', 302);
    }
    deps.logger.audit({
      action: 'api_key_created',
      user: session.userId,
      key_id: r.data.key_id,
      result: 'SUCCESS',
    });
    return showKeyOnce(c, session, String(r.data.api_key), String(r.data.name ?? name));
  });

  app.post('/api_keys/:id/revoke', (c) =>
    identityAction(c, '/api_keys', async (session) => {
      const id = c.req.param('id') ?? '';
      if (!KEY_ID.test(id)) return { error: 'No such API key.' };
      const r = await asUser(session, `/identity/api-keys/${id}`, 'DELETE');
      return r.kind === 'ok' ? 'The API key was revoked.' : failure(r);
    }),
  );

  app.post('/api_keys/:id/regenerate', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const form = await readForm(c, deps, session);
    if (form instanceof Response) return form;
    const id = c.req.param('id') ?? '';
    const r = KEY_ID.test(id) ? await asUser(session, `/identity/api-keys/${id}/regenerate`, 'POST') : null;
    if (!r || r.kind !== 'ok') {
      await setFlash(c, deps, 'error', r ? failure(r).error : 'No such API key.');
      return c.redirect('/api_keys', 302);
    }
    return showKeyOnce(c, session, String(r.data.api_key), `#${id}`);
  });
}
