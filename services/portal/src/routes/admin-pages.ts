import type { Context, Hono } from 'hono';
import { html } from '../html-template.js';
import { readForm, requireUser } from '../page-guard.js';
import { csrfField, renderMessagePage, renderPage } from '../page-layout.js';
import { callPeer, errorText } from '../peer-call.js';
import type { PortalDeps } from '../portal-deps.js';
import { setFlash, type PortalSession } from '../session.js';

interface AdminUser {
  user_id: string;
  username: string;
  email: string | null;
  display_name: string | null;
  is_active: boolean;
}

const PER_PAGE = 25;

/** The 403 page a signed-in user who is not a platform administrator gets on /admin/users. */
const nonAdminPage = (c: Context, deps: PortalDeps, session: PortalSession) =>
  renderMessagePage(c, deps, 403, 'Forbidden', 'Only platform administrators can manage users.', session);

/**
 * §7.2 `/admin/users`: platform administrators only ([fix]: community owners are refused). User
 * administration lives in identity (`GET /identity/users`, `PUT /identity/users/:id/active`,
 * called with the service key after the platform-admin check here); an identity that cannot be
 * reached makes the page say so instead of failing.
 */
export function mountAdminPages(app: Hono<any>, deps: PortalDeps) {
  app.get('/admin/users', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    if (!(await deps.isPlatformAdmin(session.userId, session.roles))) {
      deps.logger.authz({ action: 'admin_users', user: session.userId, result: 'DENIED' });
      return nonAdminPage(c, deps, session);
    }
    const search = (c.req.query('q') ?? '').trim().slice(0, 128);
    const pageParam = Number(c.req.query('page') ?? '1');
    const page = Number.isInteger(pageParam) && pageParam >= 1 && pageParam <= 1_000_000 ? pageParam : 1;
    const r = await callPeer<AdminUser[]>(deps.identity, '/identity/users', {
      query: { search: search || undefined, page, per_page: PER_PAGE },
      timeoutMs: deps.apiTimeoutMs,
    });
    const csrf = csrfField(c, deps);
    const pageLink = (n: number) =>
      `/admin/users?${new URLSearchParams({ ...(search ? { q: search } : {}), page: String(n) }).toString()}`;
    const meta =
      r.kind === 'ok' ? (r.meta as { has_next?: boolean; has_prev?: boolean; total?: number }) : {};
    const pager = html`<p class="pager">
      ${meta?.has_prev ? html`<a href="${pageLink(page - 1)}">Previous</a>` : ''}
      ${meta?.has_next ? html`<a href="${pageLink(page + 1)}">Next</a>` : ''}
    </p>`;
    const list =
      r.kind === 'ok'
        ? html`<p>${String(meta?.total ?? r.data.length)} users</p>
            <table>
              <thead>
                <tr>
                  <th>User id</th>
                  <th>Username</th>
                  <th>Display name</th>
                  <th>E-mail</th>
                  <th>Active</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${r.data.map(
                  (u) =>
                    html`<tr class="user">
                      <td>${u.user_id}</td>
                      <td>${u.username}</td>
                      <td>${u.display_name ?? ''}</td>
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
            </table>
            ${pager}`
        : r.kind === 'error'
          ? html`<p class="error">${errorText(r)}</p>`
          : html`<p>User administration is not available: identity cannot be reached.</p>`;
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
    if (!(await deps.isPlatformAdmin(session.userId, session.roles))) return nonAdminPage(c, deps, session);
    const form = await readForm(c, deps, session);
    if (form instanceof Response) return form;
    const id = c.req.param('id') ?? '';
    if (!/^\d{1,12}$/.test(id)) return renderMessagePage(c, deps, 404, 'Not found', 'No such user.', session);
    // Identity sees only the service key here, so the portal keeps an admin from locking itself out.
    if (id === session.userId && form.is_active !== 'true') {
      await setFlash(c, deps, 'error', 'You cannot deactivate your own account.');
      return c.redirect('/admin/users', 302);
    }
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
