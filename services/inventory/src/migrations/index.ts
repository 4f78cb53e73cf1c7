import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '20251120000000_inventory': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('inventory_items')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('item_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.check(sql`char_length(description) <= 2000`))
        .addColumn('labels', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('quantity', 'integer', (c) =>
          c
            .notNull()
            .defaultTo(1)
            .check(sql`quantity between 1 and 10000`),
        )
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_by_name', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('inventory_items_name_uq')
        .on('inventory_items')
        .column('community_id')
        .expression(sql`lower(item_name)`)
        .unique()
        .execute();
      await db.schema
        .createIndex('inventory_items_community_idx')
        .on('inventory_items')
        .column('community_id')
        .execute();
      await db.schema
        .createIndex('inventory_items_labels_idx')
        .on('inventory_items')
        .using('gin')
        .column('labels')
        .execute();

      await db.schema
        .createTable('inventory_checkouts')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('item_id', 'bigint', (c) =>
          c.notNull().references('inventory_items.id').onDelete('cascade'),
        )
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('checked_out_to', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
        .addColumn('checked_out_by', 'text', (c) => c.notNull())
        .addColumn('checked_out_by_name', 'text')
        .addColumn('checked_out_at', 'timestamptz', (c) => c.notNull())
        .addColumn('returned_at', 'timestamptz')
        .addColumn('returned_by', 'text')
        .execute();
      await db.schema
        .createIndex('inventory_checkouts_active_idx')
        .on('inventory_checkouts')
        .column('item_id')
        .where(sql.ref('returned_at'), 'is', null)
        .execute();

      await db.schema
        .createTable('inventory_activity')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('item_id', 'bigint', (c) => c.references('inventory_items.id').onDelete('set null'))
        .addColumn('action', 'text', (c) =>
          c
            .notNull()
            .check(
              sql`action in ('add', 'checkout', 'checkin', 'delete', 'update', 'label_add', 'label_remove')`,
            ),
        )
        .addColumn('performed_by', 'text', (c) => c.notNull())
        .addColumn('performed_by_name', 'text')
        .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('inventory_activity_community_idx')
        .on('inventory_activity')
        .columns(['community_id', 'created_at desc'])
        .execute();
    },
  },
};
