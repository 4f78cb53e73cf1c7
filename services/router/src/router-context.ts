import type { Kysely } from 'kysely';
import type { CommunityReadDB } from './db.js';
import { DependencyWatch } from './dependency-watch.js';
import { LocalCache } from './local-cache.js';
import {
  INVALIDATE_CHANNEL,
  type Invalidation,
  type RouterContext,
  type RouterServiceDeps,
} from './router-deps.js';
import { RouterCounters } from './router-metrics.js';
import { Semaphore } from './semaphore.js';

export function clearLocal(cache: LocalCache, scope: Invalidation) {
  if (scope.prefixes.length === 0) cache.clear();
  else for (const p of scope.prefixes) cache.clear(p);
}

/** Resolves the router's shared domain context once per app. */
export function createRouterContext(deps: RouterServiceDeps): RouterContext {
  const cache = new LocalCache(() => deps.clock.nowMs());
  return {
    deps,
    config: deps.config,
    db: deps.db,
    community: deps.database.readForSchema<CommunityReadDB>('community') as Kysely<CommunityReadDB>,
    cache,
    counters: new RouterCounters(deps.metrics),
    moduleSlots: new Semaphore(deps.config.ROUTER_MAX_CONCURRENT),
    dependencies: new DependencyWatch(deps.logger),
    async invalidate(scope) {
      clearLocal(cache, scope);
      try {
        await deps.state.pubsub.publish(INVALIDATE_CHANNEL, JSON.stringify(scope));
      } catch (err) {
        deps.logger.error('cache invalidation publish failed', { err });
      }
    },
  };
}

/** Other replicas' admin writes clear this replica's caches (§3.17). */
export function subscribeInvalidations(ctx: RouterContext) {
  return ctx.deps.state.pubsub.subscribe(INVALIDATE_CHANNEL, (message) => {
    try {
      const scope = JSON.parse(message) as Invalidation;
      clearLocal(ctx.cache, {
        prefixes: Array.isArray(scope.prefixes) ? scope.prefixes.filter((p) => typeof p === 'string') : [],
      });
    } catch {
      ctx.cache.clear();
    }
  });
}
