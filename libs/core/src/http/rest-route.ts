import { createRoute, z } from '@hono/zod-openapi';
import type { App } from './app.js';
import type { Context, MiddlewareHandler } from 'hono';

const Envelope = z.object({ success: z.literal(true), data: z.unknown() });

export interface RestRouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style: `/api/v1/calendar/{community_id}/events`. */
  path: string;
  summary: string;
  params: P;
  query?: Q;
  body?: B;
  status?: 200 | 201;
}

export interface RestInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

/**
 * A REST route declared with its zod schemas, so `/openapi.json` documents it and bad input is
 * answered with `400 VALIDATION_ERROR` before the handler runs; `auth` runs first.
 */
export function restRoute<
  P extends z.ZodType,
  Q extends z.ZodType = z.ZodObject,
  B extends z.ZodType = z.ZodUndefined,
>(
  app: App,
  auth: MiddlewareHandler<any>,
  spec: RestRouteSpec<P, Q, B>,
  handler: (c: Context, input: RestInput<P, Q, B>) => Promise<Response>,
) {
  const status = spec.status ?? 200;
  const route = createRoute({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    middleware: [auth] as const,
    request: {
      params: spec.params as any,
      ...(spec.query ? { query: spec.query as any } : {}),
      ...(spec.body
        ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } }
        : {}),
    },
    responses: {
      [status]: { description: spec.summary, content: { 'application/json': { schema: Envelope } } },
    },
  });
  app.openapi(
    route as any,
    (async (c: any) =>
      handler(c, {
        params: c.req.valid('param'),
        query: spec.query ? c.req.valid('query') : {},
        body: spec.body ? c.req.valid('json') : undefined,
      })) as any,
  );
}
