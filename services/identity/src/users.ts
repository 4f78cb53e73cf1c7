import { isUniqueViolation, type Platform } from '@waddlebot/core';
import { sql, type Insertable } from 'kysely';
import { DEFAULT_ACCOUNT_ROLE } from './account-roles.js';
import type { AuthUserTable, IdentityDb } from './db.js';
import type { IdentityDeps } from './identity-deps.js';

/** The uid of contracts §14 is the decimal auth_user.id. */
export const uidOf = (userId: number): string => String(userId);

const USERNAME_MAX = 64;
const MAX_USERNAME_PROBES = 50;

/** Lower-case base for generated usernames: no spaces, no `@` (login takes a username or an e-mail). */
function usernameBase(raw: string): string {
  const cleaned = raw
    .trim()
    .replace(/[\s@]+/g, '_')
    .replace(/[^\p{L}\p{N}_.-]/gu, '')
    .slice(0, USERNAME_MAX - 4);
  return cleaned.length >= 3 ? cleaned : `${cleaned}user`.slice(0, USERNAME_MAX - 4);
}

/**
 * `base`, else `base-2`, `base-3`… (core-and-admin §3.2 step 0, §3.4 step 4): the first free one
 * by a case-insensitive comparison. The unique index still decides under concurrency.
 */
export async function freeUsername(db: IdentityDb, raw: string): Promise<string> {
  const base = usernameBase(raw);
  const taken = new Set(
    (
      await db
        .selectFrom('auth_user')
        .select(sql<string>`lower(username)`.as('name'))
        .where(sql`lower(username)`, 'like', `${base.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`)
        .execute()
    ).map((r) => r.name),
  );
  if (!taken.has(base.toLowerCase())) return base;
  for (let n = 2; n < 2 + MAX_USERNAME_PROBES + taken.size; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
  return `${base}-${Date.now().toString(36)}`;
}

export async function assignDefaultRole(db: IdentityDb, userId: number, at: Date): Promise<void> {
  const role = await db
    .selectFrom('auth_role')
    .select('id')
    .where('name', '=', DEFAULT_ACCOUNT_ROLE)
    .executeTakeFirst();
  if (!role) return;
  await db
    .insertInto('auth_user_roles')
    .values({ user_id: userId, role_id: role.id, assigned_at: at, assigned_by: null })
    .onConflict((oc) => oc.columns(['user_id', 'role_id']).doNothing())
    .execute();
}

type NewUserFields = Pick<
  Insertable<AuthUserTable>,
  'username' | 'email' | 'password_hash' | 'display_name' | 'primary_platform'
> &
  Partial<Pick<Insertable<AuthUserTable>, 'first_name' | 'last_name' | 'created_by_command'>>;

/** Inserts a user that has never logged in and has no temporary password, with the default role; its id. */
export async function insertUser(db: IdentityDb, fields: NewUserFields, now: Date): Promise<number> {
  const user = await db
    .insertInto('auth_user')
    .values({
      first_name: null,
      last_name: null,
      ...fields,
      temp_password_expires_at: null,
      last_login_at: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await assignDefaultRole(db, user.id, now);
  return user.id;
}

export async function accountRoles(db: IdentityDb, userId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('auth_user_roles as ur')
    .innerJoin('auth_role as r', 'r.id', 'ur.role_id')
    .select('r.name')
    .where('ur.user_id', '=', userId)
    .orderBy('r.name')
    .execute();
  return rows.map((r) => r.name);
}

export interface PlatformAccount {
  platform: Platform;
  platformId: string;
  userName: string;
}

export interface ResolvedAccount {
  userId: number;
  created: boolean;
}

/** The active owner of a verified platform account, if any. */
export async function ownerOfAccount(
  db: IdentityDb,
  platform: string,
  platformId: string,
): Promise<{ identityId: number; userId: number; platformUsername: string } | undefined> {
  const row = await db
    .selectFrom('platform_identities')
    .select(['id', 'user_id', 'platform_username'])
    .where('platform', '=', platform)
    .where('platform_id', '=', platformId)
    .where('is_verified', '=', true)
    .executeTakeFirst();
  return row
    ? { identityId: row.id, userId: row.user_id, platformUsername: row.platform_username }
    : undefined;
}

/**
 * First sight (contracts §14, core-and-admin §3.2 step 0): the user owning a platform account,
 * created with a verified `platform` identity when unknown. Concurrent first sights of one account
 * collide on the unique (platform, platform_id) index; the loser reads the winner's row.
 */
export async function resolveAccount(
  deps: Pick<IdentityDeps, 'db' | 'clock' | 'logger'>,
  account: PlatformAccount,
): Promise<ResolvedAccount> {
  const userName = account.userName.trim().slice(0, 128) || account.platformId;
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await ownerOfAccount(deps.db, account.platform, account.platformId);
    if (existing) {
      if (existing.platformUsername !== userName) {
        await deps.db
          .updateTable('platform_identities')
          .set({ platform_username: userName, updated_at: deps.clock.now() })
          .where('id', '=', existing.identityId)
          .execute();
      }
      return { userId: existing.userId, created: false };
    }
    try {
      const userId = await deps.db.transaction().execute(async (trx) => {
        const now = deps.clock.now();
        const username = await freeUsername(trx, `${account.platform}-${userName}`);
        const newUserId = await insertUser(
          trx,
          {
            username,
            email: null,
            password_hash: null,
            display_name: userName,
            primary_platform: account.platform,
            created_by_command: true,
          },
          now,
        );
        await trx
          .insertInto('platform_identities')
          .values({
            user_id: newUserId,
            platform: account.platform,
            platform_id: account.platformId,
            platform_username: userName,
            is_verified: true,
            verified_at: now,
            verification_method: 'platform',
            created_at: now,
            updated_at: now,
          })
          .execute();
        return newUserId;
      });
      deps.logger.audit({
        action: 'identity_first_sight',
        user: uidOf(userId),
        result: 'SUCCESS',
        platform: account.platform,
      });
      return { userId, created: true };
    } catch (err) {
      // Another request created the account (or took the username) first: look again.
      if (!isUniqueViolation(err)) throw err;
    }
  }
  throw new Error('could not resolve platform account after repeated conflicts');
}

export interface IdentityView {
  platform: string;
  platform_id: string;
  platform_username: string;
  verified_at: string | null;
  verification_method: string;
}

export async function identitiesOf(db: IdentityDb, userId: number): Promise<IdentityView[]> {
  const rows = await db
    .selectFrom('platform_identities')
    .select(['platform', 'platform_id', 'platform_username', 'verified_at', 'verification_method'])
    .where('user_id', '=', userId)
    .where('is_verified', '=', true)
    .orderBy('platform')
    .execute();
  return rows.map((r) => ({
    platform: r.platform,
    platform_id: r.platform_id,
    platform_username: r.platform_username,
    verified_at: r.verified_at ? new Date(r.verified_at).toISOString() : null,
    verification_method: r.verification_method,
  }));
}

export async function activeUser(db: IdentityDb, userId: number) {
  if (!Number.isSafeInteger(userId) || userId <= 0 || userId > 2_147_483_647) return undefined;
  return db
    .selectFrom('auth_user')
    .selectAll()
    .where('id', '=', userId)
    .where('is_active', '=', true)
    .executeTakeFirst();
}
