import {
  ValidationError,
  isRole,
  isUndefinedTable,
  maxRole,
  permissionsFor,
  roleRank,
  type Role,
  type UserMerged,
} from '@waddlebot/core';
import { UID_MAX } from './db-limits.js';
import type { EventContext } from './event-context.js';
import { findUnstorableText } from './text-guard.js';
import { CacheKeys } from './registry.js';
import type { RouterContext } from './router-deps.js';
import { uidCacheKey } from './user-lookup.js';

const ROLE_CACHE_TTL = 60;

export interface StoredRole {
  role: Role;
  extra: string[];
}

export interface EffectiveRole {
  role: Role;
  platform_role: Role | null;
  permissions: string[];
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Stored role for (user key, entity): active `entity_roles` row → `community_rbac` row of the
 * entity's community → `member` (contracts §4, router-and-receivers §3.6).
 */
export function storedRole(
  ctx: RouterContext,
  userKey: string,
  entityId: string,
  community: number,
): Promise<StoredRole> {
  return ctx.cache.getOrLoad(CacheKeys.role(entityId, userKey, community), ROLE_CACHE_TTL, async () => {
    const own = await ctx.db
      .selectFrom('entity_roles')
      .select(['role', 'permissions'])
      .where('entity_id', '=', entityId)
      .where('user_id', '=', userKey)
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (own && isRole(own.role)) return { role: own.role, extra: asStrings(own.permissions) };
    return communityRole(ctx, userKey, community);
  });
}

async function communityRole(ctx: RouterContext, userKey: string, community: number): Promise<StoredRole> {
  try {
    const row = await ctx.community
      .selectFrom('community_rbac')
      .select(['role', 'permissions'])
      .where('community_id', '=', community)
      .where('user_id', '=', userKey)
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (row && isRole(row.role)) return { role: row.role, extra: asStrings(row.permissions) };
  } catch (err) {
    if (!isUndefinedTable(err)) throw err;
  }
  return { role: 'member', extra: [] };
}

/** Effective role = max(stored, platform role); permissions from the ladder plus stored extras. */
export async function effectiveRole(
  ctx: RouterContext,
  userKey: string,
  entityId: string,
  community: number,
  platformRole: unknown,
): Promise<EffectiveRole> {
  const stored = await storedRole(ctx, userKey, entityId, community);
  const platform = isRole(platformRole) ? platformRole : null;
  const role = maxRole(stored.role, platform);
  return { role, platform_role: platform, permissions: permissionsFor(role, stored.extra) };
}

/** The effective role of an event's sender in its entity (the same for commands and event modules). */
export function senderRole(ctx: RouterContext, ec: EventContext): Promise<EffectiveRole> {
  return effectiveRole(ctx, ec.userKey, ec.entity.entity_id, ec.community, ec.event.metadata.platform_role);
}

/** Admin `PUT /router/admin/roles` with `entity_id`: one active row per (entity, user). */
export async function assignEntityRole(
  ctx: RouterContext,
  input: { entity_id: string; user_id: string; role: Role; assigned_by: string | null },
) {
  const now = ctx.deps.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('entity_roles')
      .set({ is_active: false })
      .where('entity_id', '=', input.entity_id)
      .where('user_id', '=', input.user_id)
      .where('is_active', '=', true)
      .execute();
    await trx
      .insertInto('entity_roles')
      .values({ ...input, permissions: '[]', assigned_at: now, is_active: true })
      .execute();
  });
  await ctx.invalidate({ prefixes: [`role:${input.entity_id}:`] });
}

/**
 * `POST /internal/user-merged` (contracts §14): drops the cached uids of the moved identities
 * and re-keys `entity_roles`. Returns the number of role rows moved.
 */
export async function mergeUser(ctx: RouterContext, merge: UserMerged): Promise<number> {
  const problem = findUnstorableText(merge);
  if (problem) throw new ValidationError('Validation failed', [problem]);
  if (merge.into_uid.length > UID_MAX || merge.into_uid.includes(':'))
    throw new ValidationError('Validation failed', [{ path: 'into_uid', message: 'must be a uid' }]);
  const cached = merge.identities.map((i) => uidCacheKey(i.platform, i.platform_user_id));
  if (cached.length) await ctx.deps.state.kv.del(...cached);
  return mergeEntityRoles(ctx, merge.from_uid, merge.into_uid);
}

/** §14 merge: `entity_roles` of `from_uid` move to `into_uid`; the higher role wins per entity. */
async function mergeEntityRoles(ctx: RouterContext, fromUid: string, intoUid: string): Promise<number> {
  if (fromUid === intoUid) return 0;
  const moved = await ctx.db.transaction().execute(async (trx) => {
    const from = await trx
      .selectFrom('entity_roles')
      .selectAll()
      .where('user_id', '=', fromUid)
      .where('is_active', '=', true)
      .forUpdate()
      .execute();
    let n = 0;
    for (const row of from) {
      const into = await trx
        .selectFrom('entity_roles')
        .selectAll()
        .where('user_id', '=', intoUid)
        .where('entity_id', '=', row.entity_id)
        .where('is_active', '=', true)
        .forUpdate()
        .executeTakeFirst();
      if (!into) {
        await trx.updateTable('entity_roles').set({ user_id: intoUid }).where('id', '=', row.id).execute();
      } else {
        if (roleRank(row.role) > roleRank(into.role)) {
          const permissions = [...new Set([...asStrings(into.permissions), ...asStrings(row.permissions)])];
          await trx
            .updateTable('entity_roles')
            .set({ role: row.role, permissions: JSON.stringify(permissions) })
            .where('id', '=', into.id)
            .execute();
        }
        await trx.updateTable('entity_roles').set({ is_active: false }).where('id', '=', row.id).execute();
      }
      n++;
    }
    return n;
  });
  await ctx.invalidate({ prefixes: ['role:'] });
  return moved;
}
