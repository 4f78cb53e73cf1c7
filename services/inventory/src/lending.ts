import { recordActivity } from './activity.js';
import { conflict } from './inventory-error.js';
import * as input from './item-input.js';
import { lockItem, type Actor, type InventoryDeps } from './item-store.js';
import { holdersOf, viewOf, type ItemView } from './item-view.js';

export interface CheckoutResult {
  item: ItemView;
  borrower: string;
  quantity: number;
}

export async function checkoutItem(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  name: string,
  to: string,
  qty: number | string = 1,
): Promise<CheckoutResult> {
  const borrower = input.borrowerName(to);
  const quantity = input.quantity(qty);
  return deps.db.transaction().execute(async (trx) => {
    const item = await lockItem(trx, community, name);
    const active = await trx
      .selectFrom('inventory_checkouts')
      .selectAll()
      .where('item_id', '=', item.id)
      .where('returned_at', 'is', null)
      .execute();
    const available = item.quantity - active.reduce((sum, c) => sum + c.quantity, 0);
    if (available <= 0) {
      const holders = holdersOf(active)
        .map((h) => h.name)
        .join(', ');
      throw conflict(`'${item.item_name}' is fully lent out (to ${holders})`);
    }
    if (quantity > available) throw conflict(`Only ${available} of ${item.item_name} available`);
    const now = deps.clock.now();
    await trx
      .insertInto('inventory_checkouts')
      .values({
        item_id: item.id,
        community_id: community,
        checked_out_to: borrower,
        quantity,
        checked_out_by: actor.key,
        checked_out_by_name: actor.name,
        checked_out_at: now,
      })
      .execute();
    await trx.updateTable('inventory_items').set({ updated_at: now }).where('id', '=', item.id).execute();
    await recordActivity(trx, deps, {
      community,
      itemId: item.id,
      action: 'checkout',
      actor,
      details: { item_name: item.item_name, checked_out_to: borrower, quantity },
    });
    return { item: await viewOf(trx, { ...item, updated_at: now }), borrower, quantity };
  });
}

export interface CheckinResult {
  item: ItemView;
  borrower: string;
  quantity: number;
}

/** Returns every unit one borrower holds; without a name only when exactly one borrower holds any. */
export async function checkinItem(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  name: string,
  from?: string,
): Promise<CheckinResult> {
  const wanted = from === undefined || from.trim() === '' ? undefined : input.borrowerName(from);
  return deps.db.transaction().execute(async (trx) => {
    const item = await lockItem(trx, community, name);
    const active = await trx
      .selectFrom('inventory_checkouts')
      .selectAll()
      .where('item_id', '=', item.id)
      .where('returned_at', 'is', null)
      .execute();
    const holders = holdersOf(active);
    if (holders.length === 0) throw conflict(`'${item.item_name}' is not checked out`);
    let holder = holders[0]!;
    if (wanted === undefined) {
      if (holders.length > 1)
        throw conflict(
          `'${item.item_name}' is held by several users (${holders.map((h) => h.name).join(', ')}); say whose to return`,
        );
    } else {
      const match = holders.find((h) => h.name.toLowerCase() === wanted.toLowerCase());
      if (!match) throw conflict(`'${item.item_name}' is not checked out to ${wanted}`);
      holder = match;
    }
    const now = deps.clock.now();
    const rows = active.filter((c) => c.checked_out_to.toLowerCase() === holder.name.toLowerCase());
    await trx
      .updateTable('inventory_checkouts')
      .set({ returned_at: now, returned_by: actor.key })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    await trx.updateTable('inventory_items').set({ updated_at: now }).where('id', '=', item.id).execute();
    await recordActivity(trx, deps, {
      community,
      itemId: item.id,
      action: 'checkin',
      actor,
      details: { item_name: item.item_name, checked_out_to: holder.name, quantity: holder.quantity },
    });
    return {
      item: await viewOf(trx, { ...item, updated_at: now }),
      borrower: holder.name,
      quantity: holder.quantity,
    };
  });
}
