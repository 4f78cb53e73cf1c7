import { UserMergedSchema, defineService, limitBody, ok, readJson, type AppEnv } from '@waddlebot/core';
import { Hono } from 'hono';
import { routerConfig } from './config.js';
import type { RouterDB } from './db.js';
import { migrations } from './migrations/index.js';
import { internalOrigins } from './module-call.js';
import { rejectNulCharacters } from './nul-guard.js';
import { mergeEntityRoles } from './roles.js';
import { createRouterContext, subscribeInvalidations } from './router-context.js';
import type { RouterContext } from './router-deps.js';
import { mountAdminRoutes } from './routes/admin.js';
import { mountCatalogRoutes } from './routes/catalog.js';
import { mountCoordinationRoutes } from './routes/coordination.js';
import { documentRoutes } from './routes/openapi-docs.js';
import { mountEventRoutes } from './routes/events.js';
import { mountResponseRoutes } from './routes/responses.js';
import { mountStringRuleRoutes } from './routes/string-rules.js';
import { bootstrapAdminKey, createAccountAuth } from './service-accounts.js';
import { uidCacheKey } from './user-lookup.js';

const BATCH_BODY_LIMIT = 1024 * 1024;
const DEFAULT_BODY_LIMIT = 64 * 1024;

/** One context per app; `start` reuses the one `routes` built. */
const contexts = new WeakMap<object, RouterContext>();

export const service = defineService<typeof routerConfig, RouterDB>({
  name: 'router',
  config: routerConfig,
  migrations,
  requiresRedis: true,
  // The batch endpoint takes up to 1 MiB (§3.14); every other route keeps 64 KiB below.
  bodyLimitBytes: BATCH_BODY_LIMIT,
  routes(app, deps) {
    const ctx = createRouterContext(deps);
    contexts.set(deps, ctx);
    const internal = internalOrigins(deps.config);
    const caller = createAccountAuth(ctx);
    const svc = caller();
    const admin = caller('admin');
    const interaction = caller('interaction');

    const smallBody = limitBody(DEFAULT_BODY_LIMIT);
    app.use('*', async (c, next) =>
      c.req.path.endsWith('/router/events/batch') ? next() : smallBody(c, next),
    );

    const r = new Hono<AppEnv>();
    mountEventRoutes(r, ctx, svc, internal);
    mountResponseRoutes(r, ctx, {
      responses: caller('interaction', 'webhook'),
      readOne: caller('interaction', 'admin'),
      recent: admin,
      svc,
    });
    mountCatalogRoutes(r, ctx, { interaction, admin });
    mountStringRuleRoutes(r, ctx, admin);
    mountAdminRoutes(r, ctx, admin);
    mountCoordinationRoutes(r, ctx, { svc, read: admin });
    documentRoutes(app);
    app.route('/router', r);
    app.route('/api/v1/router', r);

    app.post('/internal/user-merged', deps.auth.require('service'), rejectNulCharacters(), async (c) => {
      const body = await readJson(c, UserMergedSchema);
      await deps.state.kv.del(...body.identities.map((i) => uidCacheKey(i.platform, i.platform_user_id)));
      const moved = await mergeEntityRoles(ctx, body.from_uid, body.into_uid);
      deps.logger.audit({
        action: 'user_merged',
        user: body.into_uid,
        result: 'SUCCESS',
        from_uid: body.from_uid,
        rows: moved,
      });
      return ok(c, { merged: true });
    });
  },
  async start(deps) {
    const ctx = contexts.get(deps);
    if (!ctx) return;
    await bootstrapAdminKey(ctx, deps.config.ROUTER_BOOTSTRAP_ADMIN_KEY);
    const unsubscribe = await subscribeInvalidations(ctx);
    return () => unsubscribe();
  },
});
