import {
  ForbiddenError,
  ValidationError,
  actingUser,
  hasRole,
  ok,
  restRoute,
  z,
  type App,
  type Role,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { ShoutoutDB } from '../db.js';
import {
  ConfigPatchSchema,
  configView,
  loadCommunityConfig,
  updateCommunityConfig,
} from '../shoutout-config.js';
import { historyStats, historyView, listHistory } from '../shoutout-history.js';
import { listUsers, normaliseLogin, upsertUserSettings, userView } from '../shoutout-users.js';
import { isWebUrl } from '../overlay-card.js';

const CommunityId = z
  .string()
  .regex(/^\d{1,18}$/, 'must be a decimal community id')
  .transform((v) => String(Number(v)));
const CommunityPath = z.object({ community_id: CommunityId });

const UserSettingsSchema = z
  .object({
    auto_shoutout: z.boolean().optional(),
    /** null or a blank text clears it, so the creator gets the community template again. */
    custom_message: z
      .string()
      .max(500)
      .nullable()
      .optional()
      .transform((v) => (typeof v === 'string' && v.trim() === '' ? null : v)),
    additional_links: z
      .record(
        z.string().min(1).max(50),
        z.string().max(500).refine(isWebUrl, 'must be an http(s) URL').nullable(),
      )
      .optional(),
  })
  .strict();

/**
 * The acting user of a write (interaction-modules §1.1). A call naming no user is a trusted
 * service acting on its own; a named user needs `role`.
 */
function writer(c: Context, role: Role, action: string) {
  const user = actingUser(c);
  const named = ['Id', 'Name', 'Role'].some((h) => c.req.header(`X-WaddleBot-User-${h}`) !== undefined);
  if (named && !hasRole(user.role, role)) throw new ForbiddenError(`You don't have permission to ${action}`);
  return user;
}

export function mountShoutoutRestRoutes(app: App, deps: ServiceDeps, db: Kysely<ShoutoutDB>) {
  const auth = deps.auth.require('service');
  const base = '/api/v1/shoutout/{community_id}';

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: `${base}/users`,
      summary: 'Creators known to the community',
      params: CommunityPath,
    },
    async (c, { params }) => {
      const rows = await listUsers(db, params.community_id);
      return ok(c, { users: rows.map(userView), total: rows.length });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'put',
      path: `${base}/users/{username}`,
      summary: "Set a creator's auto-shoutout flag, message and links (links merge; null removes one)",
      params: CommunityPath.extend({ username: z.string().min(1).max(26) }),
      body: UserSettingsSchema,
    },
    async (c, { params, body }) => {
      const acting = writer(c, 'moderator', 'manage shoutout users');
      const login = normaliseLogin(params.username);
      if (!login)
        throw new ValidationError('Validation failed', [
          { path: 'username', message: 'must be a Twitch login' },
        ]);
      const row = await upsertUserSettings(db, params.community_id, login, body, acting.id, deps.clock);
      deps.logger.audit({
        action: 'shoutout_user_update',
        community: params.community_id,
        user: acting.id,
        result: 'SUCCESS',
        target: login,
      });
      return ok(c, userView(row));
    },
  );

  restRoute(
    app,
    auth,
    { method: 'get', path: `${base}/config`, summary: 'Shoutout settings', params: CommunityPath },
    async (c, { params }) =>
      ok(c, configView(await loadCommunityConfig(db, params.community_id, deps.clock))),
  );

  restRoute(
    app,
    auth,
    {
      method: 'put',
      path: `${base}/config`,
      summary: 'Change shoutout settings (admin: community.manage_settings)',
      params: CommunityPath,
      body: ConfigPatchSchema,
    },
    async (c, { params, body }) => {
      const acting = writer(c, 'admin', 'change shoutout settings');
      const row = await updateCommunityConfig(db, params.community_id, body, deps.clock);
      deps.logger.audit({
        action: 'shoutout_config_update',
        community: params.community_id,
        user: acting.id,
        result: 'SUCCESS',
        fields: Object.keys(body).filter((k) => k !== 'community_id'),
      });
      return ok(c, configView(row));
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: `${base}/history`,
      summary: 'Recent shoutouts, newest first',
      params: CommunityPath,
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    },
    async (c, { params, query }) => {
      const rows = await listHistory(db, params.community_id, query.limit);
      return ok(c, { history: rows.map(historyView), total: rows.length });
    },
  );

  restRoute(
    app,
    auth,
    { method: 'get', path: `${base}/stats`, summary: 'Shoutout totals', params: CommunityPath },
    async (c, { params }) => ok(c, await historyStats(db, params.community_id)),
  );
}
