import {
  ForbiddenError,
  GLOBAL_COMMUNITY_ID,
  isPlatformAdmin,
  permissionsFor,
  type AuthContext,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { CommunityLookup } from '../community-lookup.js';

/**
 * REST permission checks (core-and-admin §0.5, §5.3). The service key is trusted; a JWT acts as
 * its user with the stored role the community service reports; a platform administrator passes
 * every check. Everyone is a member of the Global community; only platform administrators
 * manage it.
 */
export function reputationAccess(root: Kysely<any>, communities: CommunityLookup) {
  const trusted = async (auth: AuthContext) => auth.kind === 'service' || (await isPlatformAdmin(root, auth));

  async function assertMember(auth: AuthContext, communityId: number) {
    if (await trusted(auth)) return;
    if (communityId === GLOBAL_COMMUNITY_ID) return;
    if (!auth.user_id || !(await communities.storedRole(auth.user_id, communityId)))
      throw new ForbiddenError('You are not a member of this community');
  }

  return {
    assertMember,

    /** A user's own reputation, or another member's within a community the caller belongs to. */
    async assertMayViewUser(auth: AuthContext, userKey: string, communityId: number | undefined) {
      if (auth.user_id === userKey || (await trusted(auth))) return;
      if (communityId === undefined) throw new ForbiddenError("You cannot read another user's reputation");
      await assertMember(auth, communityId);
    },

    async assertMayManage(auth: AuthContext, communityId: number) {
      if (await trusted(auth)) return;
      if (communityId === GLOBAL_COMMUNITY_ID)
        throw new ForbiddenError('Only platform administrators manage the Global community');
      const role = auth.user_id ? await communities.storedRole(auth.user_id, communityId) : null;
      if (!role || !permissionsFor(role).includes('reputation.manage'))
        throw new ForbiddenError("You don't have permission to manage reputation in this community");
    },
  };
}

export type ReputationAccess = ReturnType<typeof reputationAccess>;
