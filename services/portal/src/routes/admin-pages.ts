import type { Hono } from 'hono';
import { html } from '../html-template.js';
import { readForm, requireUser } from '../page-guard.js';
import { csrfField, renderMessagePage, renderPage } from '../page-layout.js';
import { callPeer, errorText } from '../peer-call.js';
import type { PortalDeps } from '../portal-deps.js';
import { setFlash } from '../session.js';

/**
 * §7.2 `/admin/users`: platform administrators only ([fix]: community owners are refused). User
 * administration lives in identity (`GET /identity/users`, `PUT /identity/users/:id/active`);
 * while identity lacks those routes the page says so instead of failing.
 */
export function mountAdminPages(app: Hono<any>, deps: PortalDeps) {
  app.get('/admin/users', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    if (!(await deps.isPlatformAdmin(session.userId, session.roles))) {
      deps.logger.authz({ action: 'admin_users', user: session.userId, result: 'DENIED' });
      return renderMessagePage(
        c,
        deps,
        403,
        'Forbidden',
        'Only platform administrators can manage users.',
        session,
      );
    }
    const search = (c.req.query('q') ?? '').trim().slice(0, 128);
    const r = await callPeer<{
      users: { user_id: string; username: string; email: string | null; is_active: boolean }[];
    }>(deps.identity, '/identity/users', {
      query: { search: search || undefined },
      timeoutMs: deps.apiTimeoutMs,
    });
    const csrf = csrfField(c, deps);
    const list =
      r.kind === 'ok'
        ? html`<table>
            <thead>
              <tr>
                <th>User id</th>
                <th>Username</th>
                <th>E-mail</th>
                <th>Active</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${r.data.users.map(
                (u) =>
                  html`<tr class="user">
                    <td>${u.user_id}</td>
                    <td>${u.username}</td>
                    <td>${u.email ?? ''}</td>
                    <td>${u.is_active ? 'yes' : 'no'}</td>
                    <td>
                      <form class="inline" method="post" action="/admin/users/${u.user_id}/active">
                        ${csrf}<input
                          type="hidden"
                          name="is_active"
                          value="${u.is_active ? 'false' : 'true'}"
                        /><button type="submit">${u.is_active ? 'Deactivate' : 'Activate'}</button>
                      </form>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p>User administration is not available: identity does not offer it yet.</p>`;
    return renderPage(
      c,
      deps,
      html`<section>
        <form method="get" action="/admin/users">
          <label for="q">Search</label><input type="text" id="q" name="q" value="${search}" />
          <button type="submit">Search</button>
        </form>
        ${list}
      </section>`,
      { title: 'Users', session },
    );
  });

  app.post('/admin/users/:id/active', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    if (!(await deps.isPlatformAdmin(session.userId, session.roles)))
      return renderMessagePage(
        c,
        deps,
        403,
        'Forbidden',
        'Only platform administrators can manage users.',
        session,
      );
    const form = await readForm(c, deps, session);
    if (form instanceof Response) return form;
    const id = c.req.param('id') ?? '';
    if (!/^\d{1,12}$/.test(id)) return renderMessagePage(c, deps, 404, 'Not found', 'No such user.', session);
    const r = await callPeer(deps.identity, `/identity/users/${id}/active`, {
      method: 'PUT',
      body: { is_active: form.is_active === 'true' },
      timeoutMs: deps.apiTimeoutMs,
    });
    if (r.kind === 'ok') {
      deps.logger.audit({ action: 'user_active_set', user: session.userId, target: id, result: 'SUCCESS' });
      await setFlash(c, deps, 'info', `User ${id} updated.`);
    } else
      await setFlash(
        c,
        deps,
        'error',
        r.kind === 'error' ? errorText(r) : 'User administration is not available.',
      );
    return c.redirect('/admin/users', 302);
  });
}
