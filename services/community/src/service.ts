import {
  ValidationError,
  defineService,
  intVar,
  mountInteraction,
  mountUserMergedRoute,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { handleCommunityCommand, type ChatDeps } from './chat/commands.js';
import type { CommunityDeps } from './community-deps.js';
import type { CommunityDB } from './db.js';
import { migrations } from './migrations/index.js';
import { routerCacheNotifier } from './router-cache.js';
import { mountFormRoute } from './routes/form.js';
import { mountRestRoutes } from './routes/rest.js';
import { mergeUser } from './user-merge.js';

export const service = defineService({
  name: 'community',
  config: {
    /** How long a `!community context` choice lasts (core-and-admin §4.2: one hour). */
    COMMUNITY_CONTEXT_TTL: intVar(3600, { min: 60, max: 86_400 }),
  },
  migrations,
  commands: (deps) => [
    {
      command: 'community',
      description: 'Communities: group channels and people, manage members and modules',
      usage: '!community <help|list|create|context|info|members|add|remove|install|leave|delete|portal> …',
      location_url: `${deps.config.COMMUNITY_URL}/community`,
      trigger_type: 'command',
      timeout: 30,
      module_name: 'community',
      module_type: 'core',
    },
  ],
  routes(app, deps) {
    const communityDeps: CommunityDeps = {
      db: deps.db as Kysely<CommunityDB>,
      clock: deps.clock,
      logger: deps.logger,
      contextTtlSeconds: deps.config.COMMUNITY_CONTEXT_TTL,
      notifyRouter: routerCacheNotifier(deps.serviceClient('router'), deps.logger),
    };
    const chatDeps: ChatDeps = {
      ...communityDeps,
      moduleName: deps.name,
      root: deps.database.root,
      identity: deps.serviceClient('identity'),
      marketplace: deps.serviceClient('marketplace'),
      portal: deps.serviceClient('portal'),
    };
    mountInteraction(app, deps, {
      paths: ['/community'],
      handle: async (req) => {
        // §4.3: these must be present and non-blank, not merely strings.
        const blank = (
          [
            ['raw_message', req.raw_message],
            ['entity_id', req.entity_id],
            ['user.id', req.user.id],
          ] as const
        ).filter(([, v]) => !v.trim());
        if (blank.length > 0)
          throw new ValidationError(
            'Validation failed',
            blank.map(([path]) => ({ path, message: 'Required' })),
          );
        return handleCommunityCommand(chatDeps, req);
      },
    });
    mountFormRoute(app, deps, communityDeps);
    mountRestRoutes(app, deps, communityDeps);
    mountUserMergedRoute(app, deps, (m) => mergeUser(communityDeps, m));
  },
});
