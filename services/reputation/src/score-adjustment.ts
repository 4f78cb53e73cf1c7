import { sql } from '@waddlebot/core';
import type { ReputationDeps } from './reputation-deps.js';
import { lockReputationRow } from './reputation-row.js';
import { toScale } from './scoring-model.js';

/**
 * `PUT /reputation/:community_id/user/:user_id` (§5.3): an administrator sets a score. Logged as
 * a `manual_set` event; it is not platform activity, so `total_events` and `last_activity` stay.
 */
export async function setScore(
  deps: ReputationDeps,
  input: { communityId: number; userKey: string; score: number; reason: string; actor: string },
) {
  const now = deps.clock.now();
  const score = toScale(input.score);
  const result = await deps.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`reputation:user:${input.userKey}`}))`.execute(trx);
    const row = await lockReputationRow(trx, {
      userKey: input.userKey,
      communityId: input.communityId,
      initialScore: deps.range.initial,
      now,
    });
    const previous = Number(row.current_score);
    await trx
      .updateTable('user_reputation')
      .set({ current_score: score, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    await trx
      .insertInto('reputation_events')
      .values({
        user_id: input.userKey,
        community_id: input.communityId,
        entity_id: null,
        event_name: 'manual_set',
        event_score: toScale(score - previous),
        previous_score: previous,
        new_score: score,
        event_data: JSON.stringify({ reason: input.reason, set_by: input.actor }),
        processed_at: now,
      })
      .execute();
    return { previous_score: previous, new_score: score };
  });
  deps.logger.audit({
    action: 'reputation_manual_set',
    user: input.actor,
    community: input.communityId,
    result: 'SUCCESS',
    target: input.userKey,
    previous_score: result.previous_score,
    new_score: result.new_score,
  });
  return result;
}
