import {
  ConflictError,
  NotFoundError,
  PLATFORMS,
  ValidationError,
  isUniqueViolation,
  sql,
} from '@waddlebot/core';
import type { AutoAssignRule, PlatformRoleGroupRow } from './db.js';
import type { LabelDeps } from './label-deps.js';

export const GROUP_TYPES = ['role', 'moderator', 'vip'] as const;
export const ASSIGN_REASONS = ['manual', 'auto_label', 'bulk'] as const;

export interface NewRoleGroup {
  entity_id: string;
  platform: string;
  group_type: (typeof GROUP_TYPES)[number];
  group_id: string;
  group_name: string;
  is_auto_assign: boolean;
  auto_assign_rules: AutoAssignRule[];
  created_by: string;
}

export interface RoleGroupView {
  id: number;
  entity_id: string;
  platform: string;
  group_type: string;
  group_id: string;
  group_name: string;
  is_auto_assign: boolean;
  auto_assign_rules: AutoAssignRule[];
  created_by: string;
  created_at: string;
  member_count: number;
}

export async function createRoleGroup(deps: LabelDeps, input: NewRoleGroup): Promise<number> {
  const now = deps.clock.now();
  const row = await deps.db
    .insertInto('platform_role_groups')
    .values({
      entity_id: input.entity_id,
      platform: input.platform,
      group_type: input.group_type,
      group_id: input.group_id,
      group_name: input.group_name,
      is_auto_assign: input.is_auto_assign,
      auto_assign_rules: JSON.stringify(input.auto_assign_rules),
      created_by: input.created_by,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  deps.logger.audit({
    action: 'role_group_create',
    user: input.created_by,
    result: 'SUCCESS',
    entity_group_id: row.id,
    platform: input.platform,
  });
  return row.id;
}

export async function listRoleGroups(
  deps: Pick<LabelDeps, 'db'>,
  filter: { entity_id?: string; platform?: string },
): Promise<RoleGroupView[]> {
  let q = deps.db
    .selectFrom('platform_role_groups as g')
    .selectAll('g')
    .select((eb) =>
      eb
        .selectFrom('platform_role_group_members as m')
        .whereRef('m.group_id', '=', 'g.id')
        .where('m.is_active', '=', true)
        .select((e) => e.fn.countAll<string>().as('n'))
        .as('member_count'),
    )
    .where('g.is_active', '=', true);
  if (filter.entity_id) q = q.where('g.entity_id', '=', filter.entity_id);
  if (filter.platform) q = q.where('g.platform', '=', filter.platform);
  const rows = await q.orderBy('g.id').limit(1000).execute();
  return rows.map((g) => ({
    id: g.id,
    entity_id: g.entity_id,
    platform: g.platform,
    group_type: g.group_type,
    group_id: g.group_id,
    group_name: g.group_name,
    is_auto_assign: g.is_auto_assign,
    auto_assign_rules: g.auto_assign_rules,
    created_by: g.created_by,
    created_at: new Date(g.created_at).toISOString(),
    member_count: Number(g.member_count ?? 0),
  }));
}

async function findActiveGroup(deps: Pick<LabelDeps, 'db'>, id: number): Promise<PlatformRoleGroupRow> {
  const group = await deps.db
    .selectFrom('platform_role_groups')
    .selectAll()
    .where('id', '=', id)
    .where('is_active', '=', true)
    .executeTakeFirst();
  if (!group) throw new NotFoundError('Entity group not found');
  return group;
}

export interface Membership {
  entity_group_id: number;
  user_id: string;
  platform_id: string;
  assigned_by: string;
  assigned_reason: (typeof ASSIGN_REASONS)[number];
  expires_at: Date | null;
}

/** Adds a member and grants the platform role through the hook (§1.3). */
export async function assignMember(deps: LabelDeps, m: Membership): Promise<number> {
  const group = await findActiveGroup(deps, m.entity_group_id);
  const now = deps.clock.now();
  if (m.expires_at && m.expires_at <= now)
    throw new ValidationError('expires_at must be in the future', [
      { path: 'expires_at', message: 'must be in the future' },
    ]);
  const id = await deps.db.transaction().execute(async (trx) => {
    // A membership past its expiry but not yet swept must not block a new one.
    await trx
      .updateTable('platform_role_group_members')
      .set({ is_active: false })
      .where('group_id', '=', group.id)
      .where('user_id', '=', m.user_id)
      .where('is_active', '=', true)
      .where('expires_at', '<=', now)
      .execute();
    try {
      const row = await trx
        .insertInto('platform_role_group_members')
        .values({
          group_id: group.id,
          user_id: m.user_id,
          platform_id: m.platform_id,
          assigned_by: m.assigned_by,
          assigned_reason: m.assigned_reason,
          assigned_at: now,
          expires_at: m.expires_at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('The user is already a member of this group');
      throw err;
    }
  });
  deps.logger.audit({
    action: 'role_group_assign',
    user: m.assigned_by,
    result: 'SUCCESS',
    entity_group_id: group.id,
    member: m.user_id,
    reason: m.assigned_reason,
  });
  await deps.roleHook.grant({
    platform: group.platform,
    entity_id: group.entity_id,
    group_type: group.group_type,
    group_id: group.group_id,
    group_name: group.group_name,
    user_id: m.user_id,
    platform_id: m.platform_id,
  });
  return id;
}

export async function removeMember(deps: LabelDeps, groupId: number, userId: string, actor: string) {
  await findActiveGroup(deps, groupId);
  const res = await deps.db
    .updateTable('platform_role_group_members')
    .set({ is_active: false })
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .where('is_active', '=', true)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new NotFoundError('The user is not a member of this group');
  deps.logger.audit({
    action: 'role_group_remove',
    user: actor,
    result: 'SUCCESS',
    entity_group_id: groupId,
    member: userId,
  });
}

interface IdentityUser {
  identities?: { platform?: unknown; platform_id?: unknown }[];
}

/**
 * The user's account on `platform`: read from a `<platform>:<id>` user key directly, else asked of
 * identity for a uid (only verified identities are listed there). Null when none is known.
 */
async function platformIdOf(deps: LabelDeps, userKey: string, platform: string): Promise<string | null> {
  const sep = userKey.indexOf(':');
  if (sep > 0) return userKey.slice(0, sep) === platform ? userKey.slice(sep + 1) : null;
  // Identity answers only decimal uids (core-and-admin §3.3).
  if (!/^\d+$/.test(userKey)) return null;
  const res = await deps.identity.get<{ data?: IdentityUser }>(
    `/identity/user/${encodeURIComponent(userKey)}`,
  );
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`identity answered ${res.status}`);
  const found = (res.body.data?.identities ?? []).find((i) => i.platform === platform);
  return typeof found?.platform_id === 'string' && found.platform_id ? found.platform_id : null;
}

/**
 * After a label is applied to a user (§1.3, runs after the response): every auto-assign group whose
 * rules name the label gains the user as a member, when the user has an account on its platform.
 */
export async function autoAssignForLabel(deps: LabelDeps, userKey: string, labelId: number): Promise<number> {
  const groups = await deps.db
    .selectFrom('platform_role_groups')
    .selectAll()
    .where('is_active', '=', true)
    .where('is_auto_assign', '=', true)
    .where(sql<boolean>`auto_assign_rules @> ${JSON.stringify([{ label_id: labelId }])}::jsonb`)
    .orderBy('id')
    .execute();
  let added = 0;
  for (const group of groups) {
    if (!(PLATFORMS as readonly string[]).includes(group.platform)) continue;
    let platformId: string | null;
    try {
      platformId = await platformIdOf(deps, userKey, group.platform);
    } catch (err) {
      deps.logger.warn('auto-assign skipped: identity unavailable', {
        entity_group_id: group.id,
        err: (err as Error).message,
      });
      continue;
    }
    if (!platformId) continue;
    try {
      await assignMember(deps, {
        entity_group_id: group.id,
        user_id: userKey,
        platform_id: platformId,
        assigned_by: 'system',
        assigned_reason: 'auto_label',
        expires_at: null,
      });
      added++;
    } catch (err) {
      if (err instanceof ConflictError) continue; // already a member
      throw err;
    }
  }
  return added;
}
