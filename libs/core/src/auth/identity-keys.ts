import { sql, type Kysely } from 'kysely';
import type { AuthContext } from './types.js';
import type { KeyLookup } from './middleware.js';

/** Postgres "relation does not exist": a reader treats an owner's unmigrated table as empty (contracts §1). */
export function isUndefinedTable(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === '42P01';
}

/**
 * `wbot_user_` keys: libs/core reads identity's `user_api_keys` read-only (contracts §1); only
 * identity updates `last_used_at`.
 */
export function identityUserKeys(db: Kysely<any>, now: () => Date = () => new Date()): KeyLookup {
  return async (keyHash) => {
    try {
      const row = await sql<{
        user_id: string | number;
        username: string | null;
        email: string | null;
        name: string | null;
        permissions: unknown;
        expires_at: Date | null;
      }>`
        select k.user_id, u.username, u.email, k.name, k.permissions, k.expires_at
        from identity.user_api_keys k left join identity.auth_user u on u.id = k.user_id
        where k.api_key_hash = ${keyHash} and k.is_active = true
        limit 1`.execute(db);
      const r = row.rows[0];
      if (!r || (r.expires_at && new Date(r.expires_at) <= now())) return null;
      const roles = await platformRoles(db, String(r.user_id));
      return {
        kind: 'user_key',
        user_id: String(r.user_id),
        username: r.username,
        email: r.email,
        roles,
        permissions: Array.isArray(r.permissions) ? (r.permissions as string[]) : [],
      } satisfies AuthContext;
    } catch (err) {
      if (isUndefinedTable(err) || (err as { code?: string }).code === '42703') return null;
      throw err;
    }
  };
}

/** Account roles of a WaddleBot user (identity's auth_user_roles + auth_role, read-only). */
export async function platformRoles(db: Kysely<any>, userId: string): Promise<string[]> {
  if (!/^\d+$/.test(userId)) return [];
  try {
    const res = await sql<{ name: string }>`
      select r.name from identity.auth_user_roles ur join identity.auth_role r on r.id = ur.role_id
      where ur.user_id = ${Number(userId)}`.execute(db);
    return res.rows.map((r) => r.name);
  } catch (err) {
    if (isUndefinedTable(err)) return [];
    throw err;
  }
}

/** The only account role other services consult: platform administrator (contracts §4). */
export async function isPlatformAdmin(db: Kysely<any>, auth: AuthContext): Promise<boolean> {
  if (auth.roles.includes('admin')) return true;
  if (!auth.user_id || auth.kind === 'service') return false;
  return (await platformRoles(db, auth.user_id)).includes('admin');
}
