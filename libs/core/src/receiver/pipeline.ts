import type { ServiceDeps } from '../service/define.js';
import { ConnectionError } from '../clients/http.js';
import {
  RouterEventSchema,
  RouterResultSchema,
  type RouterEventInput,
  type RouterResult,
} from '../contracts/messages.js';
import { entityIdOf, type Platform } from '../contracts/ids.js';
import { DedupStore } from '../state/index.js';
import { BackgroundQueue } from './background-queue.js';
import { EventLog, type EventLogRow } from './event-log.js';
import type { ReplyDeliverer, ReplyTarget } from './delivery.js';

export interface ReceiverPipelineOptions {
  platform: Platform;
  /** `<platform>_events`. */
  eventTable: string;
  /** How long a delivery id stays claimed; at least the platform's replay window. */
  dedupTtlSeconds: number;
  /** Waits before the second and third router attempt (§4.1: 1 s, 3 s). */
  retryDelaysMs?: number[];
  /** Above the router's 40 s module-timeout cap (§3.8, §4.1). */
  routerTimeoutMs?: number;
  concurrency?: number;
  /** Top-level payload fields never written to the raw log (interaction tokens, response URLs). */
  omitFromLog?: string[];
}

export type ReceiverDeps = Pick<
  ServiceDeps<any, any>,
  'db' | 'state' | 'logger' | 'clock' | 'serviceClient'
> & { metrics?: ServiceDeps['metrics'] };

/**
 * What every receiver does with a verified delivery (router-and-receivers §4.1): claim its id
 * (Redis `SET NX`, then the unique event row), acknowledge, and in the background forward the
 * RouterEvent to the router with the §4.1 retries, marking the raw row processed.
 */
export class ReceiverPipeline {
  readonly queue: BackgroundQueue;
  readonly events: EventLog;
  private readonly dedup: DedupStore;
  private readonly retryDelaysMs: number[];
  private readonly routerTimeoutMs: number;
  private readonly counted: (stage: 'accepted' | 'duplicate' | 'forwarded' | 'router_failed') => void;

  constructor(
    private readonly deps: ReceiverDeps,
    private readonly opts: ReceiverPipelineOptions,
  ) {
    this.queue = new BackgroundQueue(deps.logger, opts.concurrency ?? 16);
    this.events = new EventLog(deps.db, opts.eventTable);
    this.dedup = new DedupStore(deps.state.kv, `waddlebot:${opts.platform}:delivery:`);
    this.retryDelaysMs = opts.retryDelaysMs ?? [1000, 3000];
    this.routerTimeoutMs = opts.routerTimeoutMs ?? 45_000;
    const counter = deps.metrics?.counter('receiver_events_total', 'Platform deliveries by stage', [
      'platform',
      'stage',
    ]);
    this.counted = (stage) => counter?.inc({ platform: opts.platform, stage });
  }

  /**
   * Claims the delivery and writes its raw row. False for a duplicate (the platform still gets
   * its 2xx). Runs only after signature verification, so forged ids can never burn a claim.
   */
  async record(row: EventLogRow): Promise<boolean> {
    const claimed = await this.dedup.claim(row.event_id, this.opts.dedupTtlSeconds);
    if (!claimed) {
      this.counted('duplicate');
      return false;
    }
    try {
      const data = row.event_data;
      const logged =
        data && typeof data === 'object' && this.opts.omitFromLog?.length
          ? Object.fromEntries(Object.entries(data).filter(([k]) => !this.opts.omitFromLog!.includes(k)))
          : data;
      const fresh = await this.events.insert({ ...row, event_data: logged }, this.deps.clock.now());
      this.counted(fresh ? 'accepted' : 'duplicate');
      return fresh;
    } catch (err) {
      // Let the platform's retry try again instead of losing the event to a claim.
      await this.dedup.release(row.event_id).catch(() => undefined);
      throw err;
    }
  }

