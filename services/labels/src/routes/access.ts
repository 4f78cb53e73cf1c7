import {
  ForbiddenError,
  hasRole,
  isPlatformAdmin,
  type AuthContext,
  type StoredRoleLookup,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { LabelRow } from '../db.js';

/**
 * Who may do what with a JWT (core-and-admin §0.3/§0.5). The service key is trusted: the calling
 * service already checked its user. A platform administrator passes every check.
 */
export function labelAccess(root: Kysely<any>, storedRole: StoredRoleLookup) {
  const isAdmin = async (auth: AuthContext) => auth.kind !== 'service' && (await isPlatformAdmin(root, auth));

  return {
    isAdmin,

    async assertMayCreateSystemLabel(auth: AuthContext) {
      if (auth.kind === 'service' || (await isAdmin(auth))) return;
      throw new ForbiddenError('Only platform administrators create system labels');
    },

    /** A label's creator and platform administrators change it (system labels: administrators only). */
    async assertMayChangeLabel(auth: AuthContext, label: LabelRow) {
      if (auth.kind === 'service' || (await isAdmin(auth))) return;
      if (label.created_by !== auth.user_id)
        throw new ForbiddenError('Only the creator of a label or a platform administrator can change it');
    },

    /**
     * Label assignments: moderators of the community they belong to; community-less ones
     * (visible everywhere) only platform administrators.
     */
    async assertMayAssign(auth: AuthContext, communityId: string | null) {
      if (auth.kind === 'service' || (await isAdmin(auth))) return;
      if (communityId === null || !auth.user_id)
        throw new ForbiddenError('Only platform administrators manage labels outside a community');
      const role = await storedRole(auth.user_id, communityId);
      if (!hasRole(role, 'moderator'))
        throw new ForbiddenError("You don't have permission to manage labels in this community");
    },

    /**
     * The assignments a read may see: a JWT sees a community's only as its member, and without
     * a community only the community-less ones (core-and-admin §0.5).
     */
    async readScope(auth: AuthContext, communityId: string | undefined): Promise<string | null | undefined> {
      if (auth.kind === 'service' || (await isAdmin(auth))) return communityId;
      if (communityId === undefined) return null;
      if (!auth.user_id || !(await storedRole(auth.user_id, communityId)))
        throw new ForbiddenError('You are not a member of this community');
      return communityId;
    },

    /** Role groups grant platform roles: trusted services and platform administrators only. */
    async assertMayManageGroups(auth: AuthContext) {
      if (auth.kind === 'service' || (await isAdmin(auth))) return;
      throw new ForbiddenError('Only platform administrators manage entity groups');
    },
  };
}

export type LabelAccess = ReturnType<typeof labelAccess>;
