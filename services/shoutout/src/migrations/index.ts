import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_shoutout': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('shoutout_users')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull().defaultTo('twitch'))
        .addColumn('profile_url', 'text')
        .addColumn('last_game', 'text')
        .addColumn('custom_message', 'text')
        .addColumn('additional_links', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('auto_shoutout', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('shoutout_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_shoutout', 'timestamptz')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addUniqueConstraint('shoutout_users_community_platform_username_uq', [
          'community_id',
          'platform',
          'username',
        ])
        .execute();

      await db.schema
        .createTable('shoutout_history')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text')
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull().defaultTo('twitch'))
        .addColumn('triggered_by', 'text', (c) => c.notNull())
        .addColumn('auto_shoutout', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('game_played', 'text')
        .addColumn('clip_url', 'text')
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('response_data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('shoutout_history_community_created_idx')
        .on('shoutout_history')
        .columns(['community_id', 'created_at desc'])
        .execute();
      await db.schema
        .createIndex('shoutout_history_community_user_created_idx')
        .on('shoutout_history')
        .columns(['community_id', 'username', 'created_at desc'])
        .execute();
      await db.schema
        .createIndex('shoutout_history_triggered_by_idx')
        .on('shoutout_history')
        .column('triggered_by')
        .execute();

      await db.schema
        .createTable('shoutout_config')
        .addColumn('community_id', 'text', (c) => c.primaryKey())
        .addColumn('display_type', 'text', (c) =>
          c
            .notNull()
            .defaultTo('auto')
            .check(sql`display_type in ('auto', 'twitch_clip', 'youtube_short', 'text')`),
        )
        .addColumn('default_duration', 'integer', (c) =>
          c
            .notNull()
            .defaultTo(15)
            .check(sql`default_duration between 1 and 120`),
        )
        .addColumn('show_profile_picture', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('so_permission', 'text', (c) =>
          c
            .notNull()
            .defaultTo('moderator')
            .check(sql`so_permission in ('everyone', 'subscriber', 'vip', 'moderator', 'admin')`),
        )
        .addColumn('auto_shoutout_mode', 'text', (c) =>
          c
            .notNull()
            .defaultTo('list_only')
            .check(sql`auto_shoutout_mode in ('disabled', 'list_only', 'all')`),
        )
        .addColumn('auto_triggers', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{raid}'::text[]`))
        .addColumn('cooldown_minutes', 'integer', (c) =>
          c
            .notNull()
            .defaultTo(60)
            .check(sql`cooldown_minutes between 0 and 1440`),
        )
        .addColumn('template_live', 'text')
        .addColumn('template_offline', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
};