  /** Runs router work after the acknowledgement. */
  background(eventId: string, work: () => Promise<void>): void {
    this.queue.push(eventId, work);
  }

  /**
   * POST /router/events with X-Service-Key; on 5xx or a connection error (not after a timeout)
   * retried twice, safe because the router dedups by event_id. Null when the router never
   * answered with a RouterResult; the raw row then stays `processed=false`.
   */
  async forward(input: RouterEventInput): Promise<RouterResult | null> {
    const parsed = RouterEventSchema.safeParse(input);
    const eventId = input.event_id ?? '';
    if (!parsed.success) {
      this.deps.logger.error('event could not be normalised', {
        event_id: eventId,
        issues: parsed.error.issues.map((i) => i.path.join('.')),
      });
      return null;
    }
    const router = this.deps.serviceClient('router');
    for (let attempt = 0; ; attempt++) {
      let retryable: boolean;
      try {
        const res = await router.post('/router/events', input, {
          retries: 0,
          timeoutMs: this.routerTimeoutMs,
        });
        if (res.status === 200) {
          const result = RouterResultSchema.safeParse(res.body);
          if (!result.success) {
            this.deps.logger.error('router answered an unreadable result', { event_id: eventId });
            return null;
          }
          await this.events.markProcessed(eventId, true, this.deps.clock.now());
          this.counted('forwarded');
          return result.data;
        }
        retryable = res.status >= 500;
        this.deps.logger.error('router refused event', {
          event_id: eventId,
          status: res.status,
          attempt: attempt + 1,
        });
      } catch (err) {
        const timedOut = err instanceof ConnectionError && err.timedOut;
        retryable = !timedOut;
        this.deps.logger.error(timedOut ? 'router timed out' : 'router unreachable', {
          event_id: eventId,
          attempt: attempt + 1,
        });
      }
      const delay = this.retryDelaysMs[attempt];
      if (!retryable || delay === undefined) {
        this.counted('router_failed');
        return null;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /**
   * Forwards the event and hands the router's replies to the platform deliverer, logging any
   * failed reply with the event id. The target defaults to the event's entity and reply_context.
   */
  async forwardAndDeliver(
    input: RouterEventInput,
    deliverer: ReplyDeliverer,
    target?: ReplyTarget,
  ): Promise<RouterResult | null> {
    const result = await this.forward(input);
    if (!result) return null;
    const channelId = input.channel_id ?? '';
    const report = await deliverer.deliver(
      result.replies,
      target ?? {
        entityId: entityIdOf(input.platform, input.server_id, channelId),
        entity: { platform: input.platform, server_id: input.server_id, channel_id: channelId },
        replyContext: (input.reply_context ?? {}) as Record<string, unknown>,
      },
    );
    for (const error of report.errors) {
      this.deps.logger.error('reply delivery failed', {
        event_id: input.event_id,
        code: error.code,
        error_message: error.message,
      });
    }
    return result;
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Shutdown: lets queued router work finish, for at most `maxMs`. */
  async drain(maxMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxMs);
      timer.unref();
    });
    await Promise.race([this.queue.idle(), gaveUp]);
    clearTimeout(timer);
    if (this.queue.pending > 0)
      this.deps.logger.warn('shutting down with events still queued', { pending: this.queue.pending });
  }
}

const pipelines = new WeakMap<object, ReceiverPipeline>();

/** One pipeline per service instance; tests reach it through the service's deps. */
export function receiverPipeline(deps: ReceiverDeps, opts: ReceiverPipelineOptions): ReceiverPipeline {
  let p = pipelines.get(deps);
  if (!p) pipelines.set(deps, (p = new ReceiverPipeline(deps, opts)));
  return p;
}

/** The pipeline a receiver built for these deps (tests await `idle()` before asserting). */
export function pipelineOf(deps: object): ReceiverPipeline {
  const p = pipelines.get(deps);
  if (!p) throw new Error('no receiver pipeline for these deps');
  return p;
}
