import type { Role } from '@waddlebot/core';
import type { Kysely, Transaction } from 'kysely';
import type { CommunityDB } from './db.js';

/**
 * The row-level steps of membership changes (`community_memberships` beside `community_rbac`,
 * core-and-admin §4.1), run inside the caller's transaction after it locked the community.
 */

type Trx = Transaction<CommunityDB>;

export interface MembershipGrant {
  communityId: number;
  userKey: string;
  role: Role;
  /** Who invited or assigned (a user key), null for the creator's own rows. */
  by: string | null;
  now: Date;
}

export async function isMember(
  db: Kysely<CommunityDB> | Trx,
  communityId: number,
  userKey: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('community_memberships')
    .select('id')
    .where('community_id', '=', communityId)
    .where('user_id', '=', userKey)
    .where('is_active', '=', true)
    .executeTakeFirst();
  return row !== undefined;
}

/** An active membership row for the user, unless one exists already. */
export async function ensureMembership(trx: Trx, g: Omit<MembershipGrant, 'role'>): Promise<void> {
  if (await isMember(trx, g.communityId, g.userKey)) return;
  await trx
    .insertInto('community_memberships')
    .values({ community_id: g.communityId, user_id: g.userKey, joined_at: g.now, invited_by: g.by })
    .execute();
}

/** The user's one active role row gets `role`: updated in place, or created. */
export async function setRoleRow(trx: Trx, g: MembershipGrant): Promise<void> {
  const updated = await trx
    .updateTable('community_rbac')
    .set({ role: g.role, assigned_by: g.by, assigned_at: g.now })
    .where('community_id', '=', g.communityId)
    .where('user_id', '=', g.userKey)
    .where('is_active', '=', true)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return;
  await trx
    .insertInto('community_rbac')
    .values({
      community_id: g.communityId,
      user_id: g.userKey,
      role: g.role,
      permissions: '[]',
      assigned_by: g.by,
      assigned_at: g.now,
    })
    .execute();
}

/** A membership with its role, for a user key that has neither yet. */
export async function startMembership(trx: Trx, g: MembershipGrant): Promise<void> {
  await ensureMembership(trx, g);
  await setRoleRow(trx, g);
}

/**
 * Ends memberships in a community — of one user key, or of everyone when the community itself
 * goes: their membership and role rows turn inactive (kept for the record) and any
 * `!community context` pointing there is cleared.
 */
export async function endMemberships(trx: Trx, communityId: number, userKey?: string): Promise<void> {
  for (const table of ['community_memberships', 'community_rbac'] as const) {
    let update = trx
      .updateTable(table)
      .set({ is_active: false })
      .where('community_id', '=', communityId)
      .where('is_active', '=', true);
    if (userKey !== undefined) update = update.where('user_id', '=', userKey);
    await update.execute();
  }
  let contexts = trx.deleteFrom('user_context').where('current_community_id', '=', communityId);
  if (userKey !== undefined) contexts = contexts.where('user_id', '=', userKey);
  await contexts.execute();
}
