import { communityRoles, defineService, intVar, type ServiceDeps } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { MarketplaceDB } from './db.js';
import { startMaintenance } from './maintenance.js';
import type { MarketplaceDeps } from './marketplace-deps.js';
import { migrations } from './migrations/index.js';
import { mountCatalogueRoutes } from './routes/catalogue.js';
import { mountInstallationRoutes } from './routes/installations.js';
import { mountSubscriptionRoutes } from './routes/subscriptions.js';

const depsCache = new WeakMap<object, MarketplaceDeps>();

function marketplaceDeps(deps: ServiceDeps): MarketplaceDeps {
  let m = depsCache.get(deps);
  if (!m) {
    const community = deps.serviceClient('community');
    m = {
      db: deps.db as unknown as Kysely<MarketplaceDB>,
      root: deps.database.root,
      clock: deps.clock,
      logger: deps.logger,
      community,
      // A stored row only: implicit Global membership would open Global's installs to every user.
      storedRole: communityRoles({ community, implicitGlobalMembership: false }),
      router: deps.serviceClient('router'),
    };
    depsCache.set(deps, m);
  }
  return m;
}

export const service = defineService({
  name: 'marketplace',
  config: {
    /** Seconds between retries of router syncs that failed (§6.2). */
    MARKETPLACE_SYNC_RETRY_SECONDS: intVar(30, { min: 1, max: 3600 }),
    /** Seconds between subscription expiry sweeps (§6.2: daily at most). */
    MARKETPLACE_EXPIRY_SWEEP_SECONDS: intVar(3600, { min: 60, max: 86_400 }),
  },
  migrations,
  routes(app, deps) {
    const mdeps = marketplaceDeps(deps);
    mountCatalogueRoutes(app, deps, mdeps);
    mountInstallationRoutes(app, deps, mdeps);
    mountSubscriptionRoutes(app, deps, mdeps);
  },
  start(deps) {
    return startMaintenance(marketplaceDeps(deps), {
      syncRetrySeconds: deps.config.MARKETPLACE_SYNC_RETRY_SECONDS,
      expirySweepSeconds: deps.config.MARKETPLACE_EXPIRY_SWEEP_SECONDS,
    });
  },
});
