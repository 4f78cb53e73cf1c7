import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { ServerChannelTables } from './server-channel-store.js';

/** A table under construction; platform-specific columns are added through these. */
export type TableBuilder = CreateTableBuilder<string, string>;
export type AddColumns = (table: TableBuilder) => TableBuilder;

const keep: AddColumns = (table) => table;

/** `created_at` and `updated_at`, both set by the database on insert. */
export function withTimestamps(table: TableBuilder): TableBuilder {
  return table
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`));
}

/**
 * `<platform>_events`, the raw log `EventLog` writes (router-and-receivers §4.1 step 4): unique
 * `event_id`, then `platformColumns` (text: broadcaster, guild, team, channel ids), the user, the
 * payload and its processing state. Platform ids stay text without foreign keys: events of
 * servers that are not (or no longer) monitored are logged too.
 */
export async function createEventLogTable(
  db: Kysely<any>,
  table: string,
  opts: { platformColumns: string[]; timestampColumns?: string[]; indexedColumn?: string },
): Promise<void> {
  let builder: TableBuilder = db.schema
    .createTable(table)
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('event_type', 'text', (c) => c.notNull());
  for (const column of opts.platformColumns) builder = builder.addColumn(column, 'text');
  builder = builder
    .addColumn('user_id', 'text')
    .addColumn('user_name', 'text')
    .addColumn('event_data', 'jsonb', (c) => c.notNull())
    .addColumn('processed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('processed_at', 'timestamptz');
  for (const column of opts.timestampColumns ?? []) builder = builder.addColumn(column, 'timestamptz');
  await builder.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`)).execute();
  if (opts.indexedColumn)
    await db.schema
      .createIndex(`${table}_${opts.indexedColumn}_idx`)
      .on(table)
      .column(opts.indexedColumn)
      .execute();
}

/**
 * The two tables `ServerChannelStore` reads (Discord guilds/channels, Slack teams/channels,
 * contracts §17.5): a server row per platform id and channel rows pointing at it.
 */
export async function createServerChannelTables(
  db: Kysely<any>,
  t: ServerChannelTables,
  extra: { server?: AddColumns; channel?: AddColumns } = {},
): Promise<void> {
  const server = db.schema
    .createTable(t.serverTable)
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn(t.serverKey, 'text', (c) => c.notNull().unique())
    .addColumn(t.serverName, 'text')
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true));
  await withTimestamps(
    (extra.server ?? keep)(server)
      .addColumn('gateway_id', 'text')
      .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('member_count', 'integer'),
  ).execute();
  const channel = db.schema
    .createTable(t.channelTable)
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull().unique())
    .addColumn('channel_name', 'text')
    .addColumn('channel_type', 'text')
    .addColumn(t.channelServerRef, 'integer', (c) =>
      c.notNull().references(`${t.serverTable}.id`).onDelete('cascade'),
    )
    .addColumn('is_monitored', 'boolean', (c) => c.notNull().defaultTo(true));
  await withTimestamps((extra.channel ?? keep)(channel)).execute();
  await db.schema
    .createIndex(`${t.channelTable}_${t.channelServerRef}_idx`)
    .on(t.channelTable)
    .column(t.channelServerRef)
    .execute();
}
