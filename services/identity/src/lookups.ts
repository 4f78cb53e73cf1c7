import { NotFoundError, PLATFORMS } from '@waddlebot/core';
import type { IdentityDeps } from './identity-deps.js';
import { activeUser, identitiesOf, uidOf } from './users.js';

export async function userView(deps: Pick<IdentityDeps, 'db'>, userId: number) {
  const user = await activeUser(deps.db, userId);
  if (!user) throw new NotFoundError('User not found');
  return {
    user_id: uidOf(user.id),
    username: user.username,
    display_name: user.display_name,
    email: user.email,
    primary_platform: user.primary_platform,
    identities: await identitiesOf(deps.db, user.id),
  };
}

/** `GET /identity/platform/:platform/:platform_id`: the WaddleBot user owning a verified account. */
export async function platformAccountView(
  deps: Pick<IdentityDeps, 'db'>,
  platform: string,
  platformId: string,
) {
  const row = await deps.db
    .selectFrom('platform_identities as pi')
    .innerJoin('auth_user as u', 'u.id', 'pi.user_id')
    .select(['u.id', 'u.username', 'u.display_name', 'pi.platform', 'pi.platform_id', 'pi.platform_username'])
    .where('pi.platform', '=', platform)
    .where('pi.platform_id', '=', platformId)
    .where('pi.is_verified', '=', true)
    .where('u.is_active', '=', true)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('No user for that platform account');
  return {
    user_id: uidOf(row.id),
    username: row.username,
    display_name: row.display_name,
    platform: row.platform,
    platform_id: row.platform_id,
    platform_username: row.platform_username,
  };
}

export async function identityStats(deps: Pick<IdentityDeps, 'db' | 'clock'>) {
  const now = deps.clock.now();
  const count = (n: { n: string | number | bigint } | undefined) => Number(n?.n ?? 0);
  const totalUsers = await deps.db
    .selectFrom('auth_user')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('is_active', '=', true)
    .executeTakeFirst();
  const perPlatform = await deps.db
    .selectFrom('platform_identities')
    .select(['platform', (eb) => eb.fn.countAll<string>().as('n')])
    .where('is_verified', '=', true)
    .groupBy('platform')
    .execute();
  const pending = await deps.db
    .selectFrom('identity_verifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirst();
  const keys = await deps.db
    .selectFrom('user_api_keys')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('is_active', '=', true)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  const multi = await deps.db
    .selectFrom(
      deps.db
        .selectFrom('platform_identities')
        .select('user_id')
        .where('is_verified', '=', true)
        .groupBy('user_id')
        .having((eb) => eb.fn.countAll(), '>', 1)
        .as('m'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirst();
  const platforms = Object.fromEntries(PLATFORMS.map((p) => [p, 0])) as Record<string, number>;
  for (const row of perPlatform) platforms[row.platform] = Number(row.n);
  return {
    total_users: count(totalUsers),
    verified_identities: Object.values(platforms).reduce((a, b) => a + b, 0),
    pending_verifications: count(pending),
    active_api_keys: count(keys),
    platforms,
    multi_platform_users: count(multi),
  };
}
