import type { HttpClient, HttpResponse, RequestOptions } from '../clients/http.js';
import { UpstreamError } from '../http/errors.js';

/** Longest a receiver waits on one platform 429 before trying again. */
const MAX_WAIT_MS = 60_000;

/**
 * How long a platform asked us to wait: Discord's JSON `retry_after` (seconds, fractional),
 * `Retry-After` (seconds; Slack, Discord), or Twitch's `Ratelimit-Reset` (epoch seconds).
 */
export function retryAfterMs(res: Pick<HttpResponse, 'headers' | 'body'>, nowMs = Date.now()): number {
  const body = res.body as { retry_after?: unknown } | null;
  if (body && typeof body === 'object' && typeof body.retry_after === 'number' && body.retry_after >= 0) {
    return Math.min(Math.ceil(body.retry_after * 1000), MAX_WAIT_MS);
  }
  const header = Number(res.headers.get('retry-after'));
  if (res.headers.get('retry-after') !== null && Number.isFinite(header) && header >= 0)
    return Math.min(header * 1000, MAX_WAIT_MS);
  const reset = Number(res.headers.get('ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.min(Math.max(0, reset * 1000 - nowMs), MAX_WAIT_MS);
  return 1000;
}

/**
 * One platform API call that honours `429` and its wait hint, at most `maxRetries` more times
 * (router-and-receivers §4.1 step 7). Other statuses are returned as they are: a chat post that
 * failed with 5xx may have been delivered, so it is not repeated. A platform that cannot be
 * reached (connection error, timeout, open circuit) is a 502 `UpstreamError` saying `unreachable`.
 */
export async function platformRequest<T = unknown>(
  client: HttpClient,
  path: string,
  opts: RequestOptions = {},
  policy: { unreachable?: string; maxRetries?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<HttpResponse<T>> {
  const maxRetries = policy.maxRetries ?? 2;
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    let res: HttpResponse<T>;
    try {
      res = await client.request<T>(path, { ...opts, retries: 0 });
    } catch {
      throw new UpstreamError(policy.unreachable ?? 'Platform API unreachable');
    }
    if (res.status !== 429 || attempt >= maxRetries) return res;
    await sleep(retryAfterMs(res));
  }
}
