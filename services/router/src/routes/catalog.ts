import { EntityIdSchema, PlatformSchema, ok, z, type AppEnv } from '@waddlebot/core';
import type { Hono, MiddlewareHandler } from 'hono';
import { listCommands } from '../command-admin.js';
import { dbIdQuery } from '../db-limits.js';
import { metricsReport } from '../metrics-report.js';
import type { RouterContext } from '../router-deps.js';
import { parseQuery } from './responses.js';

const CommandsQuery = z.object({
  // Commands are platform-neutral; the parameter is accepted for the original clients.
  platform: PlatformSchema.optional(),
  prefix: z.enum(['!', '#']).optional(),
  entity_id: EntityIdSchema.optional(),
  community_id: dbIdQuery.optional(),
});

const EntitiesQuery = z.object({
  platform: PlatformSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

/** Read-outs for modules and admin tooling: commands, entities, JSON metrics. */
export function mountCatalogRoutes(
  r: Hono<AppEnv>,
  ctx: RouterContext,
  auth: { interaction: MiddlewareHandler<AppEnv>; admin: MiddlewareHandler<AppEnv> },
) {
  r.get('/commands', auth.interaction, async (c) =>
    ok(c, await listCommands(ctx, parseQuery(CommandsQuery, c.req.query()))),
  );
  r.get('/entities', auth.interaction, async (c) => {
    const q = parseQuery(EntitiesQuery, c.req.query());
    let query = ctx.db
      .selectFrom('entities')
      .select(['id', 'entity_id', 'platform', 'server_id', 'channel_id', 'owner', 'is_active', 'created_at'])
      .where('is_active', '=', true);
    if (q.platform) query = query.where('platform', '=', q.platform);
    const entities = await query.orderBy('id').limit(q.limit).execute();
    return ok(c, { entities, total: entities.length });
  });
  r.get('/metrics', auth.admin, async (c) => ok(c, await metricsReport(ctx)));
}
