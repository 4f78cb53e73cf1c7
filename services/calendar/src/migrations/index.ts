import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_calendar': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('calendar_events')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('title', 'varchar(255)', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('event_date', 'timestamptz', (c) => c.notNull())
        .addColumn('end_date', 'timestamptz')
        .addColumn('location', 'varchar(500)')
        .addColumn('max_attendees', 'integer', (c) => c.check(sql`max_attendees >= 1`))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_by_name', 'text')
        .addColumn('status', 'text', (c) =>
          c
            .notNull()
            .defaultTo('pending')
            .check(sql`status in ('pending', 'approved', 'rejected', 'cancelled')`),
        )
        .addColumn('approved_by', 'text')
        .addColumn('approved_by_name', 'text')
        .addColumn('approved_at', 'timestamptz')
        .addColumn('rejection_reason', 'text')
        .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('is_recurring', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('recurring_pattern', 'text', (c) =>
          c.check(sql`recurring_pattern in ('daily', 'weekly', 'monthly', 'yearly')`),
        )
        .addColumn('recurring_end_date', 'timestamptz')
        .addColumn('parent_event_id', 'bigint', (c) => c.references('calendar_events.id').onDelete('cascade'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addCheckConstraint('calendar_events_end_after_start', sql`end_date is null or end_date > event_date`)
        .execute();
      await db.schema
        .createIndex('calendar_events_community_status_idx')
        .on('calendar_events')
        .columns(['community_id', 'status', 'event_date'])
        .execute();
      await db.schema
        .createIndex('calendar_events_created_by_idx')
        .on('calendar_events')
        .column('created_by')
        .execute();
      await db.schema
        .createIndex('calendar_events_parent_idx')
        .on('calendar_events')
        .column('parent_event_id')
        .execute();

      await db.schema
        .createTable('calendar_event_attendees')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('event_id', 'bigint', (c) =>
          c.notNull().references('calendar_events.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('attending'))
        .addColumn('joined_at', 'timestamptz', (c) => c.notNull())
        .addUniqueConstraint('calendar_event_attendees_event_user_uq', ['event_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('calendar_event_attendees_user_idx')
        .on('calendar_event_attendees')
        .column('user_id')
        .execute();

      await db.schema
        .createTable('calendar_event_reminders')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('event_id', 'bigint', (c) =>
          c.notNull().references('calendar_events.id').onDelete('cascade'),
        )
        .addColumn('reminder_time', 'timestamptz', (c) => c.notNull())
        .addColumn('reminder_type', 'text', (c) => c.notNull().defaultTo('chat'))
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('sent', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('sent_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('delivery_status', 'text', (c) =>
          c
            .notNull()
            .defaultTo('pending')
            .check(sql`delivery_status in ('pending', 'sending', 'sent', 'failed', 'skipped')`),
        )
        .addColumn('claimed_at', 'timestamptz')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('calendar_event_reminders_due_idx')
        .on('calendar_event_reminders')
        .column('reminder_time')
        .where(sql.ref('delivery_status'), '=', 'pending')
        .execute();
      await db.schema
        .createIndex('calendar_event_reminders_event_idx')
        .on('calendar_event_reminders')
        .column('event_id')
        .execute();

      await db.schema
        .createTable('calendar_settings')
        .addColumn('community_id', 'text', (c) => c.primaryKey())
        .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
        .addColumn('reminder_offsets_minutes', sql`integer[]`, (c) =>
          c.notNull().defaultTo(sql`'{1440,60,15}'`),
        )
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
};
