import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '../log/index.js';
import type { RateLimiter } from '../state/types.js';
import type { AppEnv } from './app.js';
import { RateLimitedError } from './errors.js';

export interface RateLimitOptions {
  limiter: RateLimiter;
  perMinute: number;
  /** The caller: the authenticated user key when known, else the client address. */
  keyOf?: (c: Context<AppEnv>) => string;
  logger?: Logger;
}

function clientAddress(c: Context<AppEnv>): string {
  return c.req.header('X-Forwarded-For')?.split(',')[0]?.trim() || c.req.header('X-Real-IP') || 'unknown';
}

/**
 * `rate_limit:<user key or client IP>:<route>` in a 60 s sliding window (platform.md §1.6);
 * over the limit → 429 RATE_LIMITED with Retry-After and an AUTHZ log line.
 */
export function rateLimit(opts: RateLimitOptions): MiddlewareHandler<AppEnv> {
  return async function limitRate(c, next) {
    const who = opts.keyOf?.(c) ?? c.get('auth')?.user_id ?? clientAddress(c);
    const decision = await opts.limiter.hit(`rate_limit:${who}:${c.req.routePath}`, opts.perMinute, 60);
    if (!decision.allowed) {
      opts.logger?.authz({ action: 'rate_limit', user: who, result: 'DENIED', route: c.req.routePath });
      throw new RateLimitedError(decision.retryAfterSeconds);
    }
    await next();
  };
}
