import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { ServiceMetrics } from '../http/metrics.js';
import type { Logger } from '../log/index.js';

/** Lifecycle of a scheduled row: claimed rows are `sending` until their outcome is written. */
export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export type JobOutcome = 'sent' | 'failed' | 'skipped';

/** The columns every scheduled table carries beside its own: `id`, the due time and these. */
export interface ClaimedJob {
  id: number;
  delivery_status: DeliveryStatus;
  claimed_at: Date | null;
  attempts: number;
  [column: string]: unknown;
}

export interface JobSchedulerOptions<Row extends ClaimedJob> {
  /** Kysely scoped to the owning service's schema. */
  db: Kysely<any>;
  table: string;
  /** The timestamptz column saying when a row is due. */
  dueColumn: string;
  clock: Clock;
  pollIntervalMs: number;
  logger: Logger;
  /** When given, outcomes are counted in `scheduled_deliveries_total{table,outcome}`. */
  metrics?: Pick<ServiceMetrics, 'counter'>;
  /** Rows claimed per poll. */
  batchSize?: number;
  /** A `sending` row claimed longer ago than this is claimed again (its claimer died). */
  reclaimAfterMs?: number;
  /**
   * Delivers one claimed row and says how it ended. Runs outside any transaction. `set` holds
   * extra columns to write with the outcome (e.g. `sent_at`).
   */
  deliver: (row: Row) => Promise<{ outcome: JobOutcome; set?: Record<string, unknown> }>;
  /** Runs after the outcome was written (e.g. inserting the next occurrence of a recurring row). */
  afterOutcome?: (row: Row, outcome: JobOutcome) => Promise<void>;
}

export interface JobScheduler {
  /** One poll: claim due rows, deliver them, write outcomes. Returns how many rows it handled. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

const FIVE_MINUTES = 5 * 60_000;

/**
 * A poller over a Postgres table that delivers each due row once, also with several replicas:
 * a short transaction claims rows with `FOR UPDATE SKIP LOCKED` and marks them `sending` before
 * any network call, so no transaction stays open across retries (on the embedded PGlite an open
 * transaction stalls every service of the process) and rows survive a restart in the table.
 */
export function createJobScheduler<Row extends ClaimedJob>(opts: JobSchedulerOptions<Row>): JobScheduler {
  const batchSize = opts.batchSize ?? 50;
  const reclaimAfterMs = opts.reclaimAfterMs ?? FIVE_MINUTES;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;
  const outcomes = opts.metrics?.counter('scheduled_deliveries_total', 'Scheduled rows by final outcome', [
    'table',
    'outcome',
  ]);

  async function claim(): Promise<Row[]> {
    const now = opts.clock.now();
    const staleBefore = new Date(now.getTime() - reclaimAfterMs);
    return opts.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom(opts.table)
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('delivery_status', '=', 'pending'), eb(opts.dueColumn, '<=', now)]),
            eb.and([eb('delivery_status', '=', 'sending'), eb('claimed_at', '<', staleBefore)]),
          ]),
        )
        .orderBy(opts.dueColumn)
        .orderBy('id')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      const rows = await trx
        .updateTable(opts.table)
        .set({ delivery_status: 'sending', claimed_at: now, attempts: sql`attempts + 1` })
        .where(
          'id',
          'in',
          due.map((r) => r.id),
        )
        .returningAll()
        .execute();
      return (rows as Row[]).sort((a, b) => Number(a.id) - Number(b.id));
    });
  }

  async function finish(row: Row, outcome: JobOutcome, set: Record<string, unknown> = {}) {
    await opts.db
      .updateTable(opts.table)
      .set({ ...set, delivery_status: outcome })
      .where('id', '=', row.id)
      .where('delivery_status', '=', 'sending')
      .execute();
    await opts.afterOutcome?.(row, outcome);
  }

  async function poll(): Promise<number> {
    const rows = await claim();
    for (const row of rows) {
      try {
        const { outcome, set } = await opts.deliver(row);
        await finish(row, outcome, set);
        outcomes?.inc({ table: opts.table, outcome });
        opts.logger.system('scheduled delivery', {
          action: `${opts.table}_deliver`,
          result: outcome === 'failed' ? 'FAILURE' : 'SUCCESS',
          outcome,
          row_id: row.id,
        });
      } catch (err) {
        // The row stays `sending` and is claimed again after reclaimAfterMs; the idempotency
        // key makes that second delivery safe.
        opts.logger.error('scheduled delivery crashed', { err, table: opts.table, row_id: row.id });
      }
    }
    return rows.length;
  }

  function runOnce(): Promise<number> {
    // One poll at a time per instance; a slow delivery delays the next poll instead of overlapping it.
    running ??= poll().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((err) => opts.logger.error('scheduler poll failed', { err, table: opts.table }))
        .finally(schedule);
    }, opts.pollIntervalMs);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
