import { ConflictError, ForbiddenError, NotFoundError, hasRole, sql, type Role } from '@waddlebot/core';
import type { Transaction } from 'kysely';
import { isGlobal, lockCommunity, type Queryable } from './communities.js';
import type { CommunityDeps } from './community-deps.js';
import type { CommunityDB } from './db.js';
import { endMemberships, isMember, startMembership } from './membership-rows.js';

export interface StoredRole {
  role: Role;
  /** Extra grants of the community_rbac row (contracts §4). */
  permissions: string[];
  /** False for the Global community's implicit membership. */
  explicit: boolean;
}

/**
 * The stored role of a user key in a community: its active community_rbac row, else `member` for
 * a member; null for a non-member. Everyone is a member of the Global community (§4.1).
 */
export async function storedRole(
  db: Queryable,
  communityId: number,
  userKey: string,
): Promise<StoredRole | null> {
  const rbac = await db
    .selectFrom('community_rbac')
    .select(['role', 'permissions'])
    .where('community_id', '=', communityId)
    .where('user_id', '=', userKey)
    .where('is_active', '=', true)
    .executeTakeFirst();
  if (rbac || (await isMember(db, communityId, userKey)))
    return { role: rbac?.role ?? 'member', permissions: rbac?.permissions ?? [], explicit: true };
  return isGlobal(communityId) ? { role: 'member', permissions: [], explicit: false } : null;
}

/** Re-derives `communities.owners` from the active owner rows, inside the caller's transaction. */
export async function syncOwners(trx: Transaction<CommunityDB>, communityId: number, now: Date) {
  const owners = await trx
    .selectFrom('community_rbac')
    .select('user_id')
    .where('community_id', '=', communityId)
    .where('role', '=', 'owner')
    .where('is_active', '=', true)
    .orderBy('assigned_at')
    .orderBy('id')
    .execute();
  await trx
    .updateTable('communities')
    .set({ owners: JSON.stringify(owners.map((o) => o.user_id)), updated_at: now })
    .where('id', '=', communityId)
    .execute();
  return owners.length;
}

/** `!community add user`: a new membership with role `member`; an existing member is refused. */
export async function addMember(
  deps: CommunityDeps,
  input: { communityId: number; userKey: string; invitedBy: string },
): Promise<void> {
  if (isGlobal(input.communityId))
    throw new ConflictError('Everyone is already a member of the Global community');
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await lockCommunity(trx, input.communityId);
    if (await isMember(trx, input.communityId, input.userKey))
      throw new ConflictError(`${input.userKey} is already a member`);
    await startMembership(trx, {
      communityId: input.communityId,
      userKey: input.userKey,
      role: 'member',
      by: input.invitedBy,
      now,
    });
  });
  deps.logger.audit({
    action: 'member_add',
    user: input.invitedBy,
    community: input.communityId,
    result: 'SUCCESS',
    member: input.userKey,
  });
  deps.notifyRouter({ community_id: input.communityId });
}

export interface RoleChange {
  communityId: number;
  userKey: string;
  role: Role;
  assignedBy: string | null;
}

/**
 * Sets a member's role (router role API and portal, §4.3); a non-member becomes a member with it.
 * The last owner cannot be demoted: a community always keeps an owner.
 */
export async function setMemberRole(deps: CommunityDeps, change: RoleChange): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await lockCommunity(trx, change.communityId);
    const current = await storedRole(trx, change.communityId, change.userKey);
    await startMembership(trx, {
      communityId: change.communityId,
      userKey: change.userKey,
      role: change.role,
      by: change.assignedBy,
      now,
    });
    const owners = await syncOwners(trx, change.communityId, now);
    if (owners === 0 && current?.role === 'owner' && !isGlobal(change.communityId))
      throw new ConflictError('A community must keep at least one owner');
  });
  deps.logger.audit({
    action: 'role_set',
    user: change.assignedBy,
    community: change.communityId,
    result: 'SUCCESS',
    member: change.userKey,
    role: change.role,
  });
  deps.notifyRouter({ community_id: change.communityId });
}

