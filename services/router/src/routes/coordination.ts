import { PlatformSchema, ok, readJson, z, type AppEnv } from '@waddlebot/core';
import type { Hono, MiddlewareHandler } from 'hono';
import {
  checkin,
  claim,
  listEntities,
  populate,
  release,
  releaseOffline,
  reportError,
  reportStatus,
  stats,
} from '../coordination.js';
import { INT4_MAX } from '../db-limits.js';
import type { RouterContext } from '../router-deps.js';
import { parseQuery } from './responses.js';

const container = z.string().min(1).max(256);
const entity = z.string().min(1).max(400);

/** §3.16: writes with the service key; reads also with an admin key. */
export function mountCoordinationRoutes(
  r: Hono<AppEnv>,
  ctx: RouterContext,
  auth: { svc: MiddlewareHandler<AppEnv>; read: MiddlewareHandler<AppEnv> },
) {
  const p = '/coordination';
  r.post(`${p}/claim`, auth.svc, async (c) => {
    const b = await readJson(
      c,
      z.object({
        platform: PlatformSchema,
        container_id: container,
        max_claims: z.number().int().min(1).max(100).default(5),
      }),
    );
    return ok(c, await claim(ctx, b.platform, b.container_id, b.max_claims));
  });
  r.post(`${p}/release`, auth.svc, async (c) => {
    const b = await readJson(
      c,
      z.object({ container_id: container, entity_ids: z.array(entity).max(1000).optional() }),
    );
    return ok(c, await release(ctx, b.container_id, b.entity_ids));
  });
  r.post(`${p}/checkin`, auth.svc, async (c) => {
    const b = await readJson(c, z.object({ container_id: container }));
    return ok(c, await checkin(ctx, b.container_id, true));
  });
  r.post(`${p}/heartbeat`, auth.svc, async (c) => {
    const b = await readJson(
      c,
      z.object({ container_id: container, extend_claims: z.boolean().default(true) }),
    );
    return ok(c, await checkin(ctx, b.container_id, b.extend_claims));
  });
  r.post(`${p}/status`, auth.svc, async (c) => {
    const b = await readJson(
      c,
      z.object({
        container_id: container,
        entity_id: entity,
        is_live: z.boolean().optional(),
        viewer_count: z.number().int().min(0).max(INT4_MAX).optional(),
        metadata: z.record(z.string(), z.unknown()).optional(),
        has_activity: z.boolean().optional(),
      }),
    );
    return ok(c, await reportStatus(ctx, b));
  });
  r.post(`${p}/error`, auth.svc, async (c) => {
    const b = await readJson(
      c,
      z.object({ container_id: container, entity_id: entity, error_message: z.string().max(2000) }),
    );
    return ok(c, await reportError(ctx, b));
  });
  r.post(`${p}/release-offline`, auth.svc, async (c) => {
    const b = await readJson(c, z.object({ container_id: container }));
    return ok(c, await releaseOffline(ctx, b.container_id));
  });
  r.post(`${p}/populate`, auth.svc, async (c) => {
    const b = await readJson(c, z.object({ platform: PlatformSchema }));
    return ok(c, await populate(ctx, b.platform));
  });
  r.get(`${p}/stats`, auth.read, async (c) => ok(c, await stats(ctx)));
  r.get(`${p}/entities`, auth.read, async (c) => {
    const q = parseQuery(
      z.object({
        platform: PlatformSchema.optional(),
        status: z.string().max(16).optional(),
        claimed_by: z.string().max(256).optional(),
        is_live: z
          .enum(['true', 'false'])
          .optional()
          .transform((v) => (v === undefined ? undefined : v === 'true')),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      c.req.query(),
    );
    return ok(c, await listEntities(ctx, q));
  });
}
