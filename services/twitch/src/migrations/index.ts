import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_init': {
    async up(db: Kysely<any>) {
      const now = sql`now()`;
      await db.schema
        .createTable('twitch_tokens')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().unique())
        .addColumn('login', 'text')
        .addColumn('access_token', 'text', (c) => c.notNull())
        .addColumn('refresh_token', 'text')
        .addColumn('expires_at', 'timestamptz')
        .addColumn('scopes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('is_bot', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('twitch_channels')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('broadcaster_id', 'text', (c) => c.notNull().unique())
        .addColumn('channel_name', 'text', (c) => c.notNull())
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('gateway_id', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('twitch_subscriptions')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('subscription_id', 'text', (c) => c.notNull().unique())
        .addColumn('channel_id', 'integer', (c) => c.references('twitch_channels.id').onDelete('set null'))
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull().defaultTo('1'))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('enabled'))
        .addColumn('cost', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('twitch_events')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('subscription_id', 'text')
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('broadcaster_user_id', 'text')
        .addColumn('broadcaster_user_name', 'text')
        .addColumn('user_id', 'text')
        .addColumn('user_name', 'text')
        .addColumn('event_data', 'jsonb', (c) => c.notNull())
        .addColumn('processed', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('processed_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('twitch_events_broadcaster_idx')
        .on('twitch_events')
        .column('broadcaster_user_id')
        .execute();
    },
  },
};
