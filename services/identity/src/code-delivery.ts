import { createOutboundDelivery, type HttpClient, type Logger, type Platform } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { IdentityDB } from './db.js';

export interface CodeMessage {
  verificationId: number;
  /** Part of the idempotency key: a resend is a new logical message. */
  resendCount: number;
  platform: Platform;
  userName: string;
  text: string;
}

export interface CodeSender {
  /** Hands the code to the router after the HTTP answer; the outcome lands in `delivery_status`. */
  enqueue(message: CodeMessage): void;
  /** Resolves when every delivery started so far has finished (shutdown, tests). */
  idle(): Promise<void>;
}

/**
 * Verification codes go out as a `dm` through the router (contracts §12, core-and-admin §3.2
 * step 4): `WHISPER_RETRY_ATTEMPTS` retries `WHISPER_RETRY_DELAY` apart with the same key; any 4xx
 * (404 = unknown target user) fails at once. The code itself is never logged.
 */
export function createCodeSender(opts: {
  db: Kysely<IdentityDB>;
  router: HttpClient;
  logger: Logger;
  retryAttempts: number;
  retryDelaySeconds: number;
}): CodeSender {
  const deliver = createOutboundDelivery({
    router: opts.router,
    logger: opts.logger,
    retryDelaysMs: Array.from({ length: opts.retryAttempts }, () => opts.retryDelaySeconds * 1000),
    timeoutMs: 10_000,
  });
  const inFlight = new Set<Promise<void>>();

  async function run(message: CodeMessage): Promise<void> {
    let status: 'sent' | 'failed';
    try {
      const result = await deliver({
        platform: message.platform,
        type: 'dm',
        user_name: message.userName,
        text: message.text.slice(0, 2000),
        module_name: 'identity',
        idempotency_key: `identity:verification:${message.verificationId}:${message.resendCount}`,
      });
      status = result.status;
      if (result.status === 'failed')
        opts.logger.warn('verification code not delivered', {
          verification_id: message.verificationId,
          reason: result.reason,
        });
    } catch (err) {
      status = 'failed';
      opts.logger.error('verification code delivery crashed', {
        verification_id: message.verificationId,
        err: (err as Error).message,
      });
    }
    // Only the send that belongs to the row's current code may write its outcome.
    await opts.db
      .updateTable('identity_verifications')
      .set({ delivery_status: status })
      .where('id', '=', message.verificationId)
      .where('resend_count', '=', message.resendCount)
      .execute();
  }

  return {
    enqueue(message) {
      const p = run(message)
        .catch((err: unknown) =>
          opts.logger.error('could not store delivery status', { err: (err as Error).message }),
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
