import { retiredUserKeys, sql, type UserMerged } from '@waddlebot/core';
import type { ReputationDeps } from './reputation-deps.js';

/**
 * Contracts §14 merge: per community the higher score is kept, `total_events` summed and the
 * latest `last_activity` kept; events are re-keyed. The retired uid's rows — and those of the
 * merged identities' `<platform>:<user_id>` keys, used while identity was unavailable — go away.
 * Idempotent: a second delivery finds nothing left to move.
 */
export async function mergeUser(
  deps: Pick<ReputationDeps, 'db' | 'clock'>,
  merge: UserMerged,
): Promise<number> {
  const into = merge.into_uid;
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;
  const now = deps.clock.now();

  return deps.db.transaction().execute(async (trx) => {
    for (const key of [into, ...oldKeys].sort())
      await sql`select pg_advisory_xact_lock(hashtext(${`reputation:user:${key}`}))`.execute(trx);
    let moved = 0;
    const rows = await trx
      .selectFrom('user_reputation')
      .selectAll()
      .where('user_id', 'in', oldKeys)
      .orderBy('id')
      .forUpdate()
      .execute();
    for (const old of rows) {
      const kept = await trx
        .selectFrom('user_reputation')
        .selectAll()
        .where('user_id', '=', into)
        .where('community_id', '=', old.community_id)
        .forUpdate()
        .executeTakeFirst();
      if (!kept) {
        await trx
          .updateTable('user_reputation')
          .set({ user_id: into, updated_at: now })
          .where('id', '=', old.id)
          .execute();
      } else {
        const latest = [kept.last_activity, old.last_activity]
          .filter((d): d is Date => d !== null)
          .map((d) => new Date(d))
          .sort((a, b) => b.getTime() - a.getTime())[0];
        await trx
          .updateTable('user_reputation')
          .set({
            current_score: Math.max(Number(kept.current_score), Number(old.current_score)),
            total_events: kept.total_events + old.total_events,
            last_activity: latest ?? null,
            updated_at: now,
          })
          .where('id', '=', kept.id)
          .execute();
        await trx.deleteFrom('user_reputation').where('id', '=', old.id).execute();
      }
      moved++;
    }
    const events = await trx
      .updateTable('reputation_events')
      .set({ user_id: into })
      .where('user_id', 'in', oldKeys)
      .executeTakeFirst();
    return moved + Number(events.numUpdatedRows);
  });
}
