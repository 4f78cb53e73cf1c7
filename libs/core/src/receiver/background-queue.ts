import type { Logger } from '../log/index.js';

/**
 * Work a receiver does after it has acknowledged the platform: a per-process queue with bounded
 * concurrency, so a burst of webhooks cannot open unbounded router calls (router-and-receivers §4.1).
 */
export class BackgroundQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly concurrency = 16,
  ) {}

  /** Runs `work` when a slot is free; a failure is logged with the event id and never thrown. */
  push(eventId: string, work: () => Promise<void>): void {
    const run = async () => {
      this.running++;
      try {
        await work();
      } catch (err) {
        this.logger.error('background event processing failed', { event_id: eventId, err });
      } finally {
        this.running--;
        this.waiting.shift()?.();
        if (this.running === 0 && this.waiting.length === 0)
          for (const done of this.idleWaiters.splice(0)) done();
      }
    };
    if (this.running < this.concurrency) void run();
    else this.waiting.push(() => void run());
  }

  get pending(): number {
    return this.running + this.waiting.length;
  }

  /** Resolves once every queued task has finished (shutdown, tests). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
