import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_init': {
    async up(db: Kysely<any>) {
      const now = sql`now()`;
      await db.schema
        .createTable('discord_guilds')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('guild_id', 'text', (c) => c.notNull().unique())
        .addColumn('guild_name', 'text')
        .addColumn('owner_id', 'text')
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('prefix', 'text', (c) => c.notNull().defaultTo('!'))
        .addColumn('welcome_channel', 'text')
        .addColumn('log_channel', 'text')
        .addColumn('gateway_id', 'text')
        .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('member_count', 'integer')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('discord_channels')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull().unique())
        .addColumn('channel_name', 'text')
        .addColumn('channel_type', 'text')
        .addColumn('guild_id', 'integer', (c) =>
          c.notNull().references('discord_guilds.id').onDelete('cascade'),
        )
        .addColumn('is_monitored', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('webhook_url', 'text')
        .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('discord_channels_guild_idx')
        .on('discord_channels')
        .column('guild_id')
        .execute();
      // Event rows keep the platform ids as text: events of guilds not (or no longer) monitored
      // are logged too, so a foreign key to the monitored rows cannot hold.
      await db.schema
        .createTable('discord_events')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('guild_id', 'text')
        .addColumn('channel_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('user_name', 'text')
        .addColumn('event_data', 'jsonb', (c) => c.notNull())
        .addColumn('processed', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('processed_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
    },
  },
};
