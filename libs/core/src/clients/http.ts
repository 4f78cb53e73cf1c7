import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  BrokenCircuitError,
  type IPolicy,
} from 'cockatiel';
import { UpstreamError } from '../http/errors.js';
import type { Logger } from '../log/index.js';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface RequestOptions {
  method?: string;
  /** JSON body (serialised) or a raw string/URLSearchParams. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined | null>;
  timeoutMs?: number;
  /** Attempts after the first for connection errors, 429, 502 and 503. */
  retries?: number;
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  ok: boolean;
  headers: Headers;
  body: T;
  text: string;
}

/** Retrying is safe only where the request cannot have been processed: connection errors and these statuses. */
export const RETRYABLE_STATUS = new Set([429, 502, 503]);

class RetryableStatus extends Error {
  constructor(
    readonly response: HttpResponse,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`retryable status ${response.status}`);
  }
}

export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export interface HttpClientOptions {
  baseUrl: string;
  fetch?: FetchLike;
  timeoutMs: number;
  retries?: number;
  /** Headers on every request (X-Service-Key for internal clients, Client-Id for Helix…). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  logger?: Logger;
  /** Consecutive failures that open the circuit; 0 disables the breaker. */
  breakerThreshold?: number;
  breakerHalfOpenAfterMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

/**
 * An outbound HTTP client with an explicit timeout, retries only where safe (connection errors,
 * 429, 502, 503, with exponential back-off honouring Retry-After) and a circuit breaker.
 */
export function createHttpClient(opts: HttpClientOptions) {
  const doFetch = opts.fetch ?? fetch;
  const breaker =
    opts.breakerThreshold === 0
      ? undefined
      : circuitBreaker(
          handleWhen((e) => e instanceof ConnectionError || e instanceof RetryableStatus),
          {
            halfOpenAfter: opts.breakerHalfOpenAfterMs ?? 10_000,
            breaker: new ConsecutiveBreaker(opts.breakerThreshold ?? 5),
          },
        );

  function retryPolicy(attempts: number): IPolicy {
    const r = retry(
      handleWhen((e) => (e instanceof ConnectionError && !e.timedOut) || e instanceof RetryableStatus),
      {
        maxAttempts: attempts,
        backoff: new ExponentialBackoff({
          initialDelay: opts.backoffInitialMs ?? 200,
          maxDelay: opts.backoffMaxMs ?? 4000,
        }),
      },
    );
    return breaker ? wrap(r, breaker) : r;
  }

  async function attempt<T>(
    url: string,
    init: RequestInit,
    timeoutMs: number,
    outerSignal?: AbortSignal,
  ): Promise<HttpResponse<T>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const onAbort = () => controller.abort();
    outerSignal?.addEventListener('abort', onAbort);
    let res: Response;
    try {
      res = await doFetch(url, { ...init, signal: controller.signal });
    } catch (err) {
      throw new ConnectionError(
        controller.signal.aborted
          ? `timed out after ${timeoutMs} ms`
          : `connection failed: ${(err as Error).message}`,
        controller.signal.aborted,
      );
    } finally {
      clearTimeout(timer);
      outerSignal?.removeEventListener('abort', onAbort);
    }
    const text = await res.text().catch(() => '');
    let body: unknown = text;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const response: HttpResponse<T> = {
      status: res.status,
      ok: res.ok,
      headers: res.headers,
      body: body as T,
      text,
    };
    if (RETRYABLE_STATUS.has(res.status)) {
      const ra = Number(res.headers.get('retry-after'));
      throw new RetryableStatus(
        response,
        Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, 30_000) : undefined,
      );
    }
    return response;
  }

  async function request<T = unknown>(path: string, o: RequestOptions = {}): Promise<HttpResponse<T>> {
    const url = new URL(path.startsWith('http') ? path : `${opts.baseUrl}${path}`);
    for (const [k, v] of Object.entries(o.query ?? {}))
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    const base = typeof opts.headers === 'function' ? await opts.headers() : (opts.headers ?? {});
    const headers: Record<string, string> = { ...base, ...o.headers };
    let body: BodyInit | undefined;
    if (o.body !== undefined) {
      if (typeof o.body === 'string' || o.body instanceof URLSearchParams) body = o.body as BodyInit;
      else {
        body = JSON.stringify(o.body);
        headers['Content-Type'] ??= 'application/json';
      }
    }
    const init: RequestInit = { method: o.method ?? (body === undefined ? 'GET' : 'POST'), headers, body };
    const timeoutMs = o.timeoutMs ?? opts.timeoutMs;
    const attempts = o.retries ?? opts.retries ?? 2;
    try {
      return await retryPolicy(attempts).execute(() => attempt<T>(url.toString(), init, timeoutMs, o.signal));
    } catch (err) {
      // After the last retry a retryable status is still an answer the caller may want to read.
      if (err instanceof RetryableStatus) return err.response as HttpResponse<T>;
      if (err instanceof BrokenCircuitError) throw new ConnectionError(`circuit open for ${url.origin}`);
      throw err;
    }
  }

  return {
    request,
    get: <T = unknown>(path: string, o: Omit<RequestOptions, 'method' | 'body'> = {}) =>
      request<T>(path, { ...o, method: 'GET' }),
    post: <T = unknown>(path: string, body?: unknown, o: Omit<RequestOptions, 'method' | 'body'> = {}) =>
      request<T>(path, { ...o, method: 'POST', body }),
    put: <T = unknown>(path: string, body?: unknown, o: Omit<RequestOptions, 'method' | 'body'> = {}) =>
      request<T>(path, { ...o, method: 'PUT', body }),
    delete: <T = unknown>(path: string, o: Omit<RequestOptions, 'method'> = {}) =>
      request<T>(path, { ...o, method: 'DELETE' }),
    /** Like request, but non-2xx → UpstreamError and an envelope's `data` is unwrapped. */
    async json<T = unknown>(path: string, o: RequestOptions = {}): Promise<T> {
      let res: HttpResponse<any>;
      try {
        res = await request(path, o);
      } catch (err) {
        throw new UpstreamError(
          err instanceof ConnectionError ? 'Upstream service unreachable' : 'Upstream request failed',
        );
      }
      if (!res.ok) throw new UpstreamError(`Upstream answered ${res.status}`);
      const b = res.body;
      return (b && typeof b === 'object' && 'success' in b && 'data' in b ? b.data : b) as T;
    },
  };
}

export type HttpClient = ReturnType<typeof createHttpClient>;
