import { conflict } from './inventory-error.js';
import * as input from './item-input.js';
import { activeCheckouts, lockItem, saveItem, type Actor, type InventoryDeps } from './item-store.js';
import { holdersOf, type InventoryDb, type ItemView } from './item-view.js';

/** What a checkout or check-in moved: the item as it is now, whose units and how many. */
export interface LendingResult {
  item: ItemView;
  borrower: string;
  quantity: number;
}

/** Locks the item first, so concurrent checkouts of it cannot over-allocate (interaction-modules §5). */
async function lockWithCheckouts(trx: InventoryDb, community: string, name: string) {
  const item = await lockItem(trx, community, name);
  return { item, active: await activeCheckouts(trx, item.id) };
}

export async function checkoutItem(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  name: string,
  to: string,
  qty: number | string = 1,
): Promise<LendingResult> {
  const borrower = input.borrowerName(to);
  const quantity = input.quantity(qty);
  return deps.db.transaction().execute(async (trx) => {
    const { item, active } = await lockWithCheckouts(trx, community, name);
    const available = item.quantity - active.reduce((sum, c) => sum + c.quantity, 0);
    if (available <= 0) {
      const holders = holdersOf(active)
        .map((h) => h.name)
        .join(', ');
      throw conflict(`'${item.item_name}' is fully lent out (to ${holders})`);
    }
    if (quantity > available) throw conflict(`Only ${available} of ${item.item_name} available`);
    await trx
      .insertInto('inventory_checkouts')
      .values({
        item_id: item.id,
        community_id: community,
        checked_out_to: borrower,
        quantity,
        checked_out_by: actor.key,
        checked_out_by_name: actor.name,
        checked_out_at: deps.clock.now(),
      })
      .execute();
    const view = await saveItem(trx, deps, {
      community,
      actor,
      item,
      set: {},
      action: 'checkout',
      details: { checked_out_to: borrower, quantity },
    });
    return { item: view, borrower, quantity };
  });
}

/** Returns every unit one borrower holds; without a name only when exactly one borrower holds any. */
export async function checkinItem(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  name: string,
  from?: string,
): Promise<LendingResult> {
  const wanted = from === undefined || from.trim() === '' ? undefined : input.borrowerName(from);
  return deps.db.transaction().execute(async (trx) => {
    const { item, active } = await lockWithCheckouts(trx, community, name);
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
    const returned = active.filter((c) => c.checked_out_to.toLowerCase() === holder.name.toLowerCase());
    await trx
      .updateTable('inventory_checkouts')
      .set({ returned_at: deps.clock.now(), returned_by: actor.key })
      .where(
        'id',
        'in',
        returned.map((r) => r.id),
      )
      .execute();
    const view = await saveItem(trx, deps, {
      community,
      actor,
      item,
      set: {},
      action: 'checkin',
      details: { checked_out_to: holder.name, quantity: holder.quantity },
    });
    return { item: view, borrower: holder.name, quantity: holder.quantity };
  });
}
