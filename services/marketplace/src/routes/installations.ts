import {
  NotFoundError,
  ValidationError,
  ok,
  pageMeta,
  restRoute,
  z,
  type App,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context } from 'hono';
import { actorOf, assertMayManageModules, assertMayReadCommunity } from '../access.js';
import { fetchCommunity } from '../community-client.js';
import {
  communityModules,
  installModule,
  setModuleConfig,
  toggleModule,
  uninstallModule,
} from '../installations.js';
import type { MarketplaceDeps } from '../marketplace-deps.js';
import { findListedModule } from '../modules.js';
import { listReviews, postReview } from '../reviews.js';
import { syncCommunity } from '../router-sync.js';
import { CommunityIdBody, CommunityIdParam, ModuleIdParam, UserKey, publicAccess } from './params.js';

const NoParams = z.object({});

async function requireCommunity(mdeps: MarketplaceDeps, communityId: number) {
  const community = await fetchCommunity(mdeps.community, communityId);
  if (!community) throw new NotFoundError('Community not found');
  return community;
}

/**
 * The acting user of an install/uninstall/toggle/config request, once the community exists and the
 * user may manage its modules (§6.2).
 */
async function authorizeModuleManager(
  mdeps: MarketplaceDeps,
  c: Context,
  communityId: number,
  bodyUserId: string | undefined,
): Promise<string> {
  const actor = actorOf(c, bodyUserId);
  await requireCommunity(mdeps, communityId);
  await assertMayManageModules(mdeps, actor, communityId);
  return actor.userKey!;
}

/** Per-community installs, toggles, config, router sync and reviews (§6.2, §6.3). */
export function mountInstallationRoutes(app: App, deps: ServiceDeps, mdeps: MarketplaceDeps) {
  const svcOrJwt = deps.auth.require('service', 'jwt');
  const svc = deps.auth.require('service');

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'post',
      path: '/marketplace/install',
      summary: 'Install a module in a community (community.install_modules)',
      params: NoParams,
      body: z.object({
        module_id: ModuleIdParam,
        community_id: CommunityIdBody,
        user_id: UserKey.optional(),
        version: z.string().trim().min(1).max(32).default('latest'),
      }),
      status: 201,
    },
    async (c, { body }) => {
      const module = await findListedModule(mdeps.db, body.module_id);
      const userKey = await authorizeModuleManager(mdeps, c, body.community_id, body.user_id);
      const res = await installModule(
        mdeps,
        {
          moduleId: body.module_id,
          communityId: body.community_id,
          userKey,
          version: body.version,
        },
        module,
      );
      return ok(c, res, 201);
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'post',
      path: '/marketplace/uninstall',
      summary: 'Uninstall a module (a core module is turned off)',
      params: NoParams,
      body: z.object({
        module_id: ModuleIdParam,
        community_id: CommunityIdBody,
        user_id: UserKey.optional(),
      }),
    },
    async (c, { body }) => {
      const userKey = await authorizeModuleManager(mdeps, c, body.community_id, body.user_id);
      return ok(
        c,
        await uninstallModule(mdeps, {
          moduleId: body.module_id,
          communityId: body.community_id,
          userKey,
        }),
      );
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'get',
      path: '/marketplace/community/{community_id}/modules',
      summary: "The community's effective module set",
      params: z.object({ community_id: CommunityIdParam }),
    },
    async (c, { params }) => {
      await requireCommunity(mdeps, params.community_id);
      await assertMayReadCommunity(mdeps, c.get('auth'), params.community_id);
      return ok(c, await communityModules(mdeps.db, params.community_id));
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'post',
      path: '/marketplace/community/{community_id}/toggle',
      summary: 'Enable or disable an installed module',
      params: z.object({ community_id: CommunityIdParam }),
      body: z.object({ module_id: ModuleIdParam, enabled: z.boolean(), user_id: UserKey.optional() }),
    },
    async (c, { params, body }) => {
      const userKey = await authorizeModuleManager(mdeps, c, params.community_id, body.user_id);
      return ok(
        c,
        await toggleModule(mdeps, {
          moduleId: body.module_id,
          communityId: params.community_id,
          userKey,
          enabled: body.enabled,
        }),
      );
    },
  );

  restRoute(
    app,
    svc,
    {
      method: 'post',
      path: '/marketplace/community/{community_id}/sync',
      summary: "Repeat the router sync of the community's modules for all its channels",
      params: z.object({ community_id: CommunityIdParam }),
    },
    async (c, { params }) => {
      const community = await requireCommunity(mdeps, params.community_id);
      return ok(c, await syncCommunity(mdeps, params.community_id, community.entityIds));
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'put',
      path: '/marketplace/community/{community_id}/modules/{module_id}/config',
      summary: "Set an installed module's configuration for the community",
      params: z.object({ community_id: CommunityIdParam, module_id: ModuleIdParam }),
      body: z.object({ config: z.record(z.string(), z.unknown()), user_id: UserKey.optional() }),
    },
    async (c, { params, body }) => {
      const userKey = await authorizeModuleManager(mdeps, c, params.community_id, body.user_id);
      return ok(
        c,
        await setModuleConfig(mdeps, {
          moduleId: params.module_id,
          communityId: params.community_id,
          userKey,
          config: body.config,
        }),
      );
    },
  );

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'post',
      path: '/marketplace/module/{module_id}/reviews',
      summary: 'Review a module installed in your community (a second review replaces the first)',
      params: z.object({ module_id: ModuleIdParam }),
      body: z.object({
        community_id: CommunityIdBody,
        user_id: UserKey.optional(),
        user_name: z.string().trim().min(1).max(200).optional(),
        rating: z.number().int().min(1).max(5),
        title: z.string().trim().max(200).nullish(),
        review_text: z.string().max(5000).nullish(),
      }),
    },
    async (c, { params, body }) => {
      const actor = actorOf(c, body.user_id);
      if (!actor.userKey)
        throw new ValidationError('Validation failed', [
          { path: 'user_id', message: 'Required with a service key: the acting user' },
        ]);
      // A JWT user reviews as a member of the community; a service vouches for its user.
      await assertMayReadCommunity(mdeps, c.get('auth'), body.community_id);
      const res = await postReview(mdeps, {
        moduleId: params.module_id,
        communityId: body.community_id,
        userKey: actor.userKey,
        userName: body.user_name ?? c.get('auth').username ?? actor.userKey,
        rating: body.rating,
        title: body.title ?? null,
        reviewText: body.review_text ?? null,
      });
      const { created, ...data } = res;
      return ok(c, data, created ? 201 : 200);
    },
  );

  restRoute(
    app,
    publicAccess,
    {
      method: 'get',
      path: '/marketplace/module/{module_id}/reviews',
      summary: "A module's reviews, newest first",
      params: z.object({ module_id: ModuleIdParam }),
      query: z.object({
        page: z.coerce.number().int().min(1).max(100_000).default(1),
        per_page: z.coerce.number().int().min(1).max(100).default(20),
      }),
    },
    async (c, { params, query }) => {
      const { reviews, total } = await listReviews(mdeps.db, params.module_id, query.page, query.per_page);
      return ok(c, reviews, 200, pageMeta(query.page, query.per_page, total));
    },
  );
}
