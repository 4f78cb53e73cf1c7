import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_ai_community_settings': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('ai_community_settings')
        .addColumn('community_id', 'text', (c) => c.primaryKey())
        .addColumn('system_prompt', 'text', (c) => c.check(sql`char_length(system_prompt) <= 2000`))
        .addColumn('model', 'text', (c) => c.check(sql`char_length(model) <= 100`))
        .addColumn('temperature', 'real', (c) => c.check(sql`temperature between 0 and 2`))
        .addColumn('max_tokens', 'integer', (c) => c.check(sql`max_tokens between 1 and 4096`))
        .addColumn('response_prefix', 'text', (c) => c.check(sql`char_length(response_prefix) <= 20`))
        .addColumn('passive_chat', 'boolean')
        .addColumn('event_types', sql`text[]`)
        .addColumn('updated_by', 'text')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      // user-merge re-keys updated_by; without an index that is a full scan per merge.
      await db.schema
        .createIndex('ai_community_settings_updated_by_idx')
        .on('ai_community_settings')
        .column('updated_by')
        .execute();
    },
  },
};
