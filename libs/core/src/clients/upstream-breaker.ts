import type { Clock } from '../clock.js';
import type { Logger } from '../log/index.js';

export interface UpstreamBreakerOptions {
  /** Named in the log lines, e.g. `twitch helix`. */
  upstream: string;
  clock: Clock;
  logger: Logger;
  /** Consecutive failures that open the breaker; default 5. */
  threshold?: number;
  /** How long it stays open; default 60 s. */
  openMs?: number;
}

/**
 * Skips an external upstream for a while after consecutive failures, so chat answers stay fast
 * while it is down (interaction-modules §4: 5 failures → 60 s), and remembers the last outcome for
 * `/readyz`. It reads the injected clock, unlike the timer-based breaker of the HTTP client, so
 * tests can step through it.
 */
export class UpstreamBreaker {
  private consecutiveFailures = 0;
  private openUntilMs = 0;
  private lastOutcome: { ok: boolean; atMs: number } | null = null;

  constructor(private readonly opts: UpstreamBreakerOptions) {}

  get open(): boolean {
    return this.opts.clock.nowMs() < this.openUntilMs;
  }

  /** Whether the most recent call failed. */
  get lastFailed(): boolean {
    return this.lastOutcome?.ok === false;
  }

  /** Milliseconds since the last call; Infinity before the first. */
  get sinceLastOutcomeMs(): number {
    return this.lastOutcome ? this.opts.clock.nowMs() - this.lastOutcome.atMs : Infinity;
  }

  recordSuccess() {
    this.consecutiveFailures = 0;
    this.lastOutcome = { ok: true, atMs: this.opts.clock.nowMs() };
  }

  /** `reason` is a status or an error class name, never a URL: request URLs can carry API keys. */
  recordFailure(reason: string) {
    this.consecutiveFailures++;
    this.lastOutcome = { ok: false, atMs: this.opts.clock.nowMs() };
    this.opts.logger.warn(`${this.opts.upstream} call failed`, {
      reason,
      consecutive_failures: this.consecutiveFailures,
    });
    if (this.consecutiveFailures < (this.opts.threshold ?? 5)) return;
    const openMs = this.opts.openMs ?? 60_000;
    this.openUntilMs = this.opts.clock.nowMs() + openMs;
    this.consecutiveFailures = 0;
    this.opts.logger.warn(`${this.opts.upstream} breaker open`, { open_ms: openMs });
  }
}
