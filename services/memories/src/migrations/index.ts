import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_memories': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('memories')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text')
        .addColumn('memory_type', 'text', (c) =>
          c.notNull().check(sql`memory_type in ('quote', 'url', 'note')`),
        )
        .addColumn('title', 'varchar(255)', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull().check(sql`char_length(content) <= 2000`))
        .addColumn('url', 'text')
        .addColumn('author', 'varchar(255)')
        .addColumn('context', 'text')
        .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_by_name', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_used', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('memories_community_type_idx')
        .on('memories')
        .columns(['community_id', 'memory_type', 'created_at desc'])
        .where(sql.ref('is_active'), '=', true)
        .execute();
      await db.schema.createIndex('memories_tags_idx').on('memories').using('gin').column('tags').execute();

      await db.schema
        .createTable('memories_reminders')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('memory_id', 'bigint', (c) => c.references('memories.id').onDelete('set null'))
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('reminder_text', 'text', (c) => c.notNull().check(sql`char_length(reminder_text) <= 500`))
        .addColumn('remind_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('is_sent', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('sent_at', 'timestamptz')
        .addColumn('is_recurring', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('recurring_pattern', 'text', (c) =>
          c.check(sql`recurring_pattern in ('daily', 'weekly', 'monthly')`),
        )
        .addColumn('recurring_end', 'timestamptz')
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('delivery_status', 'text', (c) =>
          c
            .notNull()
            .defaultTo('pending')
            .check(sql`delivery_status in ('pending', 'sending', 'sent', 'failed', 'skipped')`),
        )
        .addColumn('claimed_at', 'timestamptz')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addCheckConstraint('memories_reminders_after_creation', sql`remind_at > created_at`)
        .execute();
      await db.schema
        .createIndex('memories_reminders_due_idx')
        .on('memories_reminders')
        .column('remind_at')
        .where(sql<boolean>`delivery_status = 'pending' and is_active`)
        .execute();
      await db.schema
        .createIndex('memories_reminders_user_idx')
        .on('memories_reminders')
        .columns(['community_id', 'user_id'])
        .execute();
    },
  },
  '20251201000000_memories_reminder_series': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('memories_reminders').addColumn('series_start', 'timestamptz').execute();
      // One row per occurrence of a series, however many scheduler replicas queue it.
      await db.schema
        .createIndex('memories_reminders_series_uq')
        .on('memories_reminders')
        .columns(['community_id', 'user_id', 'series_start', 'remind_at', 'reminder_text'])
        .unique()
        .where(sql<boolean>`series_start is not null`)
        .execute();
    },
  },
};
