import { EntityIdSchema, ok, readJson, ValidationError, z, type AppEnv } from '@waddlebot/core';
import type { Hono, MiddlewareHandler } from 'hono';
import type { RouterContext } from '../router-deps.js';
import {
  RuleCreateSchema,
  RuleUpdateSchema,
  createRule,
  deactivateRule,
  listRules,
  updateRule,
} from '../string-rule-store.js';
import { parseQuery } from './responses.js';

export function idParam(raw: string, name = 'id'): number {
  const n = Number(raw);
  if (!/^\d{1,9}$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new ValidationError('Validation failed', [{ path: name, message: 'must be a positive integer' }]);
  }
  return n;
}

/** §3.9 string rule management (svc or admin key). */
export function mountStringRuleRoutes(r: Hono<AppEnv>, ctx: RouterContext, admin: MiddlewareHandler<AppEnv>) {
  r.get('/string-rules', admin, async (c) => {
    const q = parseQuery(z.object({ entity_id: EntityIdSchema.optional() }), c.req.query());
    return ok(c, await listRules(ctx, q.entity_id));
  });
  r.post('/string-rules', admin, async (c) =>
    ok(c, await createRule(ctx, await readJson(c, RuleCreateSchema)), 201),
  );
  r.put('/string-rules/:id', admin, async (c) => {
    const id = idParam(c.req.param('id'));
    return ok(c, await updateRule(ctx, id, await readJson(c, RuleUpdateSchema)));
  });
  r.delete('/string-rules/:id', admin, async (c) =>
    ok(c, await deactivateRule(ctx, idParam(c.req.param('id')))),
  );
}
