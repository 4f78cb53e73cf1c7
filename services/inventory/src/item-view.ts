import type { Kysely, Selectable, Transaction } from 'kysely';
import type { CheckoutsTable, InventoryDB, ItemsTable } from './db.js';

export type ItemRow = Selectable<ItemsTable>;
type CheckoutRow = Selectable<CheckoutsTable>;
export type InventoryDb = Kysely<InventoryDB> | Transaction<InventoryDB>;

export interface Holder {
  name: string;
  quantity: number;
  /** When this holder's earliest unit still out was lent. */
  since: Date;
}

/** An item as the API and chat see it; the compatibility fields are derived from the checkouts. */
export interface ItemView {
  id: number;
  item_name: string;
  description: string | null;
  labels: string[];
  quantity: number;
  available_quantity: number;
  is_checked_out: boolean;
  checked_out_to: string | null;
  checked_out_at: string | null;
  checked_in_at: string | null;
  checkouts: { checked_out_to: string; quantity: number; checked_out_at: string }[];
  holders: Holder[];
  created_by: string;
  created_at: string;
  updated_at: string;
}

export const iso = (d: Date | string) => new Date(d).toISOString();

/** Active checkouts grouped by borrower (names compare case-insensitively), oldest first. */
export function holdersOf(active: readonly CheckoutRow[]): Holder[] {
  const byName = new Map<string, Holder>();
  for (const row of active) {
    const key = row.checked_out_to.toLowerCase();
    const since = new Date(row.checked_out_at);
    const seen = byName.get(key);
    if (seen) {
      seen.quantity += row.quantity;
      if (since < seen.since) seen.since = since;
    } else byName.set(key, { name: row.checked_out_to, quantity: row.quantity, since });
  }
  return [...byName.values()].sort((a, b) => a.since.getTime() - b.since.getTime());
}

/** Builds views for several items with two queries (active checkouts, last check-in). */
export async function viewsOf(db: InventoryDb, items: readonly ItemRow[]): Promise<ItemView[]> {
  if (items.length === 0) return [];
  const ids = items.map((i) => i.id);
  const active = await db
    .selectFrom('inventory_checkouts')
    .selectAll()
    .where('item_id', 'in', ids)
    .where('returned_at', 'is', null)
    .orderBy('checked_out_at')
    .orderBy('id')
    .execute();
  const lastReturns = await db
    .selectFrom('inventory_checkouts')
    .select(['item_id', (eb) => eb.fn.max('returned_at').as('last_returned')])
    .where('item_id', 'in', ids)
    .where('returned_at', 'is not', null)
    .groupBy('item_id')
    .execute();
  const returnedAt = new Map(lastReturns.map((r) => [Number(r.item_id), r.last_returned]));
  return items.map((item) => {
    const mine = active.filter((c) => Number(c.item_id) === Number(item.id));
    const holders = holdersOf(mine);
    const out = mine.reduce((sum, c) => sum + c.quantity, 0);
    const lastReturn = returnedAt.get(Number(item.id));
    return {
      id: Number(item.id),
      item_name: item.item_name,
      description: item.description,
      labels: item.labels ?? [],
      quantity: item.quantity,
      available_quantity: item.quantity - out,
      is_checked_out: out > 0,
      checked_out_to: holders.length ? holders.map((h) => h.name).join(', ') : null,
      checked_out_at: holders.length ? iso(holders[0]!.since) : null,
      checked_in_at: lastReturn ? iso(lastReturn) : null,
      checkouts: mine.map((c) => ({
        checked_out_to: c.checked_out_to,
        quantity: c.quantity,
        checked_out_at: iso(c.checked_out_at),
      })),
      holders,
      created_by: item.created_by,
      created_at: iso(item.created_at),
      updated_at: iso(item.updated_at),
    };
  });
}

export async function viewOf(db: InventoryDb, item: ItemRow): Promise<ItemView> {
  return (await viewsOf(db, [item]))[0]!;
}

/** The JSON shape of interaction-modules §5 (the holder summary is chat-only). */
export function publicItem(view: ItemView) {
  const { holders: _holders, ...rest } = view;
  return rest;
}
