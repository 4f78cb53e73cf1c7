import { AppError, NotFoundError, generateApiKey, sha256Hex } from '@waddlebot/core';
import { sql, type Updateable } from 'kysely';
import type { UserApiKeysTable } from './db.js';
import { recordActivity } from './activity.js';
import type { IdentityDeps } from './identity-deps.js';
import { uidOf } from './users.js';

const DAY_MS = 86_400_000;

export async function createApiKey(
  deps: IdentityDeps,
  userId: number,
  input: { name?: string; expires_in_days?: number },
): Promise<{ key_id: number; api_key: string; name: string; expires_at: string }> {
  const now = deps.clock.now();
  const name = input.name?.trim() || 'API Key';
  const expiresAt = new Date(
    now.getTime() + (input.expires_in_days ?? deps.config.API_KEY_DEFAULT_EXPIRY_DAYS) * DAY_MS,
  );
  const apiKey = generateApiKey('wbot_user_');
  const created = await deps.db.transaction().execute(async (trx) => {
    // The user row lock makes the count-then-insert safe against parallel creates.
    await trx
      .selectFrom('auth_user')
      .select('id')
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const active = await trx
      .selectFrom('user_api_keys')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .where('is_active', '=', true)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirstOrThrow();
    if (Number(active.n) >= deps.config.MAX_API_KEYS_PER_USER) return null;
    const row = await trx
      .insertInto('user_api_keys')
      .values({
        user_id: userId,
        name,
        api_key_hash: sha256Hex(apiKey),
        created_at: now,
        expires_at: expiresAt,
        last_used_at: null,
        revoked_at: null,
        regenerated_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordActivity(trx, {
      userId,
      action: 'api_key_create',
      success: true,
      metadata: { key_id: row.id },
      at: now,
    });
    return row;
  });
  if (!created)
    throw new AppError(
      'LIMIT_REACHED',
      `You can have at most ${deps.config.MAX_API_KEYS_PER_USER} active API keys`,
    );
  deps.logger.audit({ action: 'api_key_create', user: uidOf(userId), result: 'SUCCESS', key_id: created.id });
  return { key_id: created.id, api_key: apiKey, name, expires_at: expiresAt.toISOString() };
}

export async function listApiKeys(deps: Pick<IdentityDeps, 'db' | 'clock'>, userId: number) {
  const now = deps.clock.now();
  const rows = await deps.db
    .selectFrom('user_api_keys')
    .select(['id', 'name', 'created_at', 'expires_at', 'last_used_at', 'usage_count'])
    .where('user_id', '=', userId)
    .where('is_active', '=', true)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return rows.map((r) => ({
    key_id: r.id,
    name: r.name,
    created_at: iso(r.created_at),
    expires_at: iso(r.expires_at),
    last_used_at: iso(r.last_used_at),
    usage_count: r.usage_count,
  }));
}

/** Applies `change` to the user's active key `keyId` (404 when there is none) and records the action. */
async function changeActiveApiKey(
  deps: IdentityDeps,
  userId: number,
  keyId: number,
  action: 'api_key_revoke' | 'api_key_regenerate',
  change: Updateable<UserApiKeysTable>,
  now: Date,
): Promise<void> {
  const res = await deps.db
    .updateTable('user_api_keys')
    .set(change)
    .where('id', '=', keyId)
    .where('user_id', '=', userId)
    .where('is_active', '=', true)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new NotFoundError('API key not found');
  await recordActivity(deps.db, {
    userId,
    action,
    success: true,
    metadata: { key_id: keyId },
    at: now,
  });
  deps.logger.audit({ action, user: uidOf(userId), result: 'SUCCESS', key_id: keyId });
}

export async function revokeApiKey(
  deps: IdentityDeps,
  userId: number,
  keyId: number,
): Promise<{ revoked: true }> {
  const now = deps.clock.now();
  await changeActiveApiKey(deps, userId, keyId, 'api_key_revoke', { is_active: false, revoked_at: now }, now);
  return { revoked: true };
}

export async function regenerateApiKey(
  deps: IdentityDeps,
  userId: number,
  keyId: number,
): Promise<{ api_key: string }> {
  const now = deps.clock.now();
  const apiKey = generateApiKey('wbot_user_');
  await changeActiveApiKey(
    deps,
    userId,
    keyId,
    'api_key_regenerate',
    { api_key_hash: sha256Hex(apiKey), regenerated_at: now },
    now,
  );
  return { api_key: apiKey };
}

/** Only identity updates usage (platform.md §1.3); other services read the table read-only. */
export async function recordKeyUse(
  deps: Pick<IdentityDeps, 'db' | 'clock'>,
  presentedKey: string,
): Promise<void> {
  await deps.db
    .updateTable('user_api_keys')
    .set({ last_used_at: deps.clock.now(), usage_count: sql`usage_count + 1` })
    .where('api_key_hash', '=', sha256Hex(presentedKey))
    .where('is_active', '=', true)
    .execute();
}
