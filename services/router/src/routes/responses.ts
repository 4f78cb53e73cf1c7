import {
  AsyncModuleResponseSchema,
  OutboundMessageSchema,
  RESPONSE_ACTIONS,
  ValidationError,
  ok,
  readJson,
  z,
  type AppEnv,
} from '@waddlebot/core';
import type { Hono, MiddlewareHandler } from 'hono';
import { acceptAsyncResponse, isUuid, recentResponses, responsesOf } from '../async-responses.js';
import { sendOutbound } from '../outbound.js';
import type { RouterContext } from '../router-deps.js';

/** The async ModuleResponse; `module_name` is stored in a varchar(128) (§3.18). */
export const AsyncResponseBody = AsyncModuleResponseSchema.extend({
  module_name: z.string().min(1).max(128),
});

const RecentQuery = z.object({
  module_name: z.string().max(128).optional(),
  response_action: z.enum(RESPONSE_ACTIONS).optional(),
  success_only: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    throw new ValidationError(
      'Validation failed',
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

export function mountResponseRoutes(
  r: Hono<AppEnv>,
  ctx: RouterContext,
  auth: {
    responses: MiddlewareHandler<AppEnv>;
    readOne: MiddlewareHandler<AppEnv>;
    recent: MiddlewareHandler<AppEnv>;
    svc: MiddlewareHandler<AppEnv>;
  },
) {
  r.post('/responses', auth.responses, async (c) => {
    const body = await readJson(c, AsyncResponseBody);
    return c.json(await acceptAsyncResponse(ctx, body), 200);
  });
  // `/recent` is registered before `/:execution_id` so it is not taken for an id.
  r.get('/responses/recent', auth.recent, async (c) => {
    const q = parseQuery(RecentQuery, c.req.query());
    return ok(c, await recentResponses(ctx, q));
  });
  r.get('/responses/:execution_id', auth.readOne, async (c) => {
    const id = c.req.param('execution_id');
    if (!isUuid(id))
      throw new ValidationError('Validation failed', [{ path: 'execution_id', message: 'must be a UUID' }]);
    return ok(c, await responsesOf(ctx, id));
  });
  r.post('/messages/outbound', auth.svc, async (c) => {
    const body = await readJson(c, OutboundMessageSchema);
    return c.json(await sendOutbound(ctx, body), 200);
  });
}
