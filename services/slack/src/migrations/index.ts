import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_init': {
    async up(db: Kysely<any>) {
      const now = sql`now()`;
      await db.schema
        .createTable('slack_teams')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('team_id', 'text', (c) => c.notNull().unique())
        .addColumn('team_name', 'text')
        .addColumn('team_domain', 'text')
        .addColumn('enterprise_id', 'text')
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('gateway_id', 'text')
        .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('member_count', 'integer')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('slack_channels')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull().unique())
        .addColumn('channel_name', 'text')
        .addColumn('channel_type', 'text')
        .addColumn('team_id', 'integer', (c) => c.notNull().references('slack_teams.id').onDelete('cascade'))
        .addColumn('is_monitored', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('is_archived', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema.createIndex('slack_channels_team_idx').on('slack_channels').column('team_id').execute();
      // Platform ids as text: the raw log and the user cache outlive monitoring changes.
      await db.schema
        .createTable('slack_events')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text')
        .addColumn('channel_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('user_name', 'text')
        .addColumn('event_data', 'jsonb', (c) => c.notNull())
        .addColumn('processed', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('processed_at', 'timestamptz')
        .addColumn('event_timestamp', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('slack_users')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('real_name', 'text')
        .addColumn('display_name', 'text')
        .addColumn('is_bot', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('is_owner', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('is_primary_owner', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addUniqueConstraint('slack_users_team_user_uq', ['team_id', 'user_id'])
        .execute();
      await db.schema.createIndex('slack_users_username_idx').on('slack_users').column('username').execute();
    },
  },
};
