import { ConnectionError, type Clock, type Logger, type ServiceClientFactory } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { IdentityDB, IdentityDb } from './db.js';

export interface MergedIdentity {
  platform: string;
  platform_user_id: string;
}

export interface MergeNotifier {
  /** Stores one notification per subscriber inside the merge's transaction (at least once, §3.6). */
  record(
    trx: IdentityDb,
    merge: { fromUid: string; intoUid: string; identities: MergedIdentity[] },
    at: Date,
  ): Promise<void>;
  /** Delivers what is due now, retrying a few times in-process before leaving it to the poller. */
  kick(): void;
  /** One pass over due notifications; returns how many were attempted. */
  deliverDue(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

const MAX_BACKOFF_SECONDS = 3600;
const BATCH = 100;

/**
 * The outbox of contracts §14: `POST ${<NAME>_URL}/internal/user-merged` to every configured
 * subscriber until it answers 2xx, with exponential back-off on the injectable clock.
 */
export function createMergeNotifier(opts: {
  db: Kysely<IdentityDB>;
  clock: Clock;
  logger: Logger;
  serviceClient: ServiceClientFactory;
  subscribers: readonly string[];
  quickRetryDelaysMs: readonly number[];
  backoffSeconds: number;
  pollIntervalMs: number;
}): MergeNotifier {
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let running: Promise<number> | undefined;
  const kicks = new Set<Promise<void>>();

  async function attemptOne(row: {
    id: number;
    from_uid: string;
    into_uid: string;
    identities: unknown;
    subscriber: string;
    attempts: number;
  }): Promise<boolean> {
    let error: string | null = null;
    try {
      const res = await opts
        .serviceClient(row.subscriber)
        .post(
          '/internal/user-merged',
          { from_uid: row.from_uid, into_uid: row.into_uid, identities: row.identities },
          { retries: 0, timeoutMs: 10_000 },
        );
      if (!res.ok) error = `subscriber answered ${res.status}`;
    } catch (err) {
      error = err instanceof ConnectionError ? 'subscriber unreachable' : 'request failed';
    }
    const now = opts.clock.now();
    if (error === null) {
      await opts.db
        .updateTable('user_merge_notifications')
        .set({ status: 'delivered', delivered_at: now, attempts: row.attempts + 1, last_error: null })
        .where('id', '=', row.id)
        .execute();
      opts.logger.system('merge notification delivered', {
        action: 'user_merge_notify',
        result: 'SUCCESS',
        subscriber: row.subscriber,
        user: row.into_uid,
      });
      return true;
    }
    const delay = Math.min(opts.backoffSeconds * 2 ** row.attempts, MAX_BACKOFF_SECONDS);
    await opts.db
      .updateTable('user_merge_notifications')
      .set({
        attempts: row.attempts + 1,
        last_error: error,
        next_attempt_at: new Date(now.getTime() + delay * 1000),
      })
      .where('id', '=', row.id)
      .execute();
    opts.logger.warn('merge notification failed; will retry', {
      subscriber: row.subscriber,
      attempts: row.attempts + 1,
      reason: error,
    });
    return false;
  }

  async function pass(): Promise<number> {
    const due = await opts.db
      .selectFrom('user_merge_notifications')
      .select(['id', 'from_uid', 'into_uid', 'identities', 'subscriber', 'attempts'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', opts.clock.now())
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of due) await attemptOne(row);
    return due.length;
  }

  function deliverDue(): Promise<number> {
    // One pass at a time per instance, so a row is never posted twice concurrently from here.
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }

  async function quickRetries(): Promise<void> {
    await deliverDue();
    for (const delay of opts.quickRetryDelaysMs) {
      const left = await opts.db
        .selectFrom('user_merge_notifications')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(left?.n ?? 0) === 0 || stopped) return;
      await new Promise((r) => setTimeout(r, delay).unref());
      // In-process retries do not wait for the clock-based back-off: they are the first, short tier.
      await opts.db
        .updateTable('user_merge_notifications')
        .set({ next_attempt_at: opts.clock.now() })
        .where('status', '=', 'pending')
        .where('attempts', '<=', opts.quickRetryDelaysMs.length)
        .execute();
      await deliverDue();
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      deliverDue()
        .catch((err: unknown) =>
          opts.logger.error('merge notification poll failed', { err: (err as Error).message }),
        )
        .finally(schedule);
    }, opts.pollIntervalMs);
    timer.unref();
  }

  return {
    async record(trx, merge, at) {
      if (opts.subscribers.length === 0) return;
      await trx
        .insertInto('user_merge_notifications')
        .values(
          opts.subscribers.map((subscriber) => ({
            from_uid: merge.fromUid,
            into_uid: merge.intoUid,
            identities: JSON.stringify(merge.identities),
            subscriber,
            status: 'pending',
            next_attempt_at: at,
            last_error: null,
            created_at: at,
            delivered_at: null,
          })),
        )
        .execute();
    },
    kick() {
      const p = quickRetries()
        .catch((err: unknown) =>
          opts.logger.error('merge notification failed', { err: (err as Error).message }),
        )
        .finally(() => kicks.delete(p));
      kicks.add(p);
    },
    deliverDue,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...kicks]);
      await running?.catch(() => undefined);
    },
  };
}
