import {
  GLOBAL_COMMUNITY_ID,
  TtlCache,
  UpstreamError,
  communityRoles,
  type Clock,
  type HttpClient,
  type KeyValueStore,
  type Logger,
} from '@waddlebot/core';

export const GLOBAL_COMMUNITY_NAME = 'Global Community';
/** §5.1: entity → community answers are cached 60 s. */
const ENTITY_FRESH_MS = 60_000;
/** A last known answer is kept longer, for use while the community service is down. */
const ENTITY_KEEP_S = 86_400;
const NAME_TTL_S = 300;

type Resolution = { community_id: number | null };
/** Freshness is judged by the injected clock (`at`), so it holds for Redis and memory state alike. */
type CachedResolution = Resolution & { at: number };

/** Reads reputation needs from the community service (core-and-admin §4.3), cached. */
export function communityLookup(client: HttpClient, kv: KeyValueStore, clock: Clock, logger: Logger) {
  const entities = new TtlCache(kv, 'reputation:entity-community:');
  const names = new TtlCache(kv, 'reputation:community-name:');

  async function askEntity(entityId: string): Promise<Resolution> {
    const res = await client.get<{ data?: { community_id?: unknown } }>(
      `/entities/${encodeURIComponent(entityId)}/community`,
      { retries: 1 },
    );
    if (res.status === 404) return { community_id: null };
    const id = Number(res.body?.data?.community_id);
    if (!res.ok || !Number.isInteger(id) || id < 1) throw new Error(`community answered ${res.status}`);
    return { community_id: id };
  }

  return {
    /**
     * The community an entity belongs to (null = none, Global only). While the community service
     * is down the last known answer is used; with none, UpstreamError.
     */
    async communityOfEntity(entityId: string): Promise<number | null> {
      const hit = await entities.get<CachedResolution>(entityId);
      if (hit && clock.nowMs() - hit.at < ENTITY_FRESH_MS) return hit.community_id;
      try {
        const answer = await askEntity(entityId);
        await entities.set<CachedResolution>(entityId, { ...answer, at: clock.nowMs() }, ENTITY_KEEP_S);
        return answer.community_id;
      } catch (err) {
        logger.warn('community lookup failed', {
          entity_id: entityId,
          fallback: !!hit,
          err: (err as Error).message,
        });
        if (hit) return hit.community_id;
        throw new UpstreamError('The community service is unavailable');
      }
    },

    /** Community names for display; null where the community service cannot say. */
    async communityName(id: number): Promise<string | null> {
      if (id === GLOBAL_COMMUNITY_ID) return GLOBAL_COMMUNITY_NAME;
      const hit = await names.get<string>(String(id));
      if (hit !== undefined) return hit;
      try {
        const res = await client.get<{ data?: { name?: unknown } }>(`/communities/${id}`, { retries: 0 });
        const name = res.ok && typeof res.body?.data?.name === 'string' ? res.body.data.name : null;
        if (name !== null) await names.set(String(id), name, NAME_TTL_S);
        return name;
      } catch {
        return null;
      }
    },

    /** A user's stored role in a community (null = not a member); everyone is a member of Global. */
    storedRole: communityRoles({ community: client }),
  };
}

export type CommunityLookup = ReturnType<typeof communityLookup>;
