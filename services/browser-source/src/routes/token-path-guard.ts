import {
  AppError,
  errorBody,
  isDependencyDown,
  type AppEnv,
  type Auth,
  type AuthKind,
  type Logger,
} from '@waddlebot/core';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Overlay tokens sit in URL paths, and libs/core logs `c.req.path` on authentication and on 5xx
 * errors. Routes with a token in the path authenticate against the route pattern instead and
 * answer their own 5xx, so no token reaches a log line.
 */
export function requireOnTokenPath(
  auth: Auth,
  pattern: string,
  ...kinds: AuthKind[]
): MiddlewareHandler<AppEnv> {
  return async function requireAuthWithoutToken(c, next) {
    const redacted = { req: { header: (name: string) => c.req.header(name), path: pattern } };
    c.set('auth', await auth.authenticate(redacted as unknown as Context, kinds));
    await next();
  };
}

export function guardTokenPath<C extends Context = any>(
  logger: Logger,
  pattern: string,
  handler: (c: C) => Promise<Response>,
): (c: C) => Promise<any> {
  return async (c) => {
    try {
      return await handler(c);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) throw err;
      const requestId = c.get('requestId') as string;
      if (err instanceof AppError) {
        logger.error('request failed', { request_id: requestId, code: err.code, route: pattern });
        return c.json(errorBody(err.code, err.message, requestId), err.status as ContentfulStatusCode);
      }
      if (isDependencyDown(err)) {
        logger.error('dependency unavailable', { request_id: requestId, route: pattern });
        c.header('Retry-After', '5');
        return c.json(errorBody('SERVICE_UNAVAILABLE', 'Service temporarily unavailable', requestId), 503);
      }
      logger.error('unhandled error', { request_id: requestId, route: pattern, err });
      return c.json(errorBody('INTERNAL_ERROR', 'Internal server error', requestId), 500);
    }
  };
}
