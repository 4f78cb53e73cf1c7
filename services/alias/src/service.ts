import { defineService, intVar, mountInteraction, mountUserMergedRoute, z } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { parseReservedCommands } from './alias-rules.js';
import type { AliasDeps } from './aliases.js';
import { handleAliasRequest } from './chat-commands.js';
import type { AliasDB } from './db.js';
import { migrations } from './migrations/index.js';
import { mountAliasRestRoutes } from './routes/rest.js';
import { mergeUser } from './user-merge.js';

export const DEFAULT_RESERVED_COMMANDS =
  'alias,so,shoutout,inventory,inv,calendar,memories,ytmusic,youtube,spotify,spot,ai,ask,help';

export const service = defineService({
  name: 'alias',
  config: {
    /** Never above the router's own limit of 3 (contracts §13.4). */
    ALIAS_MAX_DEPTH: intVar(3, { min: 1, max: 3 }),
    ALIAS_MAX_PER_COMMUNITY: intVar(100, { min: 1, max: 10_000 }),
    RESERVED_COMMANDS: z.string().default(DEFAULT_RESERVED_COMMANDS),
  },
  migrations,
  commands: (deps) => [
    {
      command: 'alias',
      description: 'Custom commands for this community',
      usage: '!alias <add|remove|list> …',
      location_url: `${deps.config.ALIAS_URL}/interaction`,
      trigger_type: 'command',
      timeout: 10,
      module_name: 'alias',
      module_type: 'interaction',
    },
    {
      command: 'alias-fallback',
      description: 'Runs community aliases for unknown ! commands',
      location_url: `${deps.config.ALIAS_URL}/interaction`,
      trigger_type: 'fallback',
      timeout: 40,
      module_name: 'alias',
      module_type: 'interaction',
    },
  ],
  routes(app, deps) {
    const db = deps.db as Kysely<AliasDB>;
    const aliasDeps: AliasDeps = {
      db,
      clock: deps.clock,
      maxPerCommunity: deps.config.ALIAS_MAX_PER_COMMUNITY,
      reserved: parseReservedCommands(deps.config.RESERVED_COMMANDS),
    };
    const moduleDeps = {
      ...aliasDeps,
      router: deps.serviceClient('router'),
      logger: deps.logger,
      maxDepth: deps.config.ALIAS_MAX_DEPTH,
    };
    mountInteraction(app, deps, {
      paths: ['/interaction', '/alias'],
      handle: (req) => handleAliasRequest(moduleDeps, req),
    });
    mountAliasRestRoutes(app, deps, aliasDeps);
    mountUserMergedRoute(app, deps, (m) => mergeUser(db, m));
  },
});
