import { NotFoundError, UpstreamError, communityRoles, type HttpClient, type Logger } from '@waddlebot/core';

/**
 * Reads from the community service (core-and-admin §2.6, §4.3), with the service key. A failing
 * community service is an upstream error: guessing a community or a role would show overlays to,
 * or let in, the wrong people.
 */
export function communityLookups(community: HttpClient, logger: Logger) {
  async function get<T>(path: string): Promise<{ status: number; body: T }> {
    try {
      const res = await community.get<T>(path, { retries: 1 });
      return { status: res.status, body: res.body };
    } catch (err) {
      logger.warn('community service unavailable', { err: (err as Error).message });
      throw new UpstreamError('The community service is unavailable');
    }
  }

  return {
    async communityOfEntity(entityId: string): Promise<number> {
      const res = await get<{ data?: { community_id?: unknown } }>(
        `/entities/${encodeURIComponent(entityId)}/community`,
      );
      if (res.status === 404) throw new NotFoundError('entity_id is not in any community');
      const id = Number(res.body?.data?.community_id);
      if (res.status !== 200 || !Number.isSafeInteger(id) || id <= 0) {
        logger.warn('community entity lookup failed', { status: res.status });
        throw new UpstreamError('The community service could not resolve the entity');
      }
      return id;
    },

    /** Only an admin role matters here, so implicit Global membership changes no answer. */
    roleOf: communityRoles({ community, logger }),
  };
}

export type CommunityLookups = ReturnType<typeof communityLookups>;
