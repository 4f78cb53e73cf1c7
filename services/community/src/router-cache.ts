import type { HttpClient, Logger } from '@waddlebot/core';
import type { RouterCacheChange } from './community-deps.js';

/**
 * Tells the router to drop cached entity→community and role lookups after a change here, so it
 * does not keep routing a channel to its old community for the cache's lifetime. A failure is
 * logged only: the router's caches expire on their own, and the change itself already happened.
 */
export function routerCacheNotifier(router: HttpClient, logger: Logger) {
  return function notifyRouter(change: RouterCacheChange): void {
    void router
      .post('/router/admin/cache/clear', change, { retries: 1, timeoutMs: 5000 })
      .then((res) => {
        if (!res.ok) logger.warn('router cache clear refused', { status: res.status, ...change });
      })
      .catch((err: Error) => logger.warn('router cache clear failed', { error: err.message, ...change }));
  };
}
