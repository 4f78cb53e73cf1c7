import type { Context, MiddlewareHandler } from 'hono';
import { HeaderAPIKeyStrategy as HeaderApiKeyStrategy } from 'passport-headerapikey';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import type { Strategy } from 'passport-strategy';
import type { AppEnv } from '../http/app.js';
import { AuthRequiredError, InvalidApiKeyError } from '../http/errors.js';
import type { Logger } from '../log/index.js';
import type { AccessClaims } from './jwt.js';
import { secretsEqual, sha256Hex } from './keys.js';
import type { AuthContext, AuthKind } from './types.js';

/** Looks a hashed key up; null when unknown, inactive or expired. */
export type KeyLookup = (keyHash: string) => Promise<AuthContext | null>;

export interface AuthOptions {
  serviceApiKey: string;
  /** HS256 secret for identity-issued JWTs; JWTs are refused when unset. */
  jwtSecret?: string;
  /** `wbot_user_` keys (identity's user_api_keys, read-only). */
  userKeys?: KeyLookup;
  /** The router's external `wbot_` keys (service_accounts). */
  apiKeys?: KeyLookup;
  logger?: Logger;
  now?: () => Date;
}

type Outcome = { ok: true; auth: AuthContext } | { ok: false };

/** Runs a passport strategy against a header-only request and reports its verdict. */
function runStrategy(strategy: Strategy, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const s = Object.create(strategy) as Strategy & Record<string, unknown>;
    s.success = (user: AuthContext) => resolve({ ok: true, auth: user });
    s.fail = () => resolve({ ok: false });
    s.pass = () => resolve({ ok: false });
    s.redirect = () => resolve({ ok: false });
    s.error = (err: unknown) => reject(err);
    s.authenticate({ headers } as never, { session: false });
  });
}

const SERVICE_CONTEXT: Omit<AuthContext, 'kind'> = {
  user_id: null,
  username: null,
  email: null,
  roles: ['service'],
  permissions: ['*'],
};

/**
 * Passport strategies for the credentials of contracts §6 and core-and-admin §0.3, wired into
 * Hono. `require('service')` admits internal callers only; `require('service', 'jwt')` either.
 */
export function createAuth(opts: AuthOptions) {
  const serviceKey = new HeaderApiKeyStrategy(
    { header: 'X-Service-Key', prefix: '' },
    false,
    (key: string, done: (err: Error | null, user?: object) => void) =>
      done(null, secretsEqual(key, opts.serviceApiKey) ? { kind: 'service', ...SERVICE_CONTEXT } : undefined),
  );
  const lookupStrategy = (header: string, lookup: KeyLookup | undefined, kind: AuthKind) =>
    new HeaderApiKeyStrategy(
      { header, prefix: '' },
      false,
      (key: string, done: (err: Error | null, user?: object) => void) => {
        if (!lookup) return done(null, undefined);
        lookup(sha256Hex(key)).then(
          (ctx) => done(null, ctx ? { ...ctx, kind } : undefined),
          (err: Error) => done(err),
        );
      },
    );
  const userKey = lookupStrategy('X-API-Key', opts.userKeys, 'user_key');
  const apiKey = lookupStrategy('X-API-Key', opts.apiKeys, 'api_key');
  const bearerApiKey = lookupStrategy('X-Bearer-Key', opts.apiKeys, 'api_key');
  const jwtStrategy = opts.jwtSecret
    ? new JwtStrategy(
        {
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          secretOrKey: opts.jwtSecret,
          algorithms: ['HS256'],
          ...(opts.now
            ? { jsonWebTokenOptions: { clockTimestamp: Math.floor(opts.now().getTime() / 1000) } }
            : {}),
        },
        (claims: AccessClaims, done: (err: unknown, user?: AuthContext | false) => void) =>
          done(
            null,
            claims.type === 'access'
              ? {
                  kind: 'jwt',
                  user_id: String(claims.sub),
                  username: claims.username ?? null,
                  email: claims.email ?? null,
                  roles: claims.roles ?? [],
                  permissions: [],
                }
              : false,
          ),
      )
    : undefined;

  async function authenticate(c: Context, kinds: readonly AuthKind[]): Promise<AuthContext> {
    const bearer = c.req
      .header('Authorization')
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim();
    const svc = c.req.header('X-Service-Key');
    const xApiKey = c.req.header('X-API-Key');
    const attempts: { strategy: Strategy | undefined; headers: Record<string, string> }[] = [];
    if (bearer && kinds.includes('jwt') && !bearer.startsWith('wbot_'))
      attempts.push({ strategy: jwtStrategy, headers: { authorization: `Bearer ${bearer}` } });
    if (svc !== undefined && kinds.includes('service'))
      attempts.push({ strategy: serviceKey, headers: { 'x-service-key': svc } });
    if (xApiKey?.startsWith('wbot_user_') && kinds.includes('user_key'))
      attempts.push({ strategy: userKey, headers: { 'x-api-key': xApiKey } });
    else if (xApiKey && kinds.includes('api_key'))
      attempts.push({ strategy: apiKey, headers: { 'x-api-key': xApiKey } });
    if (bearer?.startsWith('wbot_user_') && kinds.includes('user_key'))
      attempts.push({ strategy: userKey, headers: { 'x-api-key': bearer } });
    else if (bearer?.startsWith('wbot_') && kinds.includes('api_key'))
      attempts.push({ strategy: bearerApiKey, headers: { 'x-bearer-key': bearer } });

    const presented =
      attempts.length > 0 || svc !== undefined || xApiKey !== undefined || bearer !== undefined;
    for (const attempt of attempts) {
      if (!attempt.strategy) continue;
      const outcome = await runStrategy(attempt.strategy, attempt.headers);
      if (outcome.ok) {
        opts.logger?.auth({
          action: `auth_${outcome.auth.kind}`,
          user: outcome.auth.user_id,
          result: 'SUCCESS',
          route: c.req.routePath,
        });
        return outcome.auth;
      }
    }
    opts.logger?.auth({ action: 'auth', result: 'UNAUTHORIZED', route: c.req.routePath, presented });
    throw presented ? new InvalidApiKeyError() : new AuthRequiredError();
  }

  return {
    authenticate,
    /** Middleware that admits the listed credential kinds and puts the AuthContext on `c.var.auth`. */
    require(...kinds: AuthKind[]): MiddlewareHandler<AppEnv> {
      return async function requireAuth(c, next) {
        c.set('auth', await authenticate(c, kinds));
        await next();
      };
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
