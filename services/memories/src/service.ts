import {
  createChatReminderScheduler,
  defineService,
  intVar,
  mountInteraction,
  retryDelaysVar,
  mountUserMergedRoute,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { handleMemoriesRequest } from './chat-commands.js';
import type { MemoriesDB } from './db.js';
import { migrations } from './migrations/index.js';
import { composeReminder, queueNextOccurrence, type Reminder } from './reminders.js';
import { mountMemoriesRestRoutes } from './routes/rest.js';
import { mergeUser } from './user-merge.js';

export const service = defineService({
  name: 'memories',
  config: {
    MAX_PENDING_REMINDERS_PER_USER: intVar(10, { min: 1, max: 1000 }),
    REMINDER_POLL_INTERVAL_MS: intVar(30_000, { min: 50, max: 3_600_000 }),
    /** Back-off before each retry of a reminder post (contracts §12). */
    OUTBOUND_RETRY_DELAYS_MS: retryDelaysVar(),
  },
  migrations,
  commands: (deps) => [
    {
      command: 'memories',
      description: 'Community quotes, links, notes and personal reminders',
      usage: '!memories <add|list|search|get|edit|delete|remind|quotes|urls> …',
      location_url: `${deps.config.MEMORIES_URL}/interaction`,
      trigger_type: 'command',
      timeout: 10,
      module_name: 'memories',
      module_type: 'interaction',
    },
  ],
  routes(app, deps) {
    const db = deps.db as Kysely<MemoriesDB>;
    const domain = {
      db,
      clock: deps.clock,
      maxPendingPerUser: deps.config.MAX_PENDING_REMINDERS_PER_USER,
    };
    mountInteraction(app, deps, {
      paths: ['/interaction', '/memories'],
      handle: (req) => handleMemoriesRequest({ ...domain, logger: deps.logger }, req),
    });
    mountMemoriesRestRoutes(app, deps, domain);
    mountUserMergedRoute(app, deps, (m) => mergeUser(db, m));
  },
  start(deps) {
    const db = deps.db as Kysely<MemoriesDB>;
    const scheduler = createChatReminderScheduler<Reminder>(deps, {
      table: 'memories_reminders',
      dueColumn: 'remind_at',
      pollIntervalMs: deps.config.REMINDER_POLL_INTERVAL_MS,
      retryDelaysMs: deps.config.OUTBOUND_RETRY_DELAYS_MS,
      compose: composeReminder,
      sentColumns: (now) => ({ is_sent: true, sent_at: now }),
      afterOutcome: (row) => queueNextOccurrence({ db, clock: deps.clock }, row),
    });
    scheduler.start();
    return () => scheduler.stop();
  },
});
