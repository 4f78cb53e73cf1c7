import { ConfigError, defineService, intVar, mountUserMergedRoute } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { communityLookup } from './community-lookup.js';
import type { ReputationDB } from './db.js';
import { migrations } from './migrations/index.js';
import type { ReputationDeps } from './reputation-deps.js';
import { reputationAccess } from './routes/access.js';
import { mountReputationRoutes } from './routes/reputation-routes.js';
import { mergeUser } from './user-merge.js';

export const service = defineService({
  name: 'reputation',
  config: {
    /** Score range and starting score of the bounded model (core-and-admin §5.1). */
    REPUTATION_MIN: intVar(300, { min: 0, max: 100_000 }),
    REPUTATION_MAX: intVar(850, { min: 1, max: 100_000 }),
    REPUTATION_DEFAULT: intVar(600, { min: 0, max: 100_000 }),
  },
  migrations,
  routes(app, deps) {
    const { REPUTATION_MIN: min, REPUTATION_MAX: max, REPUTATION_DEFAULT: initial } = deps.config;
    if (!(min <= initial && initial <= max))
      throw new ConfigError(['REPUTATION_DEFAULT: must lie between REPUTATION_MIN and REPUTATION_MAX']);
    const communities = communityLookup(
      deps.serviceClient('community'),
      deps.state.kv,
      deps.clock,
      deps.logger,
    );
    const rdeps: ReputationDeps = {
      db: deps.db as Kysely<ReputationDB>,
      clock: deps.clock,
      logger: deps.logger,
      range: { min, max, initial },
      communities,
    };
    mountReputationRoutes(app, deps, rdeps, reputationAccess(deps.database.root, communities));
    mountUserMergedRoute(app, deps, (m) => mergeUser(rdeps, m));
  },
});
