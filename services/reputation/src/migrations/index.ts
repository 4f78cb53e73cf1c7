import { sql, type Kysely, type Migration } from 'kysely';

/**
 * core-and-admin §5.2. `community_id` holds the community service's id; it is not a foreign key
 * because `communities` lives in another service's schema (one owner per table, contracts §1).
 */
export const migrations: Record<string, Migration> = {
  '20251120000000_reputation_tables': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('reputation_scoring')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('event_name', 'varchar(64)', (c) => c.notNull())
        .addColumn('event_score', 'numeric(10, 4)', (c) => c.notNull())
        .addColumn('community_id', 'integer', (c) => c.notNull())
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('description', 'text')
        .addColumn('created_by', 'varchar(256)', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('reputation_scoring_active_uq')
        .on('reputation_scoring')
        .columns(['community_id', 'event_name'])
        .unique()
        .where(sql.ref('is_active'), '=', true)
        .execute();

      await db.schema
        .createTable('user_reputation')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('community_id', 'integer', (c) => c.notNull())
        .addColumn('current_score', 'numeric(10, 4)', (c) => c.notNull().defaultTo(600))
        .addColumn('total_events', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_activity', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('user_reputation_user_community_uq', ['user_id', 'community_id'])
        .execute();
      await db.schema
        .createIndex('user_reputation_leaderboard_idx')
        .on('user_reputation')
        .expression(sql`community_id, current_score desc`)
        .execute();

      await db.schema
        .createTable('reputation_events')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('community_id', 'integer', (c) => c.notNull())
        .addColumn('entity_id', 'varchar(300)')
        .addColumn('event_name', 'varchar(64)', (c) => c.notNull())
        .addColumn('event_score', 'numeric(10, 4)', (c) => c.notNull())
        .addColumn('previous_score', 'numeric(10, 4)', (c) => c.notNull())
        .addColumn('new_score', 'numeric(10, 4)', (c) => c.notNull())
        .addColumn('event_data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('reputation_events_user_idx')
        .on('reputation_events')
        .expression(sql`user_id, processed_at desc`)
        .execute();
      await db.schema
        .createIndex('reputation_events_community_event_idx')
        .on('reputation_events')
        .columns(['community_id', 'event_name'])
        .execute();
    },
  },
};
