import { z } from 'zod';
import { ConnectionError, type HttpClient } from '../clients/http.js';
import type { OutboundMessage } from '../contracts/messages.js';
import type { Logger } from '../log/index.js';

/** Back-off between attempts of a proactive message (contracts §12): 1 s, 2 s, 4 s. */
export const DEFAULT_OUTBOUND_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000];

export type OutboundResult =
  | { status: 'sent'; duplicate: boolean; attempts: number }
  | { status: 'failed'; reason: string; attempts: number };

export interface OutboundDeliveryOptions {
  /** `serviceClient('router')`: carries X-Service-Key and the base URL from ROUTER_URL. */
  router: HttpClient;
  logger?: Logger;
  /** Wait before each retry; its length is the number of retries. Tests pass small values. */
  retryDelaysMs?: readonly number[];
  /** Per-attempt timeout; a timeout counts as retryable. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type OutboundDelivery = (message: OutboundMessage) => Promise<OutboundResult>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Posts a message no inbound event caused to `POST /router/messages/outbound`
 * (interaction-modules §1.5, contracts §12). Any 4xx fails at once; a 5xx, a timeout or a
 * connection error is retried with the same idempotency key, so a retry after a lost answer
 * cannot post twice.
 */
export function createOutboundDelivery(opts: OutboundDeliveryOptions): OutboundDelivery {
  const delays = opts.retryDelaysMs ?? DEFAULT_OUTBOUND_RETRY_DELAYS_MS;
  const sleep = opts.sleep ?? realSleep;
  return async (message) => {
    let reason = 'not attempted';
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await sleep(delays[attempt - 1]!);
      try {
        // The client's own retries are off: this loop owns the schedule of §12.
        const res = await opts.router.post<{ duplicate?: boolean }>('/router/messages/outbound', message, {
          retries: 0,
          timeoutMs: opts.timeoutMs,
        });
        if (res.ok) {
          return { status: 'sent', duplicate: res.body?.duplicate === true, attempts: attempt + 1 };
        }
        reason = `router answered ${res.status}`;
        if (res.status < 500) return { status: 'failed', reason, attempts: attempt + 1 };
      } catch (err) {
        if (!(err instanceof ConnectionError)) throw err;
        reason = err.timedOut ? 'router timed out' : 'router unreachable';
      }
      opts.logger?.warn('outbound delivery attempt failed', {
        idempotency_key: message.idempotency_key,
        attempt: attempt + 1,
        reason,
      });
    }
    return { status: 'failed', reason, attempts: delays.length + 1 };
  };
}

/** Parses `OUTBOUND_RETRY_DELAYS_MS`-style config (`"1000,2000,4000"`). */
export function parseRetryDelays(value: string): number[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (parts.some((n) => !Number.isInteger(n) || n < 0))
    throw new Error('retry delays must be non-negative integers');
  return parts;
}

/** Config var for the retry back-off, e.g. `OUTBOUND_RETRY_DELAYS_MS=1000,2000,4000`. */
export function retryDelaysVar(defaultValue: readonly number[] = DEFAULT_OUTBOUND_RETRY_DELAYS_MS) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return [...defaultValue];
      try {
        return parseRetryDelays(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected comma-separated milliseconds, got "${v}"` });
        return z.NEVER;
      }
    });
}
