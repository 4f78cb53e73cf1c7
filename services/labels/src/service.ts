import { communityRoles, defineService, intVar, mountUserMergedRoute } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { LabelsDB } from './db.js';
import { startExpirySweep } from './expiry-sweep.js';
import type { LabelDeps } from './label-deps.js';
import { migrations } from './migrations/index.js';
import { loggingPlatformRoleHook } from './platform-role-hook.js';
import { labelAccess } from './routes/access.js';
import { mountAssignmentRoutes } from './routes/assignments.js';
import { mountCatalogRoutes } from './routes/catalog.js';
import { mountEntityGroupRoutes } from './routes/entity-groups.js';
import { mergeUser } from './user-merge.js';

const HOUR_MS = 3_600_000;

function labelDeps(deps: Parameters<Parameters<typeof defineService>[0]['routes']>[1]): LabelDeps {
  return {
    db: deps.db as Kysely<LabelsDB>,
    clock: deps.clock,
    logger: deps.logger,
    identity: deps.serviceClient('identity'),
    roleHook: loggingPlatformRoleHook(deps.logger),
    background: (task) => {
      // After the response: a failure is logged, never surfaced to the caller that applied the label.
      void task().catch((err: unknown) => deps.logger.error('label auto-assignment failed', { err }));
    },
  };
}

export const service = defineService({
  name: 'labels',
  config: {
    /** Items in one bulk apply/assign (core-and-admin §1.2). */
    BULK_OPERATION_SIZE: intVar(1000, { min: 1, max: 10_000 }),
    /** How often expired assignments are retired (§1.3: hourly). */
    LABELS_EXPIRY_SWEEP_MS: intVar(HOUR_MS, { min: 1000 }),
  },
  migrations,
  // A bulk apply/assign carries up to BULK_OPERATION_SIZE items (§1.2); 64 KiB holds a few hundred.
  bodyLimitBytes: 1024 * 1024,
  routes(app, deps) {
    const ldeps = labelDeps(deps);
    const access = labelAccess(
      deps.database.root,
      communityRoles({ community: deps.serviceClient('community') }),
    );
    // /labels/search and /labels/apply before /labels/{id}.
    mountAssignmentRoutes(app, deps, ldeps, access);
    mountCatalogRoutes(app, deps, ldeps, access);
    mountEntityGroupRoutes(app, deps, ldeps, access);
    mountUserMergedRoute(app, deps, (m) => mergeUser(ldeps, m));
  },
  start(deps) {
    return startExpirySweep(
      { db: deps.db as Kysely<LabelsDB>, clock: deps.clock },
      deps.logger,
      deps.config.LABELS_EXPIRY_SWEEP_MS,
    );
  },
});
