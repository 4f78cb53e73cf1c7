import {
  ForbiddenError,
  hasRole,
  isPlatformAdmin,
  permissionsFor,
  type AuthContext,
  type Role,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { isGlobal, type Queryable } from '../communities.js';
import type { CommunityRow } from '../db.js';
import { storedRole } from '../memberships.js';

/**
 * REST permission checks (core-and-admin §0.5, §4.3). The service key is trusted; a JWT acts as
 * its user (the JWT subject is the uid, i.e. the user key) with the stored role; a platform
 * administrator passes every check.
 */
export function restAccess(db: Queryable, root: Kysely<any>) {
  const trusted = async (auth: AuthContext) => auth.kind === 'service' || (await isPlatformAdmin(root, auth));

  async function roleOf(auth: AuthContext, communityId: number) {
    return auth.user_id ? storedRole(db, communityId, auth.user_id) : null;
  }

  return {
    trusted,

    /** Community details: members, and anyone for a public community. */
    async assertMayView(auth: AuthContext, community: CommunityRow) {
      if (await trusted(auth)) return;
      if (community.settings.public) return;
      if (!(await roleOf(auth, community.id)))
        throw new ForbiddenError('You are not a member of this community');
    },

    async assertMember(auth: AuthContext, communityId: number) {
      if (await trusted(auth)) return;
      if (!(await roleOf(auth, communityId)))
        throw new ForbiddenError('You are not a member of this community');
    },

    async assertSelf(auth: AuthContext, userKey: string) {
      if (await trusted(auth)) return;
      if (auth.user_id !== userKey) throw new ForbiddenError("You cannot read another user's communities");
    },

    /** Role changes by JWT: admins manage roles; only owners grant, or take away, admin and owner. */
    async assertMaySetRole(auth: AuthContext, communityId: number, target: Role | null, wanted: Role) {
      if (await trusted(auth)) return;
      if (isGlobal(communityId))
        throw new ForbiddenError('Only platform administrators manage the Global community');
      const actor = await roleOf(auth, communityId);
      if (!actor || !permissionsFor(actor.role, actor.permissions).includes('community.manage_roles'))
        throw new ForbiddenError("You don't have permission to manage roles in this community");
      if ((hasRole(wanted, 'admin') || hasRole(target, 'admin')) && actor.role !== 'owner')
        throw new ForbiddenError('Only an owner can grant or change the admin and owner roles');
    },

    /**
     * Adding a channel over the API: nothing in a REST call shows that the caller runs the channel,
     * so only the trusted callers may (the portal after the platform's own OAuth, operators,
     * platform administrators). Channel owners add their channel from its chat.
     */
    async assertMayAddEntity(auth: AuthContext) {
      if (await trusted(auth)) return;
      throw new ForbiddenError(
        'Only platform administrators add channels through the API; a channel owner adds it from its chat with !community add entity',
      );
    },

    /** Taking a channel out only affects this community: its moderators may. */
    async assertMayRemoveEntity(auth: AuthContext, communityId: number) {
      if (await trusted(auth)) return;
      if (isGlobal(communityId))
        throw new ForbiddenError('Only platform administrators manage the Global community');
      const actor = await roleOf(auth, communityId);
      if (!actor || !permissionsFor(actor.role, actor.permissions).includes('community.add_entity'))
        throw new ForbiddenError("You don't have permission to remove channels from this community");
    },

    async assertMayDelete(auth: AuthContext, communityId: number) {
      if (await trusted(auth)) return;
      const actor = await roleOf(auth, communityId);
      if (!actor || !permissionsFor(actor.role, actor.permissions).includes('community.delete'))
        throw new ForbiddenError("You don't have permission to delete this community");
    },
  };
}
