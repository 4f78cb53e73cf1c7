import { GLOBAL_COMMUNITY_ID, UpstreamError, isRole, type HttpClient, type Role } from '@waddlebot/core';

/**
 * A user's stored role in a community, asked of the community service
 * (`GET /users/:user_id/communities/:id/role`, core-and-admin §4.3); null = not a member.
 * Everyone is a member of the Global community.
 */
export function communityRoles(community: HttpClient) {
  return async function storedRole(userKey: string, communityId: string): Promise<Role | null> {
    const path = `/users/${encodeURIComponent(userKey)}/communities/${encodeURIComponent(communityId)}/role`;
    let res;
    try {
      res = await community.get<{ data?: { role?: unknown } }>(path, { retries: 1 });
    } catch {
      throw new UpstreamError('The community service is unavailable');
    }
    if (res.status === 404) return Number(communityId) === GLOBAL_COMMUNITY_ID ? 'member' : null;
    if (!res.ok) throw new UpstreamError('The community service is unavailable');
    const role = res.body.data?.role;
    if (isRole(role)) return role;
    return Number(communityId) === GLOBAL_COMMUNITY_ID ? 'member' : null;
  };
}

export type StoredRoleLookup = ReturnType<typeof communityRoles>;
