import { retiredUserKeys, type UserMerged } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { ShoutoutDB } from './db.js';

/**
 * Re-keys who created target rows and who triggered shoutouts, from the retired uid and the merged
 * identities' `<platform>:<user_id>` keys to the surviving uid. Rows here are keyed by the Twitch
 * target, not the caller, so no two rows collide. Idempotent.
 */
export async function mergeUser(db: Kysely<ShoutoutDB>, merge: UserMerged): Promise<number> {
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    const users = await trx
      .updateTable('shoutout_users')
      .set({ created_by: merge.into_uid })
      .where('created_by', 'in', oldKeys)
      .executeTakeFirst();
    const history = await trx
      .updateTable('shoutout_history')
      .set({ triggered_by: merge.into_uid })
      .where('triggered_by', 'in', oldKeys)
      .executeTakeFirst();
    return Number(users.numUpdatedRows) + Number(history.numUpdatedRows);
  });
}
