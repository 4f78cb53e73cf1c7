import type { MarketplaceDeps } from './marketplace-deps.js';
import { retryPendingSyncs } from './router-sync.js';
import { expireSubscriptions } from './subscriptions.js';

/**
 * Background work: retry router syncs that failed (§6.2, so an install made while the router was
 * down still takes effect) and the subscription expiry sweep. One pass at a time; a pass that
 * fails is logged and the next one tries again.
 */
export function startMaintenance(
  deps: MarketplaceDeps,
  opts: { syncRetrySeconds: number; expirySweepSeconds: number },
) {
  let running = false;
  let lastSweep = Number.NEGATIVE_INFINITY;
  const pass = async () => {
    if (running) return;
    running = true;
    try {
      await retryPendingSyncs(deps);
      // Judged by the service clock, like every business time (tests move a FakeClock).
      const now = deps.clock.now().getTime();
      if (now - lastSweep >= opts.expirySweepSeconds * 1000) {
        lastSweep = now;
        const expired = await expireSubscriptions(deps);
        if (expired > 0) deps.logger.info('subscriptions expired', { count: expired });
      }
    } catch (err) {
      deps.logger.warn('marketplace maintenance pass failed', { error: (err as Error).name });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void pass(), opts.syncRetrySeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
