import type { Kysely } from 'kysely';
import { retiredUserKeys, type UserMerged } from '@waddlebot/core';
import type { ConversationHistory } from './conversation-history.js';
import type { AiDB } from './db.js';

/**
 * Re-keys what ai holds per user (contracts §14): the settings' `updated_by` and the in-memory
 * conversations of this process. Idempotent: a repeated notification finds nothing left to move.
 */
export async function mergeUser(
  db: Kysely<AiDB>,
  history: ConversationHistory,
  merge: UserMerged,
): Promise<number> {
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;
  const res = await db
    .updateTable('ai_community_settings')
    .set({ updated_by: merge.into_uid })
    .where('updated_by', 'in', oldKeys)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) + history.rekey(oldKeys, merge.into_uid);
}
