import { createEventLogTable, withTimestamps } from '@waddlebot/core';
import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_init': {
    async up(db: Kysely<any>) {
      await withTimestamps(
        db.schema
          .createTable('twitch_tokens')
          .addColumn('id', 'serial', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().unique())
          .addColumn('login', 'text')
          .addColumn('access_token', 'text', (c) => c.notNull())
          .addColumn('refresh_token', 'text')
          .addColumn('expires_at', 'timestamptz')
          .addColumn('scopes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
          .addColumn('is_bot', 'boolean', (c) => c.notNull().defaultTo(false)),
      ).execute();
      await withTimestamps(
        db.schema
          .createTable('twitch_channels')
          .addColumn('id', 'serial', (c) => c.primaryKey())
          .addColumn('broadcaster_id', 'text', (c) => c.notNull().unique())
          .addColumn('channel_name', 'text', (c) => c.notNull())
          .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
          .addColumn('gateway_id', 'text'),
      ).execute();
      await withTimestamps(
        db.schema
          .createTable('twitch_subscriptions')
          .addColumn('id', 'serial', (c) => c.primaryKey())
          .addColumn('subscription_id', 'text', (c) => c.notNull().unique())
          .addColumn('channel_id', 'integer', (c) => c.references('twitch_channels.id').onDelete('set null'))
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull().defaultTo('1'))
          .addColumn('status', 'text', (c) => c.notNull().defaultTo('enabled'))
          .addColumn('cost', 'integer', (c) => c.notNull().defaultTo(1)),
      ).execute();
      await createEventLogTable(db, 'twitch_events', {
        platformColumns: ['subscription_id', 'broadcaster_user_id', 'broadcaster_user_name'],
        indexedColumn: 'broadcaster_user_id',
      });
    },
  },
};
