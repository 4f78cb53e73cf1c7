import { createRoute, z } from '@hono/zod-openapi';
import {
  ForbiddenError,
  ValidationError,
  actingUser,
  hasRole,
  ok,
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

const envelope = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const UserViewSchema = z.object({
  username: z.string(),
  platform: z.string(),
  profile_url: z.string().nullable(),
  last_game: z.string().nullable(),
  custom_message: z.string().nullable(),
  additional_links: z.record(z.string(), z.string()),
  auto_shoutout: z.boolean(),
  shoutout_count: z.number(),
  last_shoutout: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const UserSettingsSchema = z
  .object({
    auto_shoutout: z.boolean().optional(),
    custom_message: z.string().min(1).max(500).nullable().optional(),
    additional_links: z
      .record(
        z.string().min(1).max(50),
        z.string().max(500).refine(isWebUrl, 'must be an http(s) URL').nullable(),
      )
      .optional(),
  })
  .strict();

const ConfigViewSchema = z.object({
  community_id: z.string(),
  display_type: z.string(),
  default_duration: z.number(),
  show_profile_picture: z.boolean(),
  so_permission: z.string(),
  auto_shoutout_mode: z.string(),
  auto_triggers: z.array(z.string()),
  cooldown_minutes: z.number(),
  template_live: z.string().nullable(),
  template_offline: z.string().nullable(),
});

/** Writes on behalf of a named user need `role`; a bare service call acts as the system. */
function assertActingRole(c: Context, role: Role, action: string) {
  const named =
    c.req.header('X-WaddleBot-User-Id') !== undefined || c.req.header('X-WaddleBot-User-Role') !== undefined;
  if (named && !hasRole(actingUser(c).role, role))
    throw new ForbiddenError(`You don't have permission to ${action}`);
}

export function mountShoutoutRestRoutes(app: App, deps: ServiceDeps, db: Kysely<ShoutoutDB>) {
  const requireService = deps.auth.require('service');
  const base = '/api/v1/shoutout/{community_id}';

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/users`,
      middleware: [requireService] as const,
      request: { params: z.object({ community_id: CommunityId }) },
      responses: {
        200: json(
          envelope(z.object({ users: z.array(UserViewSchema), total: z.number() })),
          'known creators',
        ),
      },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      const rows = await listUsers(db, community_id);
      return ok(c, { users: rows.map(userView), total: rows.length }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: `${base}/users/{username}`,
      middleware: [requireService] as const,
      request: {
        params: z.object({ community_id: CommunityId, username: z.string().min(1).max(26) }),
        body: { content: { 'application/json': { schema: UserSettingsSchema } } },
      },
      responses: { 200: json(envelope(UserViewSchema), 'saved') },
    }),
    async (c) => {
      assertActingRole(c, 'moderator', 'manage shoutout users');
      const { community_id, username } = c.req.valid('param');
      const login = normaliseLogin(username);
      if (!login)
        throw new ValidationError('Validation failed', [
          { path: 'username', message: 'must be a Twitch login' },
        ]);
      const acting = actingUser(c);
      const row = await upsertUserSettings(
        db,
        community_id,
        login,
        c.req.valid('json'),
        acting.id,
        deps.clock,
      );
      deps.logger.audit({
        action: 'shoutout_user_update',
        community: community_id,
        user: acting.id,
        result: 'SUCCESS',
        target: login,
      });
      return ok(c, userView(row)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/config`,
      middleware: [requireService] as const,
      request: { params: z.object({ community_id: CommunityId }) },
      responses: { 200: json(envelope(ConfigViewSchema), 'community settings') },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      return ok(c, configView(await loadCommunityConfig(db, community_id, deps.clock))) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: `${base}/config`,
      middleware: [requireService] as const,
      request: {
        params: z.object({ community_id: CommunityId }),
        body: { content: { 'application/json': { schema: ConfigPatchSchema } } },
      },
      responses: { 200: json(envelope(ConfigViewSchema), 'saved') },
    }),
    async (c) => {
      assertActingRole(c, 'admin', 'change shoutout settings');
      const { community_id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const row = await updateCommunityConfig(db, community_id, patch, deps.clock);
      deps.logger.audit({
        action: 'shoutout_config_update',
        community: community_id,
        user: actingUser(c).id,
        result: 'SUCCESS',
        fields: Object.keys(patch),
      });
      return ok(c, configView(row)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/history`,
      middleware: [requireService] as const,
      request: {
        params: z.object({ community_id: CommunityId }),
        query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      },
      responses: {
        200: json(
          envelope(z.object({ history: z.array(z.record(z.string(), z.unknown())), total: z.number() })),
          'recent shoutouts',
        ),
      },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      const rows = await listHistory(db, community_id, c.req.valid('query').limit);
      return ok(c, { history: rows.map(historyView), total: rows.length }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/stats`,
      middleware: [requireService] as const,
      request: { params: z.object({ community_id: CommunityId }) },
      responses: {
        200: json(
          envelope(
            z.object({
              total_shoutouts: z.number(),
              unique_users: z.number(),
              first_shoutout: z.string().nullable(),
              last_shoutout: z.string().nullable(),
            }),
          ),
          'totals',
        ),
      },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      return ok(c, await historyStats(db, community_id)) as never;
    },
  );
}
