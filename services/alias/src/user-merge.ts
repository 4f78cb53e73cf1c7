import { retiredUserKeys, type UserMerged } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { AliasDB } from './db.js';

/**
 * Re-keys the creator of aliases from the retired uid (and from the merged identities'
 * `<platform>:<user_id>` keys, used while identity was unavailable) to the surviving uid.
 * Idempotent: a second delivery finds nothing left to move.
 */
export async function mergeUser(db: Kysely<AliasDB>, merge: UserMerged): Promise<number> {
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;
  const res = await db
    .updateTable('alias_commands')
    .set({ created_by: merge.into_uid })
    .where('created_by', 'in', oldKeys)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
