import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_spotify': {
    async up(db: Kysely<any>) {
      // One Spotify account per community (interaction-modules §9 "Whose account").
      await db.schema
        .createTable('spotify_tokens')
        .addColumn('community_id', 'text', (c) => c.primaryKey())
        .addColumn('connected_by_user_id', 'text', (c) => c.notNull())
        .addColumn('connected_by_name', 'text')
        .addColumn('access_token', 'text', (c) => c.notNull())
        .addColumn('refresh_token', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('spotify_oauth_states')
        .addColumn('state', 'text', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text')
        .addColumn('code_verifier', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('used_at', 'timestamptz')
        .execute();
      // Purging stale states crosses communities.
      await db.schema
        .createIndex('spotify_oauth_states_expires_idx')
        .on('spotify_oauth_states')
        .column('expires_at')
        .execute();

      await db.schema
        .createTable('spotify_now_playing')
        .addColumn('community_id', 'text', (c) => c.primaryKey())
        .addColumn('track_uri', 'text', (c) => c.notNull())
        .addColumn('track_name', 'text', (c) => c.notNull())
        .addColumn('artists', 'text', (c) => c.notNull())
        .addColumn('album', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('duration_ms', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('album_art_url', 'text')
        .addColumn('spotify_url', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('preview_url', 'text')
        .addColumn('is_playing', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('progress_ms', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('requested_by', 'text')
        .addColumn('requested_by_name', 'text')
        .addColumn('started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('spotify_search_cache')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('query', 'text', (c) => c.notNull())
        .addColumn('results', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('spotify_search_cache_user_idx')
        .on('spotify_search_cache')
        .columns(['community_id', 'user_id', 'created_at desc'])
        .execute();
      await db.schema
        .createIndex('spotify_search_cache_created_idx')
        .on('spotify_search_cache')
        .column('created_at')
        .execute();

      await db.schema
        .createTable('spotify_activity')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('spotify_activity_community_idx')
        .on('spotify_activity')
        .columns(['community_id', 'created_at desc'])
        .execute();
    },
  },
};
