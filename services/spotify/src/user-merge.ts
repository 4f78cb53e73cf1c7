import { retiredUserKeys, type UserMerged } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { SpotifyDB } from './db.js';

/** Re-keys every per-user column to the surviving uid (contracts §14); idempotent. */
export async function mergeUser(db: Kysely<SpotifyDB>, merge: UserMerged): Promise<number> {
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;
  const into = merge.into_uid;
  return db.transaction().execute(async (trx) => {
    // One statement at a time: a transaction owns a single connection.
    const moved = [
      await trx
        .updateTable('spotify_search_cache')
        .set({ user_id: into })
        .where('user_id', 'in', oldKeys)
        .executeTakeFirst(),
      await trx
        .updateTable('spotify_activity')
        .set({ user_id: into })
        .where('user_id', 'in', oldKeys)
        .executeTakeFirst(),
      await trx
        .updateTable('spotify_oauth_states')
        .set({ user_id: into })
        .where('user_id', 'in', oldKeys)
        .executeTakeFirst(),
      await trx
        .updateTable('spotify_tokens')
        .set({ connected_by_user_id: into })
        .where('connected_by_user_id', 'in', oldKeys)
        .executeTakeFirst(),
      await trx
        .updateTable('spotify_now_playing')
        .set({ requested_by: into })
        .where('requested_by', 'in', oldKeys)
        .executeTakeFirst(),
    ];
    return moved.reduce((sum, r) => sum + Number(r.numUpdatedRows), 0);
  });
}
