import { createRoute, z } from '@hono/zod-openapi';
import { UserMergedSchema, ok, type App, type ServiceDeps, type UserMerged } from '@waddlebot/core';

/** `POST /internal/user-merged` (contracts §14): identity tells us a uid was merged into another. */
export function mountUserMergedRoute(app: App, deps: ServiceDeps, merge: (m: UserMerged) => Promise<number>) {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/internal/user-merged',
      middleware: [deps.auth.require('service')] as const,
      request: { body: { content: { 'application/json': { schema: UserMergedSchema } } } },
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
