import { ValidationError, type AppEnv, type AuthKind, type ServiceDeps } from '@waddlebot/core';
import type { Context, MiddlewareHandler } from 'hono';
import { recordKeyUse } from '../api-keys.js';
import { jwtUser } from '../accounts.js';
import type { IdentityDeps } from '../identity-deps.js';

/**
 * Admits the listed credential kinds; a user API key's use is counted here, because identity is
 * the only service that writes `user_api_keys` (platform.md §1.3).
 */
export function authenticated(
  deps: Pick<ServiceDeps, 'auth' | 'logger'>,
  idDeps: Pick<IdentityDeps, 'db' | 'clock'>,
  ...kinds: AuthKind[]
): MiddlewareHandler<AppEnv> {
  const requireAuth = deps.auth.require(...kinds);
  return async function authenticateAndCount(c, next) {
    await requireAuth(c, async () => {
      const auth = c.get('auth');
      if (auth.kind === 'user_key') {
        const presented =
          c.req.header('X-API-Key') ??
          c.req
            .header('Authorization')
            ?.replace(/^Bearer\s+/i, '')
            .trim();
        if (presented)
          await recordKeyUse(idDeps, presented).catch((err: unknown) =>
            deps.logger.warn('could not record key use', { err: (err as Error).message }),
          );
      }
      await next();
    });
  };
}

/** The (still active) user behind the JWT of a JWT-only route. */
export async function jwtCallerId(c: Context, deps: Pick<IdentityDeps, 'db'>): Promise<number> {
  return (await jwtUser(deps, (c.get('auth') as AppEnv['Variables']['auth']).user_id)).id;
}

/**
 * The user a `svc|jwt` call acts for: the JWT's (still active) user, or the `user_id` a trusted
 * service names (core-and-admin §0.3).
 */
export async function actingUserId(
  c: Context,
  deps: Pick<IdentityDeps, 'db'>,
  serviceNamedUserId: string | undefined,
): Promise<number> {
  const auth = c.get('auth') as AppEnv['Variables']['auth'];
  if (auth.kind !== 'service') return (await jwtUser(deps, auth.user_id)).id;
  if (!serviceNamedUserId)
    throw new ValidationError('Validation failed', [
      { path: 'user_id', message: 'required for service calls' },
    ]);
  return Number(serviceNamedUserId);
}
