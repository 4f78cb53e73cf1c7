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

/** What the scheduler takes from the posting service (ServiceDeps fits). */
export interface ChatReminderServiceDeps {
  /** The service name: `module_name` and the prefix of `<module>:reminder:<id>`. */
  name: string;
  /** Kysely scoped to the service's schema. */
  db: Kysely<any>;
  clock: Clock;
  logger: Logger;
  metrics?: Pick<ServiceMetrics, 'counter'>;
  /** `serviceClient('router')` is where the messages go. */
  serviceClient: (name: 'router') => HttpClient;
}

export interface ChatReminderSchedulerOptions<Row extends ClaimedJob> {
  table: string;
  dueColumn: string;
  pollIntervalMs: number;
  retryDelaysMs?: readonly number[];
  /** A `sending` row older than this is claimed again (its claimer died, or the router was down). */
  reclaimAfterMs?: number;
  /** Reads one claimed row just before posting: where and what, or why not (cancelled, stale). */
  compose: (row: Row, now: Date) => Promise<ReminderPost>;
  /** Columns written beside `delivery_status='sent'` (e.g. `{ sent: true, sent_at: now }`). */
  sentColumns: (now: Date) => Record<string, unknown>;
  afterOutcome?: (row: Row, outcome: JobOutcome) => Promise<void>;
}

/**
 * The delivery step of a reminder table (interaction-modules §1.5): posts the composed text as a
 * `chat` outbound message with the key `<module>:reminder:<row id>`. A 4xx, or a 5xx/timeout that
 * outlasts the retries, fails the row for good. A router that cannot be reached at all (down, or
 * its circuit open) does not lose the reminder: the row stays claimed and a later poll posts it
 * once the claim is stale, until the module's own overdue rule skips it.
 */
export function chatReminderDelivery<Row extends ClaimedJob>(
  deps: Pick<ChatReminderServiceDeps, 'name' | 'clock' | 'logger'>,
  opts: Pick<ChatReminderSchedulerOptions<Row>, 'compose' | 'sentColumns'>,
  send: OutboundDelivery,
) {
  return async (row: Row): Promise<{ outcome: JobOutcome; set?: Record<string, unknown> }> => {
    const post = await opts.compose(row, deps.clock.now());
    if ('skip' in post) {
      deps.logger.info('reminder skipped', { row_id: row.id, reason: post.skip });
      return { outcome: 'skipped' };
    }
    const platform = parseEntityId(post.entityId)?.platform;
    if (!platform) {
      deps.logger.warn('reminder has no valid entity', { row_id: row.id });
      return { outcome: 'failed' };
    }
    const result = await send({
      platform,
      type: 'chat',
      entity_id: post.entityId,
      text: post.text.slice(0, 2000),
      module_name: deps.name,
      idempotency_key: `${deps.name}:reminder:${row.id}`,
    });
    if (result.status === 'sent') return { outcome: 'sent', set: opts.sentColumns(deps.clock.now()) };
    if (result.reason === UNREACHABLE) throw new RouterUnreachableError(Number(row.id));
    deps.logger.warn('reminder delivery failed', { row_id: row.id, reason: result.reason });
    return { outcome: 'failed' };
  };
}

/** The reason createOutboundDelivery gives when no attempt reached the router. */
const UNREACHABLE = 'router unreachable';

/** A polling scheduler that posts a reminder table's due rows to chat through the router. */
export function createChatReminderScheduler<Row extends ClaimedJob>(
  deps: ChatReminderServiceDeps,
  opts: ChatReminderSchedulerOptions<Row>,
): JobScheduler {
  const send = createOutboundDelivery({
    router: deps.serviceClient('router'),
    logger: deps.logger,
    retryDelaysMs: opts.retryDelaysMs,
  });
  return createJobScheduler<Row>({
    db: deps.db,
    table: opts.table,
    dueColumn: opts.dueColumn,
    clock: deps.clock,
    pollIntervalMs: opts.pollIntervalMs,
    logger: deps.logger,
    metrics: deps.metrics,
    reclaimAfterMs: opts.reclaimAfterMs,
    deliver: chatReminderDelivery(deps, opts, send),
    afterOutcome: opts.afterOutcome,
  });
}
