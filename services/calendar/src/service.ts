import {
  createChatReminderScheduler,
  defineService,
  intVar,
  mountInteraction,
  retryDelaysVar,
  z,
  mountUserMergedRoute,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { handleCalendarRequest } from './chat-commands.js';
import type { CalendarDB } from './db.js';
import { eventReminderComposer, type EventReminder } from './event-reminders.js';
import { isValidZone } from './local-time.js';
import { migrations } from './migrations/index.js';
import { mountCalendarRestRoutes } from './routes/rest.js';
import { mergeUser } from './user-merge.js';

export const service = defineService({
  name: 'calendar',
  config: {
    CALENDAR_DEFAULT_TIMEZONE: z.string().default('UTC').refine(isValidZone, 'must be an IANA time zone'),
    CALENDAR_POLL_INTERVAL_MS: intVar(30_000, { min: 50, max: 3_600_000 }),
    /** Back-off before each retry of a reminder post (contracts §12). */
    OUTBOUND_RETRY_DELAYS_MS: retryDelaysVar(),
  },
  migrations,
  commands: (deps) => [
    {
      command: 'calendar',
      description: 'Community events with approval, sign-up and reminders',
      usage: '!calendar <create|list|join|leave|approve|reject|cancel> …',
      location_url: `${deps.config.CALENDAR_URL}/interaction`,
      trigger_type: 'command',
      timeout: 10,
      module_name: 'calendar',
      module_type: 'interaction',
    },
  ],
  routes(app, deps) {
    const db = deps.db as Kysely<CalendarDB>;
    const domain = { db, clock: deps.clock, defaultZone: deps.config.CALENDAR_DEFAULT_TIMEZONE };
    mountInteraction(app, deps, {
      paths: ['/interaction', '/calendar'],
      handle: (req) => handleCalendarRequest({ ...domain, logger: deps.logger }, req),
    });
    mountCalendarRestRoutes(app, deps, domain);
    mountUserMergedRoute(app, deps, (m) => mergeUser(db, m));
  },
  start(deps) {
    const db = deps.db as Kysely<CalendarDB>;
    const scheduler = createChatReminderScheduler<EventReminder>(deps, {
      table: 'calendar_event_reminders',
      dueColumn: 'reminder_time',
      pollIntervalMs: deps.config.CALENDAR_POLL_INTERVAL_MS,
      retryDelaysMs: deps.config.OUTBOUND_RETRY_DELAYS_MS,
      compose: eventReminderComposer(db),
      sentColumns: (now) => ({ sent: true, sent_at: now }),
    });
    scheduler.start();
    return () => scheduler.stop();
  },
});
