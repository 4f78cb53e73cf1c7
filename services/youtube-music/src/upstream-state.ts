import type { Clock, Logger } from '@waddlebot/core';

export interface UpstreamStateOptions {
  clock: Clock;
  logger: Logger;
  /** Consecutive failures that open the breaker. */
  breakerThreshold: number;
  breakerOpenMs: number;
}

/**
 * What the service last learned about YouTube: feeds the breaker (chat answers stay fast while
 * YouTube is down) and `/readyz` (`checks.upstream`), on the injected clock so tests can step it.
 * The libs/core HTTP client's breaker runs on real timers, so it is switched off for this client.
 */
export class UpstreamState {
  private consecutiveFailures = 0;
  private openUntilMs = 0;
  private lastOutcome: { ok: boolean; atMs: number } | null = null;

  constructor(private readonly opts: UpstreamStateOptions) {}

  get breakerOpen(): boolean {
    return this.opts.clock.nowMs() < this.openUntilMs;
  }

  /** Whether the most recent call (or probe) failed. */
  get lastFailed(): boolean {
    return this.lastOutcome?.ok === false;
  }

  /** Milliseconds since the last call or probe; Infinity before the first. */
  get sinceLastOutcomeMs(): number {
    return this.lastOutcome ? this.opts.clock.nowMs() - this.lastOutcome.atMs : Infinity;
  }

  recordSuccess() {
    this.consecutiveFailures = 0;
    this.lastOutcome = { ok: true, atMs: this.opts.clock.nowMs() };
  }

  /** `reason` is a status or an error class name, never a URL: request URLs carry the API key. */
  recordFailure(reason: string) {
    this.consecutiveFailures++;
    this.lastOutcome = { ok: false, atMs: this.opts.clock.nowMs() };
    this.opts.logger.warn('youtube call failed', {
      reason,
      consecutive_failures: this.consecutiveFailures,
    });
    if (this.consecutiveFailures < this.opts.breakerThreshold) return;
    this.openUntilMs = this.opts.clock.nowMs() + this.opts.breakerOpenMs;
    this.consecutiveFailures = 0;
    this.opts.logger.warn('youtube breaker open', { open_ms: this.opts.breakerOpenMs });
  }
}
