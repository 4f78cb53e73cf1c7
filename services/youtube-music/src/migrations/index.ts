import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_youtube_music': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('youtube_now_playing')
        .addColumn('community_id', 'text', (c) => c.primaryKey())
        .addColumn('video_id', 'varchar(11)', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('artist', 'text', (c) => c.notNull())
        .addColumn('album', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('duration', 'text', (c) => c.notNull())
        .addColumn('duration_seconds', 'integer')
        .addColumn('thumbnail_url', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_by_name', 'text', (c) => c.notNull())
        .addColumn('started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('youtube_search_cache')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('query', 'text', (c) => c.notNull())
        .addColumn('results', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('youtube_search_cache_user_idx')
        .on('youtube_search_cache')
        .columns(['community_id', 'user_id', 'created_at desc'])
        .execute();
      // The purge of expired entries crosses communities.
      await db.schema
        .createIndex('youtube_search_cache_created_idx')
        .on('youtube_search_cache')
        .column('created_at')
        .execute();

      await db.schema
        .createTable('youtube_queue')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('video_id', 'varchar(11)', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('artist', 'text', (c) => c.notNull())
        .addColumn('duration', 'text', (c) => c.notNull())
        .addColumn('duration_seconds', 'integer')
        .addColumn('thumbnail_url', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_by_name', 'text', (c) => c.notNull())
        .addColumn('added_at', 'timestamptz', (c) => c.notNull())
        .addUniqueConstraint('youtube_queue_community_position_uq', ['community_id', 'position'])
        .execute();
      await db.schema
        .createIndex('youtube_queue_requester_idx')
        .on('youtube_queue')
        .columns(['community_id', 'requested_by'])
        .execute();

      await db.schema
        .createTable('youtube_activity')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('youtube_activity_community_idx')
        .on('youtube_activity')
        .columns(['community_id', 'created_at desc'])
        .execute();
    },
  },
};
