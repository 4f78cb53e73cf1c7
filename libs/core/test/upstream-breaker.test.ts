import { describe, expect, it } from 'vitest';
import { FakeClock, createMemoryLogger } from '../src/testing/index.js';
import { UpstreamBreaker } from '../src/index.js';

describe('UpstreamBreaker', () => {
  it('opens after the threshold of consecutive failures for openMs of the injected clock', () => {
    const clock = new FakeClock();
    const { logger, records } = createMemoryLogger({ module: 'shoutout' });
    const breaker = new UpstreamBreaker({ upstream: 'youtube', clock, logger, threshold: 2, openMs: 1000 });
    expect(breaker.sinceLastOutcomeMs).toBe(Infinity);
    breaker.recordFailure('status 500');
    breaker.recordSuccess();
    breaker.recordFailure('status 500');
    expect(breaker.open).toBe(false);
    breaker.recordFailure('status 503');
    expect(breaker.open).toBe(true);
    expect(breaker.lastFailed).toBe(true);
    clock.advance(1000);
    expect(breaker.open).toBe(false);
    expect(breaker.sinceLastOutcomeMs).toBe(1000);
    expect(records().map((r) => r.msg)).toContain('youtube breaker open');
  });
});
