import { sql, type Kysely, type Migration } from 'kysely';

/** core-and-admin §1.1 (the labels module's `entity_groups` became `platform_role_groups`, §0.7). */
export const migrations: Record<string, Migration> = {
  '20251120000000_labels_tables': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('labels')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('category', 'varchar(50)', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('color', 'varchar(7)', (c) => c.defaultTo('#000000'))
        .addColumn('icon', 'varchar(50)')
        .addColumn('is_system', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_by', 'varchar(100)', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .execute();
      // A deleted label frees its name.
      await db.schema
        .createIndex('labels_active_name_category_uq')
        .on('labels')
        .expression(sql`lower(name), category`)
        .unique()
        .where(sql.ref('is_active'), '=', true)
        .execute();
      await db.schema
        .createIndex('labels_category_active_idx')
        .on('labels')
        .columns(['category', 'is_active'])
        .execute();
      await db.schema
        .createIndex('labels_name_active_idx')
        .on('labels')
        .columns(['name', 'is_active'])
        .execute();

      await db.schema
        .createTable('entity_labels')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('entity_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('entity_type', 'varchar(50)', (c) => c.notNull())
        .addColumn('label_id', 'integer', (c) => c.notNull().references('labels.id'))
        .addColumn('community_id', 'varchar(100)')
        .addColumn('applied_by', 'varchar(255)', (c) => c.notNull())
        .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('expires_at', 'timestamptz')
        .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .execute();
      await db.schema
        .createIndex('entity_labels_active_uq')
        .on('entity_labels')
        .expression(sql`entity_id, entity_type, label_id, coalesce(community_id, '')`)
        .unique()
        .where(sql.ref('is_active'), '=', true)
        .execute();
      await db.schema
        .createIndex('entity_labels_entity_idx')
        .on('entity_labels')
        .columns(['entity_id', 'entity_type', 'is_active'])
        .execute();
      await db.schema
        .createIndex('entity_labels_label_idx')
        .on('entity_labels')
        .columns(['label_id', 'is_active'])
        .execute();
      await db.schema
        .createIndex('entity_labels_type_label_idx')
        .on('entity_labels')
        .columns(['entity_type', 'label_id', 'is_active'])
        .execute();

      await db.schema
        .createTable('platform_role_groups')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('entity_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('platform', 'varchar(16)', (c) => c.notNull())
        .addColumn('group_type', 'varchar(20)', (c) => c.notNull())
        .addColumn('group_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('group_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('auto_assign_rules', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('is_auto_assign', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .execute();
      await db.schema
        .createIndex('platform_role_groups_entity_idx')
        .on('platform_role_groups')
        .columns(['entity_id', 'platform', 'is_active'])
        .execute();
      await db.schema
        .createIndex('platform_role_groups_auto_idx')
        .on('platform_role_groups')
        .columns(['is_auto_assign', 'is_active'])
        .execute();

      await db.schema
        .createTable('platform_role_group_members')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('group_id', 'integer', (c) => c.notNull().references('platform_role_groups.id'))
        .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('platform_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('assigned_by', 'varchar(255)', (c) => c.notNull())
        .addColumn('assigned_reason', 'varchar(20)', (c) => c.notNull().defaultTo('manual'))
        .addColumn('assigned_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('expires_at', 'timestamptz')
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .execute();
      await db.schema
        .createIndex('platform_role_group_members_active_uq')
        .on('platform_role_group_members')
        .columns(['group_id', 'user_id'])
        .unique()
        .where(sql.ref('is_active'), '=', true)
        .execute();
      await db.schema
        .createIndex('platform_role_group_members_user_idx')
        .on('platform_role_group_members')
        .columns(['user_id', 'is_active'])
        .execute();
    },
  },
};
