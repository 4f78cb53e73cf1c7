import type { Kysely } from 'kysely';
import type { UserMerged } from '@waddlebot/core';
import type { ConversationHistory } from './conversation-history.js';
import type { AiDB } from './db.js';

/** The keys a merge retires: the old uid and the `<platform>:<user_id>` keys of its identities. */
export function retiredKeys(merge: UserMerged): string[] {
  return [merge.from_uid, ...merge.identities.map((i) => `${i.platform}:${i.platform_user_id}`)].filter(
    (k) => k !== merge.into_uid,
  );
}

/**
 * Re-keys what ai holds per user (contracts §14): the settings' `updated_by` and the in-memory
 * conversations of this process. Idempotent: a repeated notification finds nothing left to move.
 */
export async function mergeUser(
  db: Kysely<AiDB>,
  history: ConversationHistory,
  merge: UserMerged,
): Promise<number> {
  const oldKeys = retiredKeys(merge);
  if (oldKeys.length === 0) return 0;
  const res = await db
    .updateTable('ai_community_settings')
    .set({ updated_by: merge.into_uid })
    .where('updated_by', 'in', oldKeys)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) + history.rekey(oldKeys, merge.into_uid);
}
