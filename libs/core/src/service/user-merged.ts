import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../http/app.js';
import { ok } from '../http/envelope.js';
import { UserMergedSchema, type UserMerged } from '../contracts/index.js';
import type { ServiceDeps } from './define.js';

/**
 * `POST /internal/user-merged` (contracts §14): identity tells a service that one uid was merged
 * into another. `merge` re-keys the service's own rows and returns how many moved, for the audit.
 */
export function mountUserMergedRoute(
  app: App,
  deps: Pick<ServiceDeps, 'auth' | 'logger'>,
  merge: (m: UserMerged) => Promise<number>,
) {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/internal/user-merged',
      middleware: [deps.auth.require('service')] as const,
      request: { body: { required: true, content: { 'application/json': { schema: UserMergedSchema } } } },
      responses: {
        200: {
          description: 'merged',
          content: {
            'application/json': {
              schema: z.object({ success: z.literal(true), data: z.object({ merged: z.literal(true) }) }),
            },
          },
        },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const moved = await merge(body);
      deps.logger.audit({
        action: 'user_merged',
        user: body.into_uid,
        result: 'SUCCESS',
        from_uid: body.from_uid,
        rows: moved,
      });
      return ok(c, { merged: true as const }) as never;
    },
  );
}
