import { ForbiddenError, hasRole, isPlatformAdmin, type AuthContext } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { CommunityLookups } from './community-client.js';

/**
 * `svc|jwt (admin+)` of core-and-admin §2.3: the service key is trusted (the portal checks its
 * user first); a JWT user needs the admin role in that community, or platform admin (§0.5).
 */
export function overlayAdminAccess(root: Kysely<any>, community: CommunityLookups) {
  return async function assertOverlayAdmin(auth: AuthContext, communityId: number) {
    if (auth.kind === 'service') return;
    if (await isPlatformAdmin(root, auth)) return;
    const role = auth.user_id ? await community.roleOf(auth.user_id, communityId) : null;
    if (!hasRole(role, 'admin'))
      throw new ForbiddenError("You don't have permission to manage this community's overlays");
  };
}

export type AssertOverlayAdmin = ReturnType<typeof overlayAdminAccess>;
