import { ConnectionError, type HttpClient } from '@waddlebot/core';

/** The answer of another WaddleBot service, sorted into what the portal can show. */
export type PeerResult<T> =
  | { kind: 'ok'; status: number; data: T; meta?: Record<string, unknown> }
  /** The service answered with an error envelope; `message` is its (safe) envelope message. */
  | { kind: 'error'; status: number; code: string; message: string; details?: unknown[] }
  /** Not deployed, not reachable, timed out, or the route itself is unknown. */
  | { kind: 'unavailable' };

export interface PeerCallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** The user's JWT: the call acts as that user instead of with the service key alone. */
  bearer?: string;
  timeoutMs: number;
}

/**
 * Calls a service that may be missing (marketplace is optional, others may be down): the page
 * shows a "not available" section instead of failing. Never throws for transport problems.
 */
export async function callPeer<T>(
  client: HttpClient,
  path: string,
  o: PeerCallOptions,
): Promise<PeerResult<T>> {
  let res;
  try {
    res = await client.request<unknown>(path, {
      method: o.method ?? 'GET',
      body: o.body,
      query: o.query,
      timeoutMs: o.timeoutMs,
      retries: o.method && o.method !== 'GET' ? 0 : 1,
      headers: o.bearer ? { Authorization: `Bearer ${o.bearer}` } : {},
    });
  } catch (err) {
    if (err instanceof ConnectionError) return { kind: 'unavailable' };
    throw err;
  }
  const body = res.body as {
    success?: boolean;
    data?: unknown;
    meta?: Record<string, unknown>;
    error?: { code?: unknown; message?: unknown; details?: unknown };
  } | null;
  if (res.ok && body && typeof body === 'object' && body.success === true)
    return { kind: 'ok', status: res.status, data: body.data as T, meta: body.meta };
  if (res.ok) return { kind: 'unavailable' };
  const error = body && typeof body === 'object' ? body.error : undefined;
  // A 404 without a specific message is an unknown route: the service (version) lacks it.
  if (res.status === 404 && (!error || error.message === 'Not found')) return { kind: 'unavailable' };
  if (!error || typeof error.message !== 'string') return { kind: 'unavailable' };
  return {
    kind: 'error',
    status: res.status,
    code: typeof error.code === 'string' ? error.code : 'UPSTREAM_ERROR',
    message: error.message,
    details: Array.isArray(error.details) ? error.details : undefined,
  };
}

/** First validation detail, for a friendlier form error ("email: Invalid email address"). */
export function errorText(r: Extract<PeerResult<unknown>, { kind: 'error' }>): string {
  const d = r.details?.[0] as { path?: unknown; message?: unknown } | undefined;
  if (r.code === 'VALIDATION_ERROR' && d && typeof d.message === 'string')
    return typeof d.path === 'string' && d.path
      ? `${r.message}: ${d.path}: ${d.message}`
      : `${r.message}: ${d.message}`;
  return r.message;
}
