import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_alias_commands': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('alias_commands')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('alias_type', 'text', (c) => c.notNull().check(sql`alias_type in ('text', 'command')`))
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_by_name', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_used', 'timestamptz')
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .execute();
      // Partial: a removed alias keeps its row (soft delete) and its name can be reused.
      await db.schema
        .createIndex('alias_commands_active_name_uq')
        .on('alias_commands')
        .columns(['community_id', 'alias'])
        .unique()
        .where(sql.ref('is_active'), '=', true)
        .execute();
      await db.schema
        .createIndex('alias_commands_created_by_idx')
        .on('alias_commands')
        .column('created_by')
        .execute();
    },
  },
};
