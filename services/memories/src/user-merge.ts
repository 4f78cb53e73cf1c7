import type { Kysely } from 'kysely';
import { retiredUserKeys, type UserMerged } from '@waddlebot/core';
import type { MemoriesDB } from './db.js';

/** Re-keys memory creators and reminder owners to the surviving uid; idempotent. */
export async function mergeUser(db: Kysely<MemoriesDB>, merge: UserMerged): Promise<number> {
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    const a = await trx
      .updateTable('memories')
      .set({ created_by: merge.into_uid })
      .where('created_by', 'in', oldKeys)
      .executeTakeFirst();
    const b = await trx
      .updateTable('memories_reminders')
      .set({ user_id: merge.into_uid })
      .where('user_id', 'in', oldKeys)
      .executeTakeFirst();
    return Number(a.numUpdatedRows) + Number(b.numUpdatedRows);
  });
}
