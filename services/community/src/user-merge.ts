import { maxRole, retiredUserKeys, sql, type UserMerged } from '@waddlebot/core';
import type { CommunityDeps } from './community-deps.js';
import { syncOwners } from './memberships.js';

/**
 * Contracts §14 merge: memberships, roles and contexts of the retired uid — and of the merged
 * identities' `<platform>:<user_id>` keys, used while identity was unavailable — move to the
 * surviving uid. Memberships are unioned (the earlier join date kept), the higher role wins,
 * `owners` and contexts are re-keyed. Idempotent: a second delivery finds nothing left to move.
 */
export async function mergeUser(deps: CommunityDeps, merge: UserMerged): Promise<number> {
  const into = merge.into_uid;
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;
  const now = deps.clock.now();

  const { moved, communities } = await deps.db.transaction().execute(async (trx) => {
    // Two deliveries of the same merge (identity retries) must not interleave.
    await sql`select pg_advisory_xact_lock(hashtext(${`community:user:${into}`}))`.execute(trx);
    let moved = 0;
    const touched = new Set<number>();

    const memberships = await trx
      .selectFrom('community_memberships')
      .selectAll()
      .where('user_id', 'in', oldKeys)
      .where('is_active', '=', true)
      .orderBy('joined_at')
      .execute();
    for (const old of memberships) {
      touched.add(old.community_id);
      const kept = await trx
        .selectFrom('community_memberships')
        .select(['id', 'joined_at'])
        .where('community_id', '=', old.community_id)
        .where('user_id', '=', into)
        .where('is_active', '=', true)
        .executeTakeFirst();
      if (kept) {
        if (new Date(old.joined_at) < new Date(kept.joined_at))
          await trx
            .updateTable('community_memberships')
            .set({ joined_at: old.joined_at })
            .where('id', '=', kept.id)
            .execute();
        await trx
          .updateTable('community_memberships')
          .set({ is_active: false })
          .where('id', '=', old.id)
          .execute();
      } else {
        await trx
          .updateTable('community_memberships')
          .set({ user_id: into })
          .where('id', '=', old.id)
          .execute();
      }
      moved++;
    }

    const roles = await trx
      .selectFrom('community_rbac')
      .selectAll()
      .where('user_id', 'in', oldKeys)
      .where('is_active', '=', true)
      .orderBy('id')
      .execute();
    for (const old of roles) {
      touched.add(old.community_id);
      const kept = await trx
        .selectFrom('community_rbac')
        .select(['id', 'role', 'permissions'])
        .where('community_id', '=', old.community_id)
        .where('user_id', '=', into)
        .where('is_active', '=', true)
        .executeTakeFirst();
      if (kept) {
        await trx
          .updateTable('community_rbac')
          .set({
            role: maxRole(kept.role, old.role),
            permissions: JSON.stringify([...new Set([...kept.permissions, ...old.permissions])]),
          })
          .where('id', '=', kept.id)
          .execute();
        await trx.updateTable('community_rbac').set({ is_active: false }).where('id', '=', old.id).execute();
      } else {
        await trx.updateTable('community_rbac').set({ user_id: into }).where('id', '=', old.id).execute();
      }
      moved++;
    }

    const contexts = await trx
      .selectFrom('user_context')
      .selectAll()
      .where('user_id', 'in', oldKeys)
      .orderBy('set_at')
      .execute();
    for (const old of contexts) {
      const kept = await trx
        .selectFrom('user_context')
        .select(['id', 'set_at'])
        .where('user_id', '=', into)
        .where('entity_id', '=', old.entity_id)
        .executeTakeFirst();
      // The more recent choice of context wins.
      if (kept && new Date(kept.set_at) >= new Date(old.set_at)) {
        await trx.deleteFrom('user_context').where('id', '=', old.id).execute();
      } else {
        if (kept) await trx.deleteFrom('user_context').where('id', '=', kept.id).execute();
        await trx.updateTable('user_context').set({ user_id: into }).where('id', '=', old.id).execute();
      }
      moved++;
    }

    await trx
      .updateTable('community_memberships')
      .set({ invited_by: into })
      .where('invited_by', 'in', oldKeys)
      .execute();
    await trx
      .updateTable('community_rbac')
      .set({ assigned_by: into })
      .where('assigned_by', 'in', oldKeys)
      .execute();
    await trx
      .updateTable('communities')
      .set({ created_by: into })
      .where('created_by', 'in', oldKeys)
      .execute();
    for (const communityId of touched) await syncOwners(trx, communityId, now);
    return { moved, communities: [...touched] };
  });
  for (const community_id of communities) deps.notifyRouter({ community_id });
  return moved;
}
