import { ok, pageMeta, restRoute, z, type App, type AuthContext, type ServiceDeps } from '@waddlebot/core';
import type { Context, MiddlewareHandler } from 'hono';
import { assertMayReadCommunity, assertPlatformAdmin } from '../access.js';
import {
  ModuleCreateInput,
  ModuleUpdateInput,
  VersionInput,
  addVersion,
  createModule,
  deleteModule,
  updateModule,
} from '../catalogue-admin.js';
import type { MarketplaceDeps } from '../marketplace-deps.js';
import {
  SORTS,
  browseModules,
  listCategories,
  moduleDetails,
  moduleView,
  storefront,
  suggest,
} from '../modules.js';
import { findSubscription, paidAccess, subscriptionView } from '../subscriptions.js';
import { CommunityIdParam, ModuleIdParam, publicAccess } from './params.js';

const NoParams = z.object({});

/** Browse is public; a credential, when sent, must be valid and unlocks a community's access info. */
function optionalAuth(deps: ServiceDeps): MiddlewareHandler {
  return async function optionalAuth(c, next) {
    const presented =
      c.req.header('X-Service-Key') !== undefined || c.req.header('Authorization') !== undefined;
    if (presented) c.set('auth', await deps.auth.authenticate(c, ['service', 'jwt']));
    await next();
  };
}

/** Public catalogue (§6.3) and the platform-admin catalogue writes. */
export function mountCatalogueRoutes(app: App, deps: ServiceDeps, mdeps: MarketplaceDeps) {
  const db = mdeps.db;
  const admin = deps.auth.require('jwt', 'user_key');
  /** The audit line of a catalogue write a platform administrator made. */
  const auditCatalogueWrite = (c: Context, action: string, moduleId: string) =>
    mdeps.logger.audit({
      action,
      user: (c.get('auth') as AuthContext).user_id,
      result: 'SUCCESS',
      module_id: moduleId,
    });

  restRoute(
    app,
    publicAccess,
    {
      method: 'get',
      path: '/marketplace',
      summary: 'Storefront: featured, popular, recent, categories',
      params: NoParams,
    },
    async (c) => ok(c, await storefront(db)),
  );

  restRoute(
    app,
    optionalAuth(deps),
    {
      method: 'get',
      path: '/marketplace/browse',
      summary: 'Browse published modules',
      params: NoParams,
      query: z.object({
        category: z.string().max(50).optional(),
        search: z.string().max(200).optional(),
        sort: z.enum(SORTS).default('popular'),
        page: z.coerce.number().int().min(1).max(100_000).default(1),
        // §8.6: an oversized per_page is capped, not refused.
        per_page: z.coerce
          .number()
          .int()
          .min(1)
          .default(20)
          .transform((n) => Math.min(n, 50)),
        community_id: CommunityIdParam.optional(),
      }),
    },
    async (c, { query: q }) => {
      const auth = c.get('auth') as AuthContext | undefined;
      let sub: Awaited<ReturnType<typeof findSubscription>>;
      const withCommunity = q.community_id !== undefined && auth !== undefined;
      if (withCommunity) {
        await assertMayReadCommunity(mdeps, auth, q.community_id!);
        sub = await findSubscription(db, q.community_id!);
      }
      const now = mdeps.clock.now();
      const { rows, total } = await browseModules(db, {
        category: q.category || undefined,
        search: q.search?.trim() || undefined,
        sort: q.sort,
        page: q.page,
        perPage: q.per_page,
      });
      const modules = rows.map((m) => {
        const price = Number(m.price);
        if (!withCommunity && price > 0)
          return {
            ...moduleView(m),
            subscription_required: true,
            can_install: false,
            access_reason: 'community_required',
            access_message: 'Name a community (community_id) to see whether it can install this module',
          };
        const access = paidAccess(sub, price, now);
        return {
          ...moduleView(m),
          subscription_required: price > 0,
          can_install: access.allowed,
          access_reason: access.reason,
          ...(access.message ? { access_message: access.message } : {}),
        };
      });
      return ok(
        c,
        {
          modules,
          filters: { category: q.category ?? null, search: q.search ?? null, sort: q.sort },
          subscription_info: withCommunity ? subscriptionView(q.community_id!, sub, now).subscription : null,
        },
        200,
        pageMeta(q.page, q.per_page, total),
      );
    },
  );

  restRoute(
    app,
    publicAccess,
    {
      method: 'get',
      path: '/marketplace/module/{module_id}',
      summary: 'Module details with versions, commands and latest reviews',
      params: z.object({ module_id: ModuleIdParam }),
    },
    async (c, { params }) => ok(c, await moduleDetails(db, params.module_id)),
  );

  restRoute(
    app,
    publicAccess,
    {
      method: 'get',
      path: '/marketplace/categories',
      summary: 'Categories with module counts',
      params: NoParams,
    },
    async (c) => ok(c, { categories: await listCategories(db) }),
  );

  restRoute(
    app,
    publicAccess,
    {
      method: 'get',
      path: '/marketplace/search',
      summary: 'Search suggestions',
      params: NoParams,
      query: z.object({
        q: z.string().max(200).default(''),
        limit: z.coerce
          .number()
          .int()
          .min(1)
          .default(10)
          .transform((n) => Math.min(n, 20)),
      }),
    },
    async (c, { query }) => ok(c, { suggestions: await suggest(db, query.q, query.limit) }),
  );

  restRoute(
    app,
    admin,
    {
      method: 'post',
      path: '/marketplace/modules',
      summary: 'Add a module to the catalogue (platform administrator); unpublished',
      params: NoParams,
      body: ModuleCreateInput,
      status: 201,
    },
    async (c, { body }) => {
      await assertPlatformAdmin(mdeps, c.get('auth'));
      const created = await createModule(mdeps, body);
      auditCatalogueWrite(c, 'module_created', created.module_id);
      return ok(c, created, 201);
    },
  );

  restRoute(
    app,
    admin,
    {
      method: 'put',
      path: '/marketplace/modules/{module_id}',
      summary: 'Edit or (un)publish a module (platform administrator)',
      params: z.object({ module_id: ModuleIdParam }),
      body: ModuleUpdateInput,
    },
    async (c, { params, body }) => {
      await assertPlatformAdmin(mdeps, c.get('auth'));
      const res = await updateModule(mdeps, params.module_id, body);
      auditCatalogueWrite(c, 'module_updated', params.module_id);
      return ok(c, res);
    },
  );

  restRoute(
    app,
    admin,
    {
      method: 'delete',
      path: '/marketplace/modules/{module_id}',
      summary: 'Soft-delete a module (platform administrator); core modules stay',
      params: z.object({ module_id: ModuleIdParam }),
    },
    async (c, { params }) => {
      await assertPlatformAdmin(mdeps, c.get('auth'));
      const res = await deleteModule(mdeps, params.module_id);
      auditCatalogueWrite(c, 'module_deleted', params.module_id);
      return ok(c, res);
    },
  );

  restRoute(
    app,
    admin,
    {
      method: 'post',
      path: '/marketplace/modules/{module_id}/versions',
      summary: 'Publish a version of a module (platform administrator)',
      params: z.object({ module_id: ModuleIdParam }),
      body: VersionInput,
      status: 201,
    },
    async (c, { params, body }) => {
      await assertPlatformAdmin(mdeps, c.get('auth'));
      return ok(c, await addVersion(mdeps, params.module_id, body), 201);
    },
  );
}
