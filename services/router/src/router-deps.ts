import type { Config, ServiceDeps } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { routerConfig } from './config.js';
import type { CommunityReadDB, RouterDB } from './db.js';
import type { DependencyWatch } from './dependency-watch.js';
import type { LocalCache } from './local-cache.js';
import type { RouterCounters } from './router-metrics.js';
import type { Semaphore } from './semaphore.js';

export type RouterConfig = Config<typeof routerConfig>;
export type RouterServiceDeps = ServiceDeps<RouterConfig, RouterDB>;

/** What the router's domain modules share, resolved once at start-up. */
export interface RouterContext {
  deps: RouterServiceDeps;
  config: RouterConfig;
  db: Kysely<RouterDB>;
  community: Kysely<CommunityReadDB>;
  cache: LocalCache;
  counters: RouterCounters;
  moduleSlots: Semaphore;
  /** Which optional services are down, so their outage is logged once. */
  dependencies: DependencyWatch;
  /** Clears local caches and tells other replicas to do the same. */
  invalidate(scope: Invalidation): Promise<void>;
}

export interface Invalidation {
  /** Cache key prefixes to drop; empty = everything. */
  prefixes: string[];
}

export const INVALIDATE_CHANNEL = 'waddlebot:router:invalidate';
