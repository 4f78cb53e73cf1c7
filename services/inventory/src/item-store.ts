import { isUniqueViolation, sql, type Clock } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { recordActivity } from './activity.js';
import type { ActivityAction, InventoryDB } from './db.js';
import { conflict, InventoryError, noSuchItem } from './inventory-error.js';
import * as input from './item-input.js';
import { viewOf, viewsOf, type InventoryDb, type ItemRow, type ItemView } from './item-view.js';

export interface InventoryDeps {
  db: Kysely<InventoryDB>;
  clock: Clock;
  maxLabels: number;
}

/** Who is acting: the user key (contracts §14) and the display name stored beside it. */
export interface Actor {
  key: string;
  name: string | null;
}

export const LIST_FILTERS = ['all', 'available', 'checked_out'] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

/** Case-insensitive name match inside one community. */
export function byName(db: InventoryDb, community: string, name: string) {
  return db
    .selectFrom('inventory_items')
    .selectAll()
    .where('community_id', '=', community)
    .where(sql<boolean>`lower(item_name) = lower(${name})`);
}

/** Locks the item row so concurrent checkouts/check-ins of it run one after another. */
export async function lockItem(trx: InventoryDb, community: string, name: string): Promise<ItemRow> {
  const item = await byName(trx, community, name).forUpdate().executeTakeFirst();
  if (!item) throw noSuchItem(name);
  return item;
}

/** The item's checkouts still out, oldest first. */
export function activeCheckouts(trx: InventoryDb, itemId: number) {
  return trx
    .selectFrom('inventory_checkouts')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('returned_at', 'is', null)
    .orderBy('checked_out_at')
    .orderBy('id')
    .execute();
}

export async function unitsOut(trx: InventoryDb, itemId: number): Promise<number> {
  return (await activeCheckouts(trx, itemId)).reduce((sum, c) => sum + c.quantity, 0);
}

export interface ItemSave {
  community: string;
  actor: Actor;
  /** The item as locked at the start of the change. */
  item: ItemRow;
  set: Partial<Pick<ItemRow, 'description' | 'quantity' | 'labels'>>;
  action: Exclude<ActivityAction, 'add' | 'delete'>;
  details: Record<string, unknown>;
}

/**
 * Saves a change to a locked item and its trail row in the caller's transaction, and answers the
 * item as it is now. Lending changes only the checkouts; the item is still stamped as updated.
 */
export async function saveItem(trx: InventoryDb, deps: Pick<InventoryDeps, 'clock'>, save: ItemSave) {
  const updated = await trx
    .updateTable('inventory_items')
    .set({ ...save.set, updated_at: deps.clock.now() })
    .where('id', '=', save.item.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordActivity(trx, deps, {
    community: save.community,
    itemId: save.item.id,
    action: save.action,
    actor: save.actor,
    details: { item_name: save.item.item_name, ...save.details },
  });
  return viewOf(trx, updated);
}

export interface NewItem {
  item_name: string;
  description?: string | null;
  labels?: readonly string[];
  quantity?: number | string;
}

export async function addItem(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  raw: NewItem,
): Promise<ItemView> {
  const name = input.itemName(raw.item_name);
  const quantity = raw.quantity === undefined ? 1 : input.quantity(raw.quantity);
  const description = input.description(raw.description);
  const labels = input.labelList(raw.labels ?? [], deps.maxLabels);
  const now = deps.clock.now();
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const existing = await byName(trx, community, name).executeTakeFirst();
      if (existing) throw duplicate(existing.item_name);
      const item = await trx
        .insertInto('inventory_items')
        .values({
          community_id: community,
          item_name: name,
          description,
          labels,
          quantity,
          created_by: actor.key,
          created_by_name: actor.name,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordActivity(trx, deps, {
        community,
        itemId: item.id,
        action: 'add',
        actor,
        details: { item_name: name, quantity, labels },
      });
      return viewOf(trx, item);
    });
  } catch (err) {
    // Two adds racing past the existence check meet at the unique index.
    if (isUniqueViolation(err)) throw duplicate(name);
    throw err;
  }
}

