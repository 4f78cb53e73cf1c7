import { ValidationError, type AppEnv } from '@waddlebot/core';
import type { MiddlewareHandler } from 'hono';

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Postgres `text` refuses U+0000 and `jsonb` refuses escaped unpaired surrogates; either would
 * fail as a 500 after partial work. Platforms never send them, so they are refused up front.
 */
function unstorable(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (UNPAIRED_SURROGATE.test(text)) return 'must be well-formed Unicode text';
  return null;
}

const UNPAIRED_SURROGATES = new RegExp(UNPAIRED_SURROGATE.source, 'g');

/**
 * A copy of a JSON value the database can store: NUL removed, unpaired surrogates replaced by
 * U+FFFD. For answers the router must keep rather than refuse (a module's reply).
 */
export function toStorableText<T>(value: T): T {
  if (typeof value === 'string')
    return value.replaceAll('\u0000', '').replace(UNPAIRED_SURROGATES, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map((v: unknown) => toStorableText(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [toStorableText(k), toStorableText(v)]),
    ) as T;
  }
  return value;
}

export interface TextProblem {
  path: string;
  message: string;
}

/** The first string (or key) in a JSON value that the database cannot store, with its dotted path. */
export function findUnstorableText(value: unknown, path: string[] = []): TextProblem | null {
  if (typeof value === 'string') {
    const message = unstorable(value);
    return message ? { path: path.join('.'), message } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorableText(value[i], [...path, String(i)]);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyProblem = unstorable(k);
      if (keyProblem) return { path: [...path, k].join('.'), message: keyProblem };
      const hit = findUnstorableText(v, [...path, k]);
      if (hit) return hit;
    }
  }
  return null;
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Refuses requests whose JSON body, query parameters or path carry text the database cannot
 * store, with 400 before any handler reads them.
 */
export function rejectUnstorableText(): MiddlewareHandler<AppEnv> {
  return async function textGuard(c, next) {
    const path = unstorable(percentDecoded(c.req.path));
    if (path) throw new ValidationError('Validation failed', [{ path: 'path', message: path }]);
    const query = findUnstorableText(c.req.query());
    if (query) throw new ValidationError('Validation failed', [query]);
    if (c.req.method === 'GET' || !(c.req.header('Content-Type') ?? '').includes('json')) return next();
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return next(); // the handler's readJson answers malformed JSON
    }
    const problem = findUnstorableText(body);
    if (problem) throw new ValidationError('Validation failed', [problem]);
    return next();
  };
}
