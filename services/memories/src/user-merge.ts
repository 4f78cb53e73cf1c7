import type { Kysely } from 'kysely';
import type { UserMerged } from '@waddlebot/core';
import type { MemoriesDB } from './db.js';

/** The keys a merge retires: the old uid and the `<platform>:<user_id>` keys of its identities. */
export function retiredKeys(merge: UserMerged): string[] {
  return [merge.from_uid, ...merge.identities.map((i) => `${i.platform}:${i.platform_user_id}`)].filter(
    (k) => k !== merge.into_uid,
  );
}

/** Re-keys memory creators and reminder owners to the surviving uid; idempotent. */
export async function mergeUser(db: Kysely<MemoriesDB>, merge: UserMerged): Promise<number> {
  const oldKeys = retiredKeys(merge);
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
