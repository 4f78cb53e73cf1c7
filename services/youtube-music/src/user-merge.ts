import type { Kysely } from 'kysely';
import { retiredUserKeys, type UserMerged } from '@waddlebot/core';
import type { YouTubeMusicDB } from './db.js';

const REKEYED = [
  ['youtube_now_playing', 'requested_by'],
  ['youtube_queue', 'requested_by'],
  ['youtube_search_cache', 'user_id'],
  ['youtube_activity', 'user_id'],
] as const;

/**
 * Re-keys requesters, cached searches and activity to the surviving uid (contracts §14); none of
 * these has a per-user unique key, so nothing needs de-duplicating. Idempotent.
 */
export async function mergeUser(db: Kysely<YouTubeMusicDB>, merge: UserMerged): Promise<number> {
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    let moved = 0;
    // One after another: the transaction has a single connection.
    for (const [table, column] of REKEYED) {
      const res = await trx
        .updateTable(table)
        .set({ [column]: merge.into_uid } as never)
        .where(column as never, 'in', oldKeys as never)
        .executeTakeFirst();
      moved += Number(res.numUpdatedRows);
    }
    return moved;
  });
}
