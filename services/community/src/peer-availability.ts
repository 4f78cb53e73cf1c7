import { ConnectionError, type HttpClient, type HttpResponse } from '@waddlebot/core';

export type PeerCall<T> =
  | { kind: 'answered'; response: HttpResponse<T> }
  /** Not deployed: connection refused (or circuit open), or the route itself is unknown. */
  | { kind: 'missing' }
  /** Deployed but did not answer in time. */
  | { kind: 'timeout' };

/** The error envelope's message, when the peer answered with one (contracts §5); safe to show. */
export function envelopeMessage(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === 'string' ? error.message : undefined;
}

/**
 * Calls another WaddleBot service that may not be deployed yet. Connection refused or a 404 for the
 * route itself (a generic "Not found", or no envelope at all) count as "missing", so
 * the chat user gets a clear "not available yet" instead of an error.
 */
export async function callPeer<T>(
  client: HttpClient,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 5000,
): Promise<PeerCall<T>> {
  let response: HttpResponse<T>;
  try {
    response = await client.request<T>(path, { method, body, retries: 1, timeoutMs });
  } catch (err) {
    if (err instanceof ConnectionError) return { kind: err.timedOut ? 'timeout' : 'missing' };
    throw err;
  }
  if (response.status === 404) {
    const message = envelopeMessage(response.body);
    if (!message || message === 'Not found') return { kind: 'missing' };
  }
  return { kind: 'answered', response };
}
