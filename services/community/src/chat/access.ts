import { permissionsFor, platformRoles, userKeyOf, type ModuleRequest, type Role } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { Queryable } from '../communities.js';
import type { CommunityRow } from '../db.js';
import { storedRole } from '../memberships.js';

/** What the sender may do in one community. */
export interface CommunityAccess {
  community: CommunityRow;
  role: Role;
  /** Extra grants on top of the role's own. */
  extraPermissions: string[];
  platformAdmin: boolean;
}

export const senderKey = (req: ModuleRequest) => userKeyOf(req.user, req.platform);

/** Platform administrators (identity `auth_role` admin) pass every check (contracts §4). */
export async function isSenderPlatformAdmin(root: Kysely<any>, req: ModuleRequest): Promise<boolean> {
  return req.user.uid ? (await platformRoles(root, req.user.uid)).includes('admin') : false;
}

/**
 * The sender's role in a community, or null for a non-member (core-and-admin §4.2): in the
 * entity's own community the router's effective role (`user_context.role`, which includes the
 * platform role); in any other community only the stored role, so a channel's moderator badge
 * never carries over to another community.
 */
export async function accessIn(
  db: Queryable,
  root: Kysely<any>,
  req: ModuleRequest,
  community: CommunityRow,
): Promise<CommunityAccess | null> {
  const platformAdmin = await isSenderPlatformAdmin(root, req);
  const stored = await storedRole(db, community.id, senderKey(req));
  if (!stored && !platformAdmin) return null;
  const own = String(community.id) === req.community_id;
  return {
    community,
    role: own ? req.user_context.role : (stored?.role ?? 'member'),
    extraPermissions: own ? req.user_context.permissions : (stored?.permissions ?? []),
    platformAdmin,
  };
}

export function mayDo(access: CommunityAccess, permission: string): boolean {
  return access.platformAdmin || permissionsFor(access.role, access.extraPermissions).includes(permission);
}
