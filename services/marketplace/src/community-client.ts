import { ConnectionError, UpstreamError, type HttpClient } from '@waddlebot/core';

interface Envelope<T> {
  data?: T;
}

/** A community as the marketplace needs it: that it exists, and its channels (§6.2 router sync). */
export interface CommunityInfo {
  id: number;
  entityIds: string[];
}

async function ask<T>(client: HttpClient, path: string) {
  try {
    return await client.get<Envelope<T>>(path);
  } catch (err) {
    throw new UpstreamError(
      err instanceof ConnectionError ? 'Community service unreachable' : 'Community service failed',
    );
  }
}

/** community `GET /communities/:id`; null when it does not exist. */
export async function fetchCommunity(client: HttpClient, communityId: number): Promise<CommunityInfo | null> {
  const res = await ask<{ entity_groups?: { entity_ids?: unknown }[] }>(
    client,
    `/communities/${communityId}`,
  );
  if (res.status === 404) return null;
  if (!res.ok) throw new UpstreamError('Community service refused the lookup');
  const groups = res.body?.data?.entity_groups ?? [];
  const entityIds = groups.flatMap((g) =>
    Array.isArray(g.entity_ids) ? g.entity_ids.filter((e): e is string => typeof e === 'string') : [],
  );
  return { id: communityId, entityIds: [...new Set(entityIds)] };
}
