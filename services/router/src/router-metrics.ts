import type { ServiceMetrics } from '@waddlebot/core';

/** Per-process counters behind `GET /router/metrics`, mirrored as Prometheus series. */
export class RouterCounters {
  commandsProcessed = 0;
  commandsSuccessful = 0;
  commandsFailed = 0;
  rateLimitsHit = 0;
  stringMatches = 0;
  private executionMsTotal = 0;
  private readonly events;
  private readonly outcomes;
  private readonly moduleDuration;

  constructor(metrics: ServiceMetrics) {
    this.events = metrics.counter('router_events_total', 'Router events by message type', ['message_type']);
    this.outcomes = metrics.counter('router_outcomes_total', 'Router results by outcome', ['outcome']);
    this.moduleDuration = metrics.histogram(
      'router_module_call_seconds',
      'Module call duration',
      ['status'],
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
  }

  event(messageType: string) {
    this.events.inc({ message_type: messageType });
  }

  outcome(outcome: string) {
    this.outcomes.inc({ outcome });
    if (outcome === 'rate_limited') this.rateLimitsHit++;
    if (outcome === 'string_match') this.stringMatches++;
  }

  execution(success: boolean, ms: number, status: string) {
    this.commandsProcessed++;
    if (success) this.commandsSuccessful++;
    else this.commandsFailed++;
    this.executionMsTotal += ms;
    this.moduleDuration.observe({ status }, ms / 1000);
  }

  get avgExecutionMs() {
    return this.commandsProcessed ? Math.round(this.executionMsTotal / this.commandsProcessed) : 0;
  }
}
