import type { Context, Hono } from 'hono';
import {
  PeerUnavailableError,
  communityModules,
  displayNames,
  getCommunity,
  leaderboard,
  managedCommunities,
  mayManage,
  membersByReputation,
  overlayToken,
  overlayUrls,
  roleIn,
  type CommunityDetail,
} from '../community-data.js';
import { html } from '../html-template.js';
import { readForm, requireUser } from '../page-guard.js';
import { csrfField, formatDate, renderMessagePage, renderPage } from '../page-layout.js';
import { callPeer, errorText } from '../peer-call.js';
import type { PortalDeps } from '../portal-deps.js';
import { setFlash, type PortalSession } from '../session.js';

const MEMBERS_PER_PAGE = 25;
const OVERLAY_SIZES: Record<string, string> = { ticker: '1920×100', media: '400×300', general: '1920×1080' };
const MODULE_ID = /^[a-z0-9_-]{3,100}$/;

type Access = { ok: true; community: CommunityDetail } | { ok: false; response: Response };

/**
 * Owner/admin only (§7.1 [fix]); a platform administrator passes as everywhere. Unknown id → 404
 * page; anyone else → back to the dashboard with "access denied".
 */
async function communityAccess(c: Context, deps: PortalDeps, session: PortalSession): Promise<Access> {
  const raw = c.req.param('id') ?? '';
  if (!/^\d{1,12}$/.test(raw))
    return {
      ok: false,
      response: await renderMessagePage(c, deps, 404, 'Not found', 'No such community.', session),
    };
  const id = Number(raw);
  try {
    const community = await getCommunity(deps, id);
    if (!community)
      return {
        ok: false,
        response: await renderMessagePage(c, deps, 404, 'Not found', 'No such community.', session),
      };
    const allowed =
      mayManage(await roleIn(deps, session.userId, id)) ||
      (await deps.isPlatformAdmin(session.userId, session.roles));
    if (!allowed) {
      deps.logger.authz({
        action: 'community_page',
        user: session.userId,
        community: String(id),
        result: 'DENIED',
      });
      await setFlash(
        c,
        deps,
        'error',
        'Access denied: only owners and admins of a community can open its page.',
      );
      return { ok: false, response: c.redirect('/dashboard', 302) };
    }
    return { ok: true, community };
  } catch (err) {
    if (err instanceof PeerUnavailableError)
      return {
        ok: false,
        response: await renderMessagePage(
          c,
          deps,
          503,
          'Unavailable',
          'Communities are unavailable right now.',
          session,
        ),
      };
    throw err;
  }
}

