import { sql, type Kysely, type Migration } from 'kysely';

const sourceTypeCheck = sql`check (source_type in ('ticker', 'media', 'general'))`;

/** core-and-admin §2.2. */
export const migrations: Record<string, Migration> = {
  '20251201000000_browser_source_tables': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('browser_source_tokens')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('community_id', 'integer', (c) => c.notNull())
        .addColumn('source_type', 'varchar(16)', (c) => c.notNull().modifyEnd(sourceTypeCheck))
        .addColumn('token', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('browser_source_tokens_community_type_uq', ['community_id', 'source_type'])
        .execute();

      await db.schema
        .createTable('browser_source_history')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('community_id', 'integer', (c) => c.notNull())
        .addColumn('source_type', 'varchar(16)', (c) => c.notNull().modifyEnd(sourceTypeCheck))
        .addColumn('content', 'jsonb', (c) => c.notNull())
        .addColumn('session_id', 'varchar(255)')
        .addColumn('module_name', 'varchar(100)')
        .addColumn('duration', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('browser_source_history_community_created_idx')
        .on('browser_source_history')
        .columns(['community_id', 'created_at'])
        .execute();
      // The replay on connect asks for the newest frame of one community and type.
      await db.schema
        .createIndex('browser_source_history_community_type_idx')
        .on('browser_source_history')
        .columns(['community_id', 'source_type', 'id'])
        .execute();

      await db.schema
        .createTable('browser_source_access_log')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('community_id', 'integer', (c) => c.notNull())
        .addColumn('source_type', 'varchar(16)', (c) => c.notNull())
        .addColumn('ip_address', 'varchar(64)')
        .addColumn('user_agent', 'text')
        .addColumn('referer', 'text')
        .addColumn('accessed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('browser_source_access_log_accessed_idx')
        .on('browser_source_access_log')
        .columns(['accessed_at'])
        .execute();
      await db.schema
        .createIndex('browser_source_access_log_community_idx')
        .on('browser_source_access_log')
        .columns(['community_id', 'accessed_at'])
        .execute();

      await db.schema
        .createTable('browser_source_settings')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('community_id', 'integer', (c) => c.notNull().unique())
        .addColumn('ticker_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('ticker_speed', 'integer', (c) => c.notNull().defaultTo(50))
        .addColumn('ticker_style', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('media_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('media_auto_hide', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('media_style', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('general_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('general_style', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('theme', 'varchar(50)', (c) => c.notNull().defaultTo('default'))
        .addColumn('custom_css', 'text')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
};
