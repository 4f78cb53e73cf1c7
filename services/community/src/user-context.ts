import type { Queryable } from './communities.js';
import type { CommunityDeps } from './community-deps.js';
import type { CommunityRow } from './db.js';

/**
 * The community a user acts in on one entity (`!community context`), or undefined when none is
 * set, it expired (one hour) or its community was deleted.
 */
export async function currentContext(
  deps: Pick<CommunityDeps, 'db' | 'clock'>,
  userKey: string,
  entityId: string,
): Promise<CommunityRow | undefined> {
  return deps.db
    .selectFrom('user_context as uc')
    .innerJoin('communities as c', 'c.id', 'uc.current_community_id')
    .selectAll('c')
    .where('uc.user_id', '=', userKey)
    .where('uc.entity_id', '=', entityId)
    .where('uc.expires_at', '>', deps.clock.now())
    .where('c.is_active', '=', true)
    .executeTakeFirst();
}

export async function setContext(
  deps: Pick<CommunityDeps, 'db' | 'clock' | 'contextTtlSeconds'>,
  userKey: string,
  entityId: string,
  communityId: number,
  db: Queryable = deps.db,
): Promise<Date> {
  const now = deps.clock.now();
  const expires = new Date(now.getTime() + deps.contextTtlSeconds * 1000);
  await db
    .insertInto('user_context')
    .values({
      user_id: userKey,
      entity_id: entityId,
      current_community_id: communityId,
      set_at: now,
      expires_at: expires,
    })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'entity_id'])
        .doUpdateSet({ current_community_id: communityId, set_at: now, expires_at: expires }),
    )
    .execute();
  return expires;
}
