import type { RouterContext } from './router-deps.js';
import { UID_MAX } from './db-limits.js';
import { CacheKeys } from './registry.js';

const IDENTITY_TIMEOUT_MS = 2000;
const LABELS_TIMEOUT_MS = 2000;

export const uidCacheKey = (platform: string, userId: string) => `uid:${platform}:${userId}`;

/**
 * Canonical uid through identity (contracts §14): cached in shared state; identity down or slow
 * → null (not cached), so the event still goes through keyed by `<platform>:<user_id>`.
 */
export async function resolveUid(
  ctx: RouterContext,
  platform: string,
  userId: string,
  userName: string,
): Promise<string | null> {
  if (userId === 'anonymous') return null;
  const key = uidCacheKey(platform, userId);
  try {
    const cached = await ctx.deps.state.kv.get(key);
    if (cached) return cached;
  } catch (err) {
    ctx.deps.logger.warn('uid cache unavailable', { err });
  }
  const res = await ctx.dependencies.call(
    'identity',
    () =>
      ctx.deps
        .serviceClient('identity')
        .post<{ data?: { uid?: unknown } }>(
          '/identity/resolve',
          { platform, platform_user_id: userId, user_name: userName },
          { timeoutMs: IDENTITY_TIMEOUT_MS, retries: 0 },
        ),
    { platform },
  );
  const uid = res?.body?.data?.uid;
  const value = typeof uid === 'string' || typeof uid === 'number' ? String(uid) : '';
  // A uid is opaque but never holds ':' (contracts §14); anything else is not a uid.
  if (!value || value.includes(':') || value.length > UID_MAX) return null;
  ctx.deps.state.kv
    .set(key, value, ctx.config.ROUTER_UID_CACHE_TTL)
    .catch((err: unknown) => ctx.deps.logger.warn('uid cache write failed', { err }));
  return value;
}

/** The user's label names in a community (labels service, cached); labels down → []. */
export function userLabels(ctx: RouterContext, userKey: string, community: number): Promise<string[]> {
  return ctx.cache.getOrLoad(
    CacheKeys.labels(community, userKey),
    ctx.config.ROUTER_LABELS_CACHE_TTL,
    async () => {
      const res = await ctx.dependencies.call('labels', () =>
        ctx.deps.serviceClient('labels').get<unknown>(`/entity/user/${encodeURIComponent(userKey)}/labels`, {
          query: { community_id: community },
          timeoutMs: LABELS_TIMEOUT_MS,
          retries: 0,
        }),
      );
      return res ? labelNames(res.body) : [];
    },
  );
}

/**
 * Label names from the labels service answer (`data.labels[].label_name`, core-and-admin §1);
 * a plain list of names or `{name}` objects is read as well.
 */
function labelNames(body: unknown): string[] {
  const data = (body as { data?: unknown })?.data ?? body;
  const list = Array.isArray(data) ? data : ((data as { labels?: unknown })?.labels ?? []);
  if (!Array.isArray(list)) return [];
  const nameOf = (l: unknown) => {
    if (typeof l === 'string') return l;
    const o = (l ?? {}) as { label_name?: unknown; name?: unknown; label?: unknown };
    return o.label_name ?? o.name ?? o.label;
  };
  return [...new Set(list.map(nameOf).filter((n): n is string => typeof n === 'string' && n !== ''))];
}
