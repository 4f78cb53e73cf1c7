import { retiredUserKeys, sql, type UserMerged } from '@waddlebot/core';
import type { LabelDeps } from './label-deps.js';

/**
 * Contracts §14 merge: `user` label assignments and role-group memberships of the retired uid —
 * and of the merged identities' `<platform>:<user_id>` keys, used while identity was unavailable —
 * move to the surviving uid; one the survivor already holds is dropped. Idempotent: a second
 * delivery finds nothing left to move.
 */
export async function mergeUser(deps: Pick<LabelDeps, 'db'>, merge: UserMerged): Promise<number> {
  const into = merge.into_uid;
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;

  return deps.db.transaction().execute(async (trx) => {
    // Two deliveries of the same merge (identity retries) must not interleave.
    await sql`select pg_advisory_xact_lock(hashtext(${`labels:user:${into}`}))`.execute(trx);
    let moved = 0;

    const assignments = await trx
      .selectFrom('entity_labels')
      .select(['id', 'label_id', 'community_id'])
      .where('entity_type', '=', 'user')
      .where('entity_id', 'in', oldKeys)
      .where('is_active', '=', true)
      .orderBy('id')
      .execute();
    for (const old of assignments) {
      const kept = await trx
        .selectFrom('entity_labels')
        .select('id')
        .where('entity_type', '=', 'user')
        .where('entity_id', '=', into)
        .where('label_id', '=', old.label_id)
        .where(sql<boolean>`coalesce(community_id, '') = ${old.community_id ?? ''}`)
        .where('is_active', '=', true)
        .executeTakeFirst();
      await trx
        .updateTable('entity_labels')
        .set(kept ? { is_active: false } : { entity_id: into })
        .where('id', '=', old.id)
        .execute();
      moved++;
    }

    const memberships = await trx
      .selectFrom('platform_role_group_members')
      .select(['id', 'group_id'])
      .where('user_id', 'in', oldKeys)
      .where('is_active', '=', true)
      .orderBy('id')
      .execute();
    for (const old of memberships) {
      const kept = await trx
        .selectFrom('platform_role_group_members')
        .select('id')
        .where('group_id', '=', old.group_id)
        .where('user_id', '=', into)
        .where('is_active', '=', true)
        .executeTakeFirst();
      await trx
        .updateTable('platform_role_group_members')
        .set(kept ? { is_active: false } : { user_id: into })
        .where('id', '=', old.id)
        .execute();
      moved++;
    }
    return moved;
  });
}
