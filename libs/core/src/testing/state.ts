import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { createMemoryState, createRedisState, type StateBackend } from '../state/index.js';

/** Redis state under a prefix of its own when TEST_REDIS_URL is set, else in-memory. */
export function createTestState(clock?: Clock, kind: 'auto' | 'memory' | 'redis' = 'auto'): StateBackend {
  const url = process.env.TEST_REDIS_URL;
  if (kind === 'memory' || (kind === 'auto' && !url)) return createMemoryState(clock);
  if (!url) throw new Error('TEST_REDIS_URL is not set');
  return createRedisState(url, clock, `wbtest:${randomBytes(6).toString('hex')}:`);
}

/** The state backends a shared suite runs against: memory always, Redis when configured. */
export function stateBackendsUnderTest(): ('memory' | 'redis')[] {
  return process.env.TEST_REDIS_URL ? ['memory', 'redis'] : ['memory'];
}
