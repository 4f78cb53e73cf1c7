import type { Kysely } from 'kysely';
import type { HttpClient } from '../clients/http.js';
import type { Clock } from '../clock.js';
import { parseEntityId } from '../contracts/ids.js';
import type { ServiceMetrics } from '../http/metrics.js';
import type { Logger } from '../log/index.js';
import { createJobScheduler, type ClaimedJob, type JobOutcome, type JobScheduler } from './job-scheduler.js';
import { createOutboundDelivery, type OutboundDelivery } from './outbound-delivery.js';

/** What a due row posts to its channel, or why it is not posted after all. */
export type ReminderPost = { entityId: string; text: string } | { skip: string };

/** Thrown by a delivery when the router could not be reached at all; the row stays claimed. */
export class RouterUnreachableError extends Error {
  constructor(readonly rowId: number) {
    super(`router unreachable while posting row ${rowId}`);
    this.name = 'RouterUnreachableError';
  }
}

export interface ChatReminderSchedulerOptions<Row extends ClaimedJob> {
  /** The posting service's name: `module_name` and the prefix of `<module>:reminder:<id>`. */
  moduleName: string;
  /** Kysely scoped to the service's schema. */
  db: Kysely<any>;
  clock: Clock;
  logger: Logger;
  metrics?: Pick<ServiceMetrics, 'counter'>;
  /** `serviceClient('router')`. */
  router: HttpClient;
  retryDelaysMs?: readonly number[];
  pollIntervalMs: number;
  table: string;
  dueColumn: string;
  /** A `sending` row older than this is claimed again (its claimer died, or the router was down). */
  reclaimAfterMs?: number;
  /** Reads one claimed row just before posting: where and what, or why not (cancelled, stale). */
  compose: (row: Row, now: Date) => Promise<ReminderPost>;
  /** Columns written beside `delivery_status='sent'` (e.g. `{ sent: true, sent_at: now }`). */
  sentColumns: (now: Date) => Record<string, unknown>;
  afterOutcome?: (row: Row, outcome: JobOutcome) => Promise<void>;
  /** Replaces the router delivery (tests). */
  send?: OutboundDelivery;
}

/**
 * The delivery step of a reminder table (interaction-modules §1.5): posts the composed text as a
 * `chat` outbound message with the key `<module>:reminder:<row id>`. A 4xx, or a 5xx/timeout that
 * outlasts the retries, fails the row for good. A router that cannot be reached at all (down, or
 * its circuit open) does not lose the reminder: the row stays claimed and a later poll posts it
 * once the claim is stale, until the module's own overdue rule skips it.
 */
export function chatReminderDelivery<Row extends ClaimedJob>(
  opts: Pick<
    ChatReminderSchedulerOptions<Row>,
    'moduleName' | 'clock' | 'logger' | 'compose' | 'sentColumns'
  >,
  send: OutboundDelivery,
) {
  return async (row: Row): Promise<{ outcome: JobOutcome; set?: Record<string, unknown> }> => {
    const post = await opts.compose(row, opts.clock.now());
    if ('skip' in post) {
      opts.logger.info('reminder skipped', { row_id: row.id, reason: post.skip });
      return { outcome: 'skipped' };
    }
    const platform = parseEntityId(post.entityId)?.platform;
    if (!platform) {
      opts.logger.warn('reminder has no valid entity', { row_id: row.id });
      return { outcome: 'failed' };
    }
    const result = await send({
      platform,
      type: 'chat',
      entity_id: post.entityId,
      text: post.text.slice(0, 2000),
      module_name: opts.moduleName,
      idempotency_key: `${opts.moduleName}:reminder:${row.id}`,
    });
    if (result.status === 'sent') return { outcome: 'sent', set: opts.sentColumns(opts.clock.now()) };
    if (result.reason === UNREACHABLE) throw new RouterUnreachableError(Number(row.id));
    opts.logger.warn('reminder delivery failed', { row_id: row.id, reason: result.reason });
    return { outcome: 'failed' };
  };
}

/** The reason createOutboundDelivery gives when no attempt reached the router. */
const UNREACHABLE = 'router unreachable';

/** A polling scheduler that posts a reminder table's due rows to chat through the router. */
export function createChatReminderScheduler<Row extends ClaimedJob>(
  opts: ChatReminderSchedulerOptions<Row>,
): JobScheduler {
  const send =
    opts.send ??
    createOutboundDelivery({ router: opts.router, logger: opts.logger, retryDelaysMs: opts.retryDelaysMs });
  return createJobScheduler<Row>({
    db: opts.db,
    table: opts.table,
    dueColumn: opts.dueColumn,
    clock: opts.clock,
    pollIntervalMs: opts.pollIntervalMs,
    logger: opts.logger,
    metrics: opts.metrics,
    reclaimAfterMs: opts.reclaimAfterMs,
    deliver: chatReminderDelivery(opts, send),
    afterOutcome: opts.afterOutcome,
  });
}