const duplicate = (name: string) =>
  new InventoryError(
    'conflict',
    `'${name}' is already in the inventory; use setqty to change its quantity`,
    'item_name',
  );

export async function getItem(deps: Pick<InventoryDeps, 'db'>, community: string, name: string) {
  const item = await byName(deps.db, community, name).executeTakeFirst();
  if (!item) throw noSuchItem(name);
  return viewOf(deps.db, item);
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

export interface ListOptions {
  filter?: ListFilter;
  /** Case-insensitive substring of name, description or a label. */
  query?: string;
  limit: number;
  offset?: number;
}

export async function listItems(
  deps: Pick<InventoryDeps, 'db'>,
  community: string,
  opts: ListOptions,
): Promise<{ items: ItemView[]; total: number }> {
  const filter = opts.filter ?? 'all';
  let q = deps.db.selectFrom('inventory_items as i').where('i.community_id', '=', community);
  if (filter !== 'all') {
    q = q.where((eb) => {
      const out = eb.fn.coalesce(
        eb
          .selectFrom('inventory_checkouts as c')
          .select((e) => e.fn.sum<number>('c.quantity').as('s'))
          .whereRef('c.item_id', '=', 'i.id')
          .where('c.returned_at', 'is', null),
        eb.lit(0),
      );
      return filter === 'available' ? eb('i.quantity', '>', out) : eb(out, '>', 0);
    });
  }
  if (opts.query) {
    const pattern = likePattern(opts.query);
    q = q.where((eb) =>
      eb.or([
        eb('i.item_name', 'ilike', pattern),
        eb('i.description', 'ilike', pattern),
        sql<boolean>`exists (select 1 from unnest(i.labels) as l(v) where l.v ilike ${pattern})`,
      ]),
    );
  }
  const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll('i')
    .orderBy(sql`lower(i.item_name)`)
    .orderBy('i.id')
    .limit(opts.limit)
    .offset(opts.offset ?? 0)
    .execute();
  return { items: await viewsOf(deps.db, rows), total: Number(total) };
}

export interface ItemChanges {
  description?: string | null;
  quantity?: number | string;
}

/** `setqty` and REST PATCH; the total can never drop below the units currently out. */
export async function updateItem(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  name: string,
  changes: ItemChanges,
): Promise<ItemView> {
  const quantity = changes.quantity === undefined ? undefined : input.quantity(changes.quantity);
  const description = changes.description === undefined ? undefined : input.description(changes.description);
  return deps.db.transaction().execute(async (trx) => {
    const item = await lockItem(trx, community, name);
    const details: Record<string, unknown> = {};
    if (quantity !== undefined) {
      const out = await unitsOut(trx, item.id);
      if (quantity < out) throw conflict(`Cannot set quantity below the ${out} unit(s) checked out`);
      details.quantity = { from: item.quantity, to: quantity };
    }
    if (description !== undefined) details.description = { from: item.description, to: description };
    return saveItem(trx, deps, {
      community,
      actor,
      item,
      set: {
        ...(quantity !== undefined ? { quantity } : {}),
        ...(description !== undefined ? { description } : {}),
      },
      action: 'update',
      details,
    });
  });
}

export async function deleteItem(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  name: string,
): Promise<{ item_name: string }> {
  return deps.db.transaction().execute(async (trx) => {
    const item = await lockItem(trx, community, name);
    const out = await unitsOut(trx, item.id);
    if (out > 0)
      throw conflict(`Item '${item.item_name}' has ${out} unit(s) checked out; check them in first`);
    // Recorded first so the trail keeps it; the FK then sets its item_id to null.
    await recordActivity(trx, deps, {
      community,
      itemId: item.id,
      action: 'delete',
      actor,
      details: { item_name: item.item_name, quantity: item.quantity, labels: item.labels },
    });
    await trx.deleteFrom('inventory_items').where('id', '=', item.id).execute();
    return { item_name: item.item_name };
  });
}
