import type { Clock, Logger } from '@waddlebot/core';

export interface UpstreamBreakerOptions {
  /** Named in the log lines, e.g. `twitch helix`. */
  upstream: string;
  clock: Clock;
  logger: Logger;
  /** Consecutive failures that open the breaker. */
  threshold?: number;
  openMs?: number;
}

/**
 * Skips an upstream for a while after consecutive failures, so chat answers stay fast while it is
 * down (interaction-modules §4: 5 failures → 60 s). It reads the injected clock, unlike the
 * timer-based breaker of the libs/core HTTP client, so tests can step through it.
 */
export class UpstreamBreaker {
  private consecutiveFailures = 0;
  private openUntilMs = 0;

  constructor(private readonly opts: UpstreamBreakerOptions) {}

  get open(): boolean {
    return this.opts.clock.nowMs() < this.openUntilMs;
  }

  recordSuccess() {
    this.consecutiveFailures = 0;
  }

  recordFailure(error: string) {
    this.consecutiveFailures++;
    this.opts.logger.warn(`${this.opts.upstream} lookup failed`, {
      error,
      consecutive_failures: this.consecutiveFailures,
    });
    if (this.consecutiveFailures < (this.opts.threshold ?? 5)) return;
    const openMs = this.opts.openMs ?? 60_000;
    this.openUntilMs = this.opts.clock.nowMs() + openMs;
    this.consecutiveFailures = 0;
    this.opts.logger.warn(`${this.opts.upstream} breaker open`, { open_ms: openMs });
  }
}