/** §7.2 dashboard and community pages (overview, members, modules, browser sources, leaderboard). */
export function mountCommunityPages(app: Hono<any>, deps: PortalDeps) {
  app.get('/dashboard', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    let communities;
    try {
      communities = await managedCommunities(deps, session.userId);
    } catch (err) {
      if (!(err instanceof PeerUnavailableError)) throw err;
      return renderMessagePage(c, deps, 503, 'Dashboard', 'Communities are unavailable right now.', session);
    }
    const body = communities.length
      ? html`<section>
          <table>
            <thead>
              <tr>
                <th>Community</th>
                <th>Description</th>
                <th>Your role</th>
                <th>Members</th>
                <th>Entity groups</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              ${communities.map(
                (cm) =>
                  html`<tr class="community">
                    <td><a href="/community/${cm.id}">${cm.name}</a></td>
                    <td>${cm.description ?? ''}</td>
                    <td>${cm.role}</td>
                    <td>${cm.member_count}</td>
                    <td>${cm.entity_group_count}</td>
                    <td>${formatDate(cm.created_at)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </section>`
      : html`<section>
          <p>
            You are not an owner or admin of any community yet. Create one in chat with
            <code>!community create &lt;name&gt;</code>.
          </p>
        </section>`;
    return renderPage(c, deps, body, { title: 'Your communities', session });
  });

  app.get('/community/:id', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const access = await communityAccess(c, deps, session);
    if (!access.ok) return access.response;
    const cm = access.community;
    const search = (c.req.query('q') ?? '').trim().slice(0, 128);
    const pageNo = Math.max(1, Math.min(10_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1));
    const [members, modules, urls, top] = await Promise.all([
      membersByReputation(deps, cm.id, { search }).catch((err: unknown) => {
        if (err instanceof PeerUnavailableError) return null;
        throw err;
      }),
      communityModules(deps, cm.id),
      overlayUrls(deps, cm.id),
      leaderboard(deps, cm.id, 25),
    ]);
    const totalPages = members ? Math.max(1, Math.ceil(members.members.length / MEMBERS_PER_PAGE)) : 1;
    const shown = members
      ? members.members.slice((pageNo - 1) * MEMBERS_PER_PAGE, pageNo * MEMBERS_PER_PAGE)
      : [];
    const names = await displayNames(deps, [
      ...shown.map((m) => m.user_id),
      ...(top ?? []).map((r) => r.user_id),
    ]);
    const pageLink = (p: number) =>
      `/community/${cm.id}?${new URLSearchParams({ ...(search ? { q: search } : {}), page: String(p) })}#members`;
    const csrf = csrfField(c, deps);

    const overview = html`<section id="overview">
      <h2>Overview</h2>
      <p>${cm.description ?? ''}</p>
      <table>
        <tr>
          <th>Members</th>
          <td>${cm.member_count}</td>
        </tr>
        <tr>
          <th>Entity groups</th>
          <td>${cm.entity_groups.length}</td>
        </tr>
        <tr>
          <th>Created</th>
          <td>${formatDate(cm.created_at)}</td>
        </tr>
        <tr>
          <th>Channels</th>
          <td>${cm.entity_groups.flatMap((g) => g.entity_ids).join(', ') || '–'}</td>
        </tr>
      </table>
    </section>`;

    const membersSection = html`<section id="members">
      <h2>Members</h2>
      <form method="get" action="/community/${cm.id}#members">
        <label for="q">Search by user id</label><input type="text" id="q" name="q" value="${search}" />
        <button type="submit">Search</button>
      </form>
      ${
        members
          ? html`${members.reputationAvailable ? '' : html`<p class="muted">Reputation is unavailable: default scores shown.</p>`}
              <table class="members">
                <thead>
                  <tr>
                    <th>User id</th>
                    <th>Display name</th>
                    <th>Role</th>
                    <th>Reputation</th>
                    <th>Tier</th>
                    <th>Events</th>
                    <th>Last activity</th>
                    <th>Joined</th>
                    <th>Invited by</th>
                  </tr>
                </thead>
                <tbody>
                  ${shown.map(
                    (m) =>
                      html`<tr class="member" data-user-id="${m.user_id}">
                        <td>${m.user_id}</td>
                        <td>${names.get(m.user_id) ?? ''}</td>
                        <td>${m.role}</td>
                        <td class="score">${m.reputation.current_score}</td>
                        <td>${m.reputation.tier ?? ''}</td>
                        <td>${m.reputation.total_events}</td>
                        <td>${formatDate(m.reputation.last_activity)}</td>
                        <td>${formatDate(m.joined_at)}</td>
                        <td>${m.invited_by ?? ''}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              <p>
                Page ${pageNo} of ${totalPages} (${members.members.length}
                members)${pageNo > 1 ? html` · <a href="${pageLink(pageNo - 1)}">Previous</a>` : ''}${
                  pageNo < totalPages ? html` · <a href="${pageLink(pageNo + 1)}">Next</a>` : ''
                }
              </p>`
          : html`<p>Members are unavailable right now.</p>`
      }
    </section>`;

    const moduleRows = (list: NonNullable<typeof modules>['core']) =>
      list.map(
        (m) =>
          html`<tr class="module" data-module-id="${m.id}">
            <td>${m.display_name}</td>
            <td>${m.prefix}${m.command}</td>
            <td>${m.version}</td>
            <td>${m.is_active ? 'enabled' : 'disabled'}</td>
            <td>${m.usage_count}</td>
            <td>${formatDate(m.last_used)}</td>
            <td>
              <form class="inline" method="post" action="/community/${cm.id}/modules/${m.id}/toggle">
                ${csrf}<input type="hidden" name="enabled" value="${m.is_active ? 'false' : 'true'}" /><button
                  type="submit"
                >
                  ${m.is_active ? 'Disable' : 'Enable'}
                </button>
              </form>
              <form class="inline" method="post" action="/community/${cm.id}/modules/${m.id}/uninstall">
                ${csrf}<button type="submit">Uninstall</button>
              </form>
            </td>
          </tr>`,
      );
    const moduleTable = (list: NonNullable<typeof modules>['core']) =>
      html`<table>
        <thead>
          <tr>
            <th>Module</th>
            <th>Command</th>
            <th>Version</th>
            <th>State</th>
            <th>Usage</th>
            <th>Last used</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${moduleRows(list)}
        </tbody>
      </table>`;
    const modulesSection = html`<section id="modules">
      <h2>Modules</h2>
      ${
        modules
          ? html`<h3>Core</h3>
              ${moduleTable(modules.core)}
              <h3>Marketplace</h3>
              ${
                modules.marketplace.length
                  ? moduleTable(modules.marketplace)
                  : html`<p>No marketplace modules installed.</p>`
              }
              <form method="post" action="/community/${cm.id}/modules/install">
                ${csrf}<label for="module_id">Install a module (module id)</label
                ><input type="text" id="module_id" name="module_id" required pattern="[a-z0-9_-]{3,100}" />
                <button type="submit">Install</button>
              </form>`
          : html`<p>The marketplace is not available: modules cannot be listed or changed right now.</p>`
      }
    </section>`;

    const overlaySection = html`<section id="browser-sources">
      <h2>Browser sources (OBS)</h2>
      ${
        urls
          ? html`<p>
                <strong>Keep these URLs secret:</strong> anyone with a URL can show content in your overlay.
                Regenerate one if it leaked.
              </p>
              <table>
                <thead>
                  <tr>
                    <th>Type</th>
                    <th>URL</th>
                    <th>Recommended size</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${Object.entries(urls).map(
                    ([type, u]) =>
                      html`<tr class="overlay" data-type="${type}">
                        <td>${type}</td>
                        <td><code class="secret overlay-url">${u.url}</code></td>
                        <td>${OVERLAY_SIZES[type] ?? ''}</td>
                        <td>
                          <button
                            type="button"
                            data-copy="${u.url}"
                            onclick="navigator.clipboard&amp;&amp;navigator.clipboard.writeText(this.dataset.copy)"
                          >
                            Copy
                          </button>
                          <form
                            class="inline"
                            method="post"
                            action="/community/${cm.id}/browser-sources/${type}/regenerate"
                          >
                            ${csrf}<button type="submit">Regenerate</button>
                          </form>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
          : html`<p>Browser sources are unavailable right now.</p>`
      }
    </section>`;

    const leaderboardSection = html`<section id="leaderboard">
      <h2>Leaderboard</h2>
      ${
        top
          ? top.length
            ? html`<table>
                <thead>
                  <tr>
                    <th>#</th>
                    <th>User</th>
                    <th>Score</th>
                    <th>Tier</th>
                    <th>Events</th>
                  </tr>
                </thead>
                <tbody>
                  ${top.map(
                    (r) =>
                      html`<tr>
                        <td>${r.rank}</td>
                        <td>${names.get(r.user_id) ?? r.user_id}</td>
                        <td>${r.current_score}</td>
                        <td>${r.tier}</td>
                        <td>${r.total_events}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
            : html`<p>No reputation yet.</p>`
          : html`<p>Reputation is unavailable right now.</p>`
      }
    </section>`;

    return renderPage(
      c,
      deps,
      html`<nav class="tabs">
          <a href="#overview">Overview</a><a href="#members">Members</a><a href="#modules">Modules</a
          ><a href="#browser-sources">Browser sources</a><a href="#leaderboard">Leaderboard</a>
        </nav>
        ${overview}${membersSection}${modulesSection}${overlaySection}${leaderboardSection}`,
      { title: cm.name, session },
    );
  });

  /** Module changes act as the logged-in user; marketplace checks community.install_modules itself. */
  async function moduleAction(
    c: Context,
    path: (communityId: number) => string,
    body: (communityId: number, moduleId: string, form: Record<string, string>) => Record<string, unknown>,
    done: string,
  ) {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const access = await communityAccess(c, deps, session);
    if (!access.ok) return access.response;
    const form = await readForm(c, deps, session);
    if (form instanceof Response) return form;
    const id = access.community.id;
    const moduleId = (c.req.param('module_id') ?? form.module_id ?? '').trim();
    if (!MODULE_ID.test(moduleId)) {
      await setFlash(c, deps, 'error', 'A module id is 3–100 characters: a-z, 0-9, "_" and "-".');
      return c.redirect(`/community/${id}#modules`, 302);
    }
    const r = await callPeer(deps.marketplace, path(id), {
      method: 'POST',
      body: { ...body(id, moduleId, form), user_id: session.userId },
      timeoutMs: deps.apiTimeoutMs,
    });
    if (r.kind === 'unavailable')
      await setFlash(c, deps, 'error', 'The marketplace is not available right now.');
    else if (r.kind === 'error') await setFlash(c, deps, 'error', errorText(r));
    else {
      deps.logger.audit({
        action: `module_${done}`,
        user: session.userId,
        community: String(id),
        module_id: moduleId,
        result: 'SUCCESS',
      });
      await setFlash(c, deps, 'info', `Module ${moduleId} ${done}.`);
    }
    return c.redirect(`/community/${id}#modules`, 302);
  }

  app.post('/community/:id/modules/install', (c) =>
    moduleAction(
      c,
      () => '/marketplace/install',
      (community_id, module_id) => ({ community_id, module_id }),
      'installed',
    ),
  );
  app.post('/community/:id/modules/:module_id/uninstall', (c) =>
    moduleAction(
      c,
      () => '/marketplace/uninstall',
      (community_id, module_id) => ({ community_id, module_id }),
      'uninstalled',
    ),
  );
  app.post('/community/:id/modules/:module_id/toggle', (c) =>
    moduleAction(
      c,
      (id) => `/marketplace/community/${id}/toggle`,
      (_id, module_id, form) => ({ module_id, enabled: form.enabled === 'true' }),
      'updated',
    ),
  );

  app.post('/community/:id/browser-sources/:type/regenerate', async (c) => {
    const session = await requireUser(c, deps);
    if (session instanceof Response) return session;
    const access = await communityAccess(c, deps, session);
    if (!access.ok) return access.response;
    const form = await readForm(c, deps, session);
    if (form instanceof Response) return form;
    const id = access.community.id;
    const type = c.req.param('type');
    const urls = await overlayUrls(deps, id);
    const current = urls && Object.hasOwn(urls, type) ? urls[type] : undefined;
    const token = current ? overlayToken(current.url) : null;
    if (!urls) await setFlash(c, deps, 'error', 'Browser sources are unavailable right now.');
    else if (!token) await setFlash(c, deps, 'error', 'Unknown browser source type.');
    else {
      const r = await callPeer(
        deps.browserSource,
        `/browser/source/admin/tokens/${encodeURIComponent(token)}/regenerate`,
        {
          method: 'POST',
          timeoutMs: deps.apiTimeoutMs,
        },
      );
      if (r.kind === 'ok') {
        deps.logger.audit({
          action: 'overlay_regenerated',
          user: session.userId,
          community: String(id),
          source_type: type,
          result: 'SUCCESS',
        });
        await setFlash(c, deps, 'info', `The ${type} URL was regenerated: update it in OBS.`);
      } else
        await setFlash(
          c,
          deps,
          'error',
          r.kind === 'error' ? errorText(r) : 'Browser sources are unavailable right now.',
        );
    }
    return c.redirect(`/community/${id}#browser-sources`, 302);
  });
}
