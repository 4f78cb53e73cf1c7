import { createEventLogTable, createServerChannelTables } from '@waddlebot/core';
import { sql, type Kysely, type Migration } from 'kysely';
import { GUILD_TABLES } from '../db.js';

export const migrations: Record<string, Migration> = {
  '20251120000000_init': {
    async up(db: Kysely<any>) {
      await createServerChannelTables(db, GUILD_TABLES, {
        server: (guilds) =>
          guilds
            .addColumn('owner_id', 'text')
            .addColumn('prefix', 'text', (c) => c.notNull().defaultTo('!'))
            .addColumn('welcome_channel', 'text')
            .addColumn('log_channel', 'text'),
        channel: (channels) =>
          channels
            .addColumn('webhook_url', 'text')
            .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`)),
      });
      await createEventLogTable(db, 'discord_events', { platformColumns: ['guild_id', 'channel_id'] });
    },
  },
};