async function deactivateMember(
  trx: Transaction<CommunityDB>,
  communityId: number,
  userKey: string,
  now: Date,
) {
  await endMemberships(trx, communityId, userKey);
  return syncOwners(trx, communityId, now);
}

/** `!community leave`: refused for the Global community and for the last owner. */
export async function leaveCommunity(
  deps: CommunityDeps,
  communityId: number,
  userKey: string,
): Promise<void> {
  if (isGlobal(communityId)) throw new ConflictError('Nobody can leave the Global community');
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const community = await lockCommunity(trx, communityId);
    const current = await storedRole(trx, communityId, userKey);
    if (!current) throw new NotFoundError(`You are not a member of ${community.name}`);
    const owners = await deactivateMember(trx, communityId, userKey, now);
    if (owners === 0 && current.role === 'owner')
      throw new ConflictError(
        `You are the last owner of ${community.name}: make another member owner first, or delete the community`,
      );
  });
  deps.logger.audit({ action: 'member_leave', user: userKey, community: communityId, result: 'SUCCESS' });
  deps.notifyRouter({ community_id: communityId });
}

/**
 * Removes a member (`community.remove_user`, admin). Admins and owners can only be removed by an
 * owner, and never the last owner.
 */
export async function removeMember(
  deps: CommunityDeps,
  input: { communityId: number; userKey: string; actor: string; actorRole: Role },
): Promise<void> {
  if (isGlobal(input.communityId)) throw new ConflictError('Nobody can be removed from the Global community');
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const community = await lockCommunity(trx, input.communityId);
    const target = await storedRole(trx, input.communityId, input.userKey);
    if (!target) throw new NotFoundError(`${input.userKey} is not a member of ${community.name}`);
    if (hasRole(target.role, 'admin') && !hasRole(input.actorRole, 'owner'))
      throw new ForbiddenError('Only an owner can remove an admin or owner');
    const owners = await deactivateMember(trx, input.communityId, input.userKey, now);
    if (owners === 0 && target.role === 'owner')
      throw new ConflictError(`${input.userKey} is the last owner of ${community.name}`);
  });
  deps.logger.audit({
    action: 'member_remove',
    user: input.actor,
    community: input.communityId,
    result: 'SUCCESS',
    member: input.userKey,
  });
  deps.notifyRouter({ community_id: input.communityId });
}

export interface MemberView {
  user_id: string;
  role: Role;
  joined_at: string;
  invited_by: string | null;
}

/** Members ordered by join date, optionally filtered by a user-id substring. */
export async function listMembers(
  db: Queryable,
  communityId: number,
  opts: { page: number; perPage: number; search?: string },
): Promise<{ members: MemberView[]; total: number }> {
  let base = db
    .selectFrom('community_memberships as m')
    .leftJoin('community_rbac as r', (j) =>
      j
        .onRef('r.community_id', '=', 'm.community_id')
        .onRef('r.user_id', '=', 'm.user_id')
        .on('r.is_active', '=', true),
    )
    .where('m.community_id', '=', communityId)
    .where('m.is_active', '=', true);
  if (opts.search) {
    const pattern = `%${opts.search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    base = base.where(sql<boolean>`m.user_id ilike ${pattern}`);
  }
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .select(['m.user_id', 'r.role', 'm.joined_at', 'm.invited_by'])
    .orderBy('m.joined_at')
    .orderBy('m.id')
    .limit(opts.perPage)
    .offset((opts.page - 1) * opts.perPage)
    .execute();
  return {
    total: Number(total.n),
    members: rows.map((r) => ({
      user_id: r.user_id,
      role: r.role ?? 'member',
      joined_at: new Date(r.joined_at).toISOString(),
      invited_by: r.invited_by,
    })),
  };
}
