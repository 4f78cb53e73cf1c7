import { ConflictError, NotFoundError, pageMeta, type PageMeta } from '@waddlebot/core';
import { sql } from 'kysely';
import { recordActivity } from './activity.js';
import type { IdentityDeps } from './identity-deps.js';
import { uidOf } from './users.js';

/** What an administrator sees of a user: never a password hash or key hash. */
export interface AdminUserView {
  user_id: string;
  username: string;
  email: string | null;
  display_name: string | null;
  primary_platform: string | null;
  is_active: boolean;
  created_at: string | null;
  last_login_at: string | null;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** Escapes LIKE wildcards so a search for "a_b" matches the literal text. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

/** Portal `/admin/users` (core-and-admin §7.2): users by id, optionally a username/e-mail substring. */
export async function listUsers(
  deps: Pick<IdentityDeps, 'db'>,
  input: { search?: string; page: number; perPage: number },
): Promise<{ users: AdminUserView[]; meta: PageMeta }> {
  const search = input.search?.trim();
  let query = deps.db.selectFrom('auth_user');
  if (search) {
    const pattern = likePattern(search);
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(username)`, 'like', pattern),
        eb(sql`lower(coalesce(email, ''))`, 'like', pattern),
      ]),
    );
  }
  const total = Number(
    (await query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
  );
  const rows = await query
    .select([
      'id',
      'username',
      'email',
      'display_name',
      'primary_platform',
      'is_active',
      'created_at',
      'last_login_at',
    ])
    .orderBy('id')
    .limit(input.perPage)
    .offset((input.page - 1) * input.perPage)
    .execute();
  return {
    users: rows.map((r) => ({
      user_id: uidOf(r.id),
      username: r.username,
      email: r.email,
      display_name: r.display_name,
      primary_platform: r.primary_platform,
      is_active: r.is_active,
      created_at: iso(r.created_at),
      last_login_at: iso(r.last_login_at),
    })),
    meta: pageMeta(input.page, input.perPage, total),
  };
}

/** Marks keys switched off by a deactivation, so reactivation restores exactly those. */
const SUSPENDED_FLAG = 'suspended_with_user';

/**
 * Activates or deactivates a user. A deactivated user cannot log in (password or OAuth), its JWTs
 * stop acting at identity, and its active API keys are switched off in `user_api_keys` itself:
 * libs/core reads that table for every service, so the keys stop working everywhere, not only here.
 * A user merged into another (§3.2 step 8) stays inactive: its accounts belong to the other user.
 */
export async function setUserActive(
  deps: Pick<IdentityDeps, 'db' | 'clock' | 'logger'>,
  userId: number,
  active: boolean,
  actor: string,
): Promise<{ user_id: string; is_active: boolean }> {
  const now = deps.clock.now();
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('auth_user')
      .select(['id', 'is_active', 'metadata'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (!user) return 'missing' as const;
    const merged = (user.metadata as Record<string, unknown> | null)?.merged_into;
    if (active && merged) return 'merged' as const;
    if (user.is_active === active) return 'unchanged' as const;
    await trx
      .updateTable('auth_user')
      .set({ is_active: active, updated_at: now })
      .where('id', '=', userId)
      .execute();
    if (active) {
      await trx
        .updateTable('user_api_keys')
        .set({ is_active: true, metadata: sql`metadata - ${SUSPENDED_FLAG}` })
        .where('user_id', '=', userId)
        .where('is_active', '=', false)
        .where('revoked_at', 'is', null)
        .where(sql<boolean>`metadata ? ${SUSPENDED_FLAG}`)
        .execute();
    } else {
      await trx
        .updateTable('user_api_keys')
        .set({
          is_active: false,
          metadata: sql`metadata || ${JSON.stringify({ [SUSPENDED_FLAG]: true })}::jsonb`,
        })
        .where('user_id', '=', userId)
        .where('is_active', '=', true)
        .execute();
    }
    await recordActivity(trx, {
      userId,
      action: active ? 'user_activate' : 'user_deactivate',
      success: true,
      metadata: { by: actor },
      at: now,
    });
    return 'changed' as const;
  });
  if (outcome === 'missing') throw new NotFoundError('User not found');
  if (outcome === 'merged') throw new ConflictError('This user was merged into another user');
  if (outcome === 'changed')
    deps.logger.audit({
      action: active ? 'user_activate' : 'user_deactivate',
      user: actor,
      target: uidOf(userId),
      result: 'SUCCESS',
    });
  return { user_id: uidOf(userId), is_active: active };
}
