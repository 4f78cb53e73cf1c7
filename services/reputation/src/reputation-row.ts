import type { Transaction } from 'kysely';
import type { ReputationDB } from './db.js';

/**
 * A user's reputation row in a community, created at the initial score on first use and locked
 * for the rest of the transaction, so concurrent changes to the score are not lost (§5.2).
 */
export async function lockReputationRow(
  trx: Transaction<ReputationDB>,
  row: { userKey: string; communityId: number; initialScore: number; now: Date },
) {
  await trx
    .insertInto('user_reputation')
    .values({
      user_id: row.userKey,
      community_id: row.communityId,
      current_score: row.initialScore,
      total_events: 0,
      last_activity: null,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) => oc.columns(['user_id', 'community_id']).doNothing())
    .execute();
  return trx
    .selectFrom('user_reputation')
    .select(['id', 'current_score', 'total_events'])
    .where('user_id', '=', row.userKey)
    .where('community_id', '=', row.communityId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}
