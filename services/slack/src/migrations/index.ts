import { createEventLogTable, createServerChannelTables } from '@waddlebot/core';
import { sql, type Kysely, type Migration } from 'kysely';
import { TEAM_TABLES } from '../db.js';

export const migrations: Record<string, Migration> = {
  '20251120000000_init': {
    async up(db: Kysely<any>) {
      await createServerChannelTables(db, TEAM_TABLES, {
        server: (teams) => teams.addColumn('team_domain', 'text').addColumn('enterprise_id', 'text'),
        channel: (channels) =>
          channels.addColumn('is_archived', 'boolean', (c) => c.notNull().defaultTo(false)),
      });
      await createEventLogTable(db, 'slack_events', {
        platformColumns: ['team_id', 'channel_id'],
        timestampColumns: ['event_timestamp'],
      });
      // The user cache outlives monitoring changes, so it keys on the platform ids, not the team row.
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
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('slack_users_team_user_uq', ['team_id', 'user_id'])
        .execute();
      await db.schema.createIndex('slack_users_username_idx').on('slack_users').column('username').execute();
    },
  },
};
