import type { Context, MiddlewareHandler } from 'hono';
import { ServiceUnavailableError, ValidationError } from '../http/errors.js';
import type { ReadinessCheck } from '../http/app.js';

/** The request body exactly as received: signatures are over these bytes, never a re-serialisation. */
export async function readRawBody(c: Context): Promise<Buffer> {
  return Buffer.from(await c.req.arrayBuffer());
}

/** Parses JSON from verified bytes; undefined when it is not JSON (the route answers 400). */
export function parseJsonBytes(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A verified platform payload that cannot be used: 400 VALIDATION_ERROR naming the field (§4.2). */
export function invalidPayload(path: string, message: string): ValidationError {
  return new ValidationError('Validation failed', [{ path, message }]);
}

/** The JSON object in verified bytes; 400 VALIDATION_ERROR (at `path`) when they hold anything else. */
export function parseJsonObject(raw: Buffer | string, path = ''): Record<string, any> {
  const parsed = parseJsonBytes(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw invalidPayload(path, parsed === undefined ? 'Malformed JSON' : 'Expected a JSON object');
  return parsed as Record<string, any>;
}

/** A signed timestamp inside the replay window: not older than `maxAgeSeconds`, not further ahead than `maxFutureSeconds`. */
export function withinReplayWindow(
  timestampMs: number,
  nowMs: number,
  maxAgeSeconds: number,
  maxFutureSeconds: number,
): boolean {
  if (!Number.isFinite(timestampMs)) return false;
  return nowMs - timestampMs <= maxAgeSeconds * 1000 && timestampMs - nowMs <= maxFutureSeconds * 1000;
}

/** Seconds-since-epoch header (Slack, Discord) as milliseconds; NaN when it is not a plain integer. */
export function epochSecondsHeader(value: string | undefined): number {
  return value !== undefined && /^\d{1,12}$/.test(value) ? Number(value) * 1000 : NaN;
}

/**
 * Contracts §17.4: a receiver without its platform credentials starts, shows
 * `"platform":"not_configured"` in /readyz and answers its webhook routes 503 naming what to set.
 */
export function platformReadiness(missing: () => string[]): ReadinessCheck {
  return {
    name: 'platform',
    required: false,
    run: async () => (missing().length > 0 ? 'not_configured' : 'ok'),
  };
}

export function notConfiguredError(platform: string, missing: string[]): ServiceUnavailableError {
  return new ServiceUnavailableError(`${platform} is not configured: set ${missing.join(', ')}`);
}

/** Refuses a route while any named variable is unset, before the request is read. */
export function requirePlatformConfig(platform: string, missing: () => string[]): MiddlewareHandler {
  return async function platformConfigured(_c, next) {
    const absent = missing();
    if (absent.length > 0) throw notConfiguredError(platform, absent);
    await next();
  };
}
