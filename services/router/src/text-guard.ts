import { ValidationError, type AppEnv } from '@waddlebot/core';
import type { MiddlewareHandler } from 'hono';

/** Dotted path of the first string (or key) containing U+0000, which Postgres text and jsonb refuse. */
export function findNul(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], [...path, String(i)]);
      if (hit !== null) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return [...path, k].join('.');
      const hit = findNul(v, [...path, k]);
      if (hit !== null) return hit;
    }
  }
  return null;
}

/**
 * Refuses JSON bodies carrying NUL characters with 400 before any handler stores them (they
 * would otherwise fail inside Postgres as a 500 after partial work).
 */
export function rejectNulCharacters(): MiddlewareHandler<AppEnv> {
  return async function nulGuard(c, next) {
    if (c.req.method === 'GET' || !(c.req.header('Content-Type') ?? '').includes('json')) return next();
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return next(); // the handler's readJson answers malformed JSON
    }
    const path = findNul(body);
    if (path !== null)
      throw new ValidationError('Validation failed', [{ path, message: 'must not contain NUL characters' }]);
    return next();
  };
}
