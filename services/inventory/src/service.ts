import { defineService, intVar, mountInteraction, mountUserMergedRoute } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { handleInventoryRequest, MODULE_NAME } from './chat-commands.js';
import type { InventoryDB } from './db.js';
import type { InventoryDeps } from './item-store.js';
import { migrations } from './migrations/index.js';
import { mountInventoryRestRoutes } from './routes/rest.js';
import { mergeUser } from './user-merge.js';

export const service = defineService({
  name: 'inventory',
  config: {
    MAX_LABELS_PER_ITEM: intVar(5, { min: 1, max: 50 }),
  },
  migrations,
  commands: (deps) => [
    {
      command: 'inventory',
      aliases: ['inv'],
      description: 'Track community items',
      usage: '!inventory <add|checkout|checkin|setqty|delete|list|search|status|stats|labels>',
      location_url: `${deps.config.INVENTORY_URL}/interaction`,
      trigger_type: 'command',
      required_permission: 'commands.basic',
      timeout: 10,
      module_name: MODULE_NAME,
      module_type: 'interaction',
    },
  ],
  routes(app, deps) {
    const db = deps.db as Kysely<InventoryDB>;
    const domain: InventoryDeps = {
      db,
      clock: deps.clock,
      maxLabels: deps.config.MAX_LABELS_PER_ITEM,
    };
    mountInteraction(app, deps, {
      paths: ['/interaction', '/inventory'],
      handle: (req) => handleInventoryRequest({ ...domain, logger: deps.logger }, req),
    });
    mountInventoryRestRoutes(app, deps, domain);
    mountUserMergedRoute(app, deps, (m) => mergeUser(db, m));
  },
});
