import { retiredUserKeys, type UserMerged } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { InventoryDB } from './db.js';

/**
 * Re-keys every column holding a user key to the surviving uid, in one transaction; running it
 * again changes nothing. Borrowers (`checked_out_to`) are names typed in chat, not keys, so stay.
 */
export async function mergeUser(db: Kysely<InventoryDB>, merge: UserMerged): Promise<number> {
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;
  const into = merge.into_uid;
  return db.transaction().execute(async (trx) => {
    const updates = [
      trx.updateTable('inventory_items').set({ created_by: into }).where('created_by', 'in', oldKeys),
      trx
        .updateTable('inventory_checkouts')
        .set({ checked_out_by: into })
        .where('checked_out_by', 'in', oldKeys),
      trx.updateTable('inventory_checkouts').set({ returned_by: into }).where('returned_by', 'in', oldKeys),
      trx.updateTable('inventory_activity').set({ performed_by: into }).where('performed_by', 'in', oldKeys),
    ];
    let moved = 0;
    for (const update of updates) moved += Number((await update.executeTakeFirst()).numUpdatedRows);
    return moved;
  });
}
