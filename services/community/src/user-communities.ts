import { GLOBAL_COMMUNITY_ID, roleRank, type Role } from '@waddlebot/core';
import { communityCounts, type Queryable } from './communities.js';

export interface UserCommunity {
  id: number;
  name: string;
  description: string | null;
  role: Role;
  joined_at: string | null;
  member_count: number;
  entity_group_count: number;
}

/**
 * The communities a user key belongs to, with its role in each; the Global community is always
 * included (everyone is its member, §4.1). Ordered by join date, Global last.
 */
export async function listUserCommunities(
  db: Queryable,
  userKey: string,
  opts: { roleMin?: Role } = {},
): Promise<UserCommunity[]> {
  const rows = await db
    .selectFrom('community_memberships as m')
    .innerJoin('communities as c', 'c.id', 'm.community_id')
    .leftJoin('community_rbac as r', (j) =>
      j
        .onRef('r.community_id', '=', 'm.community_id')
        .onRef('r.user_id', '=', 'm.user_id')
        .on('r.is_active', '=', true),
    )
    .select(['c.id', 'c.name', 'c.description', 'r.role', 'm.joined_at'])
    .where('m.user_id', '=', userKey)
    .where('m.is_active', '=', true)
    .where('c.is_active', '=', true)
    .orderBy('m.joined_at')
    .orderBy('m.id')
    .execute();
  const explicit: Omit<UserCommunity, 'member_count' | 'entity_group_count'>[] = rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    role: r.role ?? 'member',
    joined_at: new Date(r.joined_at).toISOString(),
  }));
  if (!explicit.some((r) => r.id === GLOBAL_COMMUNITY_ID)) {
    const global = await db
      .selectFrom('communities')
      .select(['id', 'name', 'description'])
      .where('id', '=', GLOBAL_COMMUNITY_ID)
      .executeTakeFirstOrThrow();
    explicit.push({ ...global, role: 'member', joined_at: null });
  }
  const minRank = roleRank(opts.roleMin ?? 'member');
  const wanted = explicit.filter((c) => roleRank(c.role) >= minRank);
  const counts = await communityCounts(
    db,
    wanted.map((c) => c.id),
  );
  return wanted.map((c) => ({ ...c, ...counts.get(c.id)! }));
}
