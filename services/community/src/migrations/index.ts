import { GLOBAL_COMMUNITY_ID, ROLES } from '@waddlebot/core';
import { sql, type Kysely, type Migration } from 'kysely';

const roleList = sql.join(ROLES.map((r) => sql.lit(r)));

/**
 * core-and-admin §4.1. The router reads communities, entity_groups, community_memberships and
 * community_rbac directly (read-only), so their names and columns are part of the contract.
 */
export const migrations: Record<string, Migration> = {
  '20251120000000_community_tables': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('communities')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('owners', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      // A deleted (inactive) community frees its name.
      await db.schema
        .createIndex('communities_active_name_uq')
        .on('communities')
        .expression(sql`lower(name)`)
        .unique()
        .where(sql.ref('is_active'), '=', true)
        .execute();

      await db.schema
        .createTable('entity_groups')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'varchar(300)', (c) => c.notNull())
        .addColumn('platform', 'varchar(16)', (c) => c.notNull())
        .addColumn('server_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('entity_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('community_id', 'integer', (c) => c.notNull().references('communities.id'))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('entity_groups_active_server_uq')
        .on('entity_groups')
        .columns(['community_id', 'platform', 'server_id'])
        .unique()
        .where(sql.ref('is_active'), '=', true)
        .execute();
      await db.schema
        .createIndex('entity_groups_platform_server_idx')
        .on('entity_groups')
        .columns(['platform', 'server_id'])
        .execute();
      // The router resolves an entity with `entity_ids @> '["<entity_id>"]'`.
      await db.schema
        .createIndex('entity_groups_entity_ids_gin')
        .on('entity_groups')
        .using('gin')
        .column('entity_ids')
        .execute();

      await db.schema
        .createTable('community_memberships')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('community_id', 'integer', (c) => c.notNull().references('communities.id'))
        .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('joined_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('invited_by', 'varchar(256)')
        .execute();
      await db.schema
        .createIndex('community_memberships_active_uq')
        .on('community_memberships')
        .columns(['community_id', 'user_id'])
        .unique()
        .where(sql.ref('is_active'), '=', true)
        .execute();
      await db.schema
        .createIndex('community_memberships_user_idx')
        .on('community_memberships')
        .column('user_id')
        .execute();

      await db.schema
        .createTable('community_rbac')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('community_id', 'integer', (c) => c.notNull().references('communities.id'))
        .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) =>
          c
            .notNull()
            .defaultTo('member')
            .check(sql`role in (${roleList})`),
        )
        .addColumn('permissions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('assigned_by', 'varchar(256)')
        .addColumn('assigned_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .execute();
      await db.schema
        .createIndex('community_rbac_active_uq')
        .on('community_rbac')
        .columns(['community_id', 'user_id'])
        .unique()
        .where(sql.ref('is_active'), '=', true)
        .execute();
      await db.schema.createIndex('community_rbac_user_idx').on('community_rbac').column('user_id').execute();

      await db.schema
        .createTable('user_context')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('entity_id', 'varchar(400)', (c) => c.notNull())
        .addColumn('current_community_id', 'integer', (c) => c.notNull().references('communities.id'))
        .addColumn('set_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addUniqueConstraint('user_context_user_entity_uq', ['user_id', 'entity_id'])
        .execute();

      // The Global community has the fixed id 1 (core-and-admin §4.1); the sequence moves past it.
      await db
        .insertInto('communities')
        .values({
          id: GLOBAL_COMMUNITY_ID,
          name: 'Global Community',
          description: 'Every WaddleBot user and channel belongs here',
          settings: JSON.stringify({
            is_global: true,
            auto_join: true,
            public: true,
            allow_user_invite: false,
            allow_entity_management: false,
          }),
          owners: '[]',
          created_by: 'system',
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      await sql`select setval(pg_get_serial_sequence('community.communities', 'id'),
        greatest((select max(id) from community.communities), ${GLOBAL_COMMUNITY_ID}))`.execute(db);
    },
  },
};
