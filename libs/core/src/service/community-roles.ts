import type { HttpClient } from '../clients/http.js';
import { GLOBAL_COMMUNITY_ID } from '../contracts/ids.js';
import { isRole, type Role } from '../contracts/roles.js';
import { UpstreamError } from '../http/errors.js';
import type { Logger } from '../log/index.js';

export interface CommunityRolesOptions {
  /** `deps.serviceClient('community')`: the endpoint takes the service key. */
  community: HttpClient;
  /** The caller only sees a 502; the log says why. */
  logger?: Logger;
  /**
   * Membership of the Global community is implicit (core-and-admin §4.1), so a user with no
   * stored row there is a member. Services that ask only for a stored row turn this off.
   */
  implicitGlobalMembership?: boolean;
}

/**
 * A user's stored role in a community, asked of the community service
 * (`GET /users/:user_id/communities/:id/role`, core-and-admin §4.3); null = not a member.
 * A community service that cannot answer is an UpstreamError: guessing a role would let in, or
 * shut out, the wrong people.
 */
export function communityRoles({
  community,
  logger,
  implicitGlobalMembership = true,
}: CommunityRolesOptions) {
  const unavailable = (detail: Record<string, unknown>) => {
    logger?.warn('community role lookup failed', detail);
    return new UpstreamError('The community service is unavailable');
  };

  return async function storedRole(userKey: string, communityId: number | string): Promise<Role | null> {
    const path = `/users/${encodeURIComponent(userKey)}/communities/${encodeURIComponent(String(communityId))}/role`;
    let res;
    try {
      res = await community.get<{ data?: { role?: unknown } }>(path, { retries: 1 });
    } catch (err) {
      throw unavailable({ err: (err as Error).message });
    }
    if (!res.ok && res.status !== 404) throw unavailable({ status: res.status });
    const role = res.ok ? res.body?.data?.role : null;
    if (isRole(role)) return role;
    return implicitGlobalMembership && Number(communityId) === GLOBAL_COMMUNITY_ID ? 'member' : null;
  };
}

export type StoredRoleLookup = ReturnType<typeof communityRoles>;
