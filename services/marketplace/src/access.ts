import {
  ForbiddenError,
  ValidationError,
  actingUserKey,
  hasRole,
  isPlatformAdmin,
  platformRoles,
  type AuthContext,
} from '@waddlebot/core';
import type { Context } from 'hono';
import type { MarketplaceDeps } from './marketplace-deps.js';

/** The user a request acts for: the JWT's user, or the user a trusted service names (§0.3). */
export interface Actor {
  auth: AuthContext;
  /** User key; null only for a service call that names nobody. */
  userKey: string | null;
}

/** With a service key the acting user comes from the body `user_id`, else `X-WaddleBot-User-Id`. */
export function actorOf(c: Context, bodyUserId?: string | null): Actor {
  return { auth: c.get('auth') as AuthContext, userKey: actingUserKey(c, bodyUserId) };
}

function requireUser(actor: Actor): string {
  if (!actor.userKey)
    throw new ValidationError('Validation failed', [
      { path: 'user_id', message: 'Required with a service key: the acting user' },
    ]);
  return actor.userKey;
}

async function actorIsPlatformAdmin(deps: MarketplaceDeps, actor: Actor): Promise<boolean> {
  if (actor.auth.kind !== 'service') return isPlatformAdmin(deps.root, actor.auth);
  // A trusted service naming a platform administrator (the portal acting for one).
  return actor.userKey ? (await platformRoles(deps.root, actor.userKey)).includes('admin') : false;
}

/**
 * §6.2: install/uninstall/toggle/config need `community.install_modules` (admin and above), read
 * from the stored role through community; a platform administrator passes.
 */
export async function assertMayManageModules(deps: MarketplaceDeps, actor: Actor, communityId: number) {
  const user = requireUser(actor);
  if (await actorIsPlatformAdmin(deps, actor)) return;
  const role = await deps.storedRole(user, communityId);
  if (!hasRole(role, 'admin'))
    throw new ForbiddenError("You don't have permission to manage modules in this community");
}

/**
 * Reading a community's installs or subscription: trusted services, platform administrators and
 * members of that community — never another community's people.
 */
export async function assertMayReadCommunity(deps: MarketplaceDeps, auth: AuthContext, communityId: number) {
  if (auth.kind === 'service') return;
  if (await isPlatformAdmin(deps.root, auth)) return;
  const role = auth.user_id ? await deps.storedRole(auth.user_id, communityId) : null;
  if (!role) throw new ForbiddenError('You are not a member of this community');
}

/** Catalogue writes (§6.3): platform administrators only. */
export async function assertPlatformAdmin(deps: MarketplaceDeps, auth: AuthContext) {
  if (!(await isPlatformAdmin(deps.root, auth)))
    throw new ForbiddenError('Only platform administrators manage the catalogue');
}

/** Subscription bookkeeping: the trusted services, or a platform administrator. */
export async function assertServiceOrPlatformAdmin(deps: MarketplaceDeps, auth: AuthContext) {
  if (auth.kind === 'service') return;
  await assertPlatformAdmin(deps, auth);
}
