import { defineService, limitBody, mountUserMergedRoute, type AppEnv } from '@waddlebot/core';
import { Hono } from 'hono';
import { routerConfig } from './config.js';
import type { RouterDB } from './db.js';
import { OPTIONAL_DEPENDENCIES, type OptionalDependency } from './dependency-watch.js';
import { migrations } from './migrations/index.js';
import { internalOrigins } from './module-call.js';
import { mergeUser } from './roles.js';
import { createRouterContext, subscribeInvalidations } from './router-context.js';
import type { RouterContext, RouterServiceDeps } from './router-deps.js';
import { mountAdminRoutes } from './routes/admin.js';
import { mountCatalogRoutes } from './routes/catalog.js';
import { mountCoordinationRoutes } from './routes/coordination.js';
import { documentRoutes } from './routes/openapi-docs.js';
import { mountEventRoutes } from './routes/events.js';
import { mountResponseRoutes } from './routes/responses.js';
import { mountStringRuleRoutes } from './routes/string-rules.js';
import { bootstrapAdminKey, createAccountAuth } from './service-accounts.js';

const BATCH_BODY_LIMIT = 1024 * 1024;
const DEFAULT_BODY_LIMIT = 64 * 1024;

/** One context per app, shared by its readiness checks, routes and start-up. */
const contexts = new WeakMap<object, RouterContext>();

function contextOf(deps: RouterServiceDeps): RouterContext {
  let ctx = contexts.get(deps);
  if (!ctx) {
    ctx = createRouterContext(deps);
    contexts.set(deps, ctx);
  }
  return ctx;
}

export const service = defineService<typeof routerConfig, RouterDB>({
  name: 'router',
  config: routerConfig,
  migrations,
  requiresRedis: true,
  // The batch endpoint takes up to 1 MiB (§3.14); every other route keeps 64 KiB below.
  bodyLimitBytes: BATCH_BODY_LIMIT,
  // Optional services never fail readiness; one that is down shows as `degraded` (contracts §15).
  readiness: (deps) =>
    (Object.keys(OPTIONAL_DEPENDENCIES) as OptionalDependency[]).map((name) => ({
      name,
      required: false,
      run: async () => (contextOf(deps).dependencies.isDown(name) ? 'error' : 'ok'),
    })),
  routes(app, deps) {
    const ctx = contextOf(deps);
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

    mountUserMergedRoute(app, deps, (merge) => mergeUser(ctx, merge));
  },
  async start(deps) {
    const ctx = contextOf(deps);
    await bootstrapAdminKey(ctx, deps.config.ROUTER_BOOTSTRAP_ADMIN_KEY);
    const unsubscribe = await subscribeInvalidations(ctx);
    return () => unsubscribe();
  },
});
