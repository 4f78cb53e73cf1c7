import {
  CommunityPath,
  ForbiddenError,
  actingUser,
  hasRole,
  ok,
  restRoute,
  z,
  type App,
  type ServiceDeps,
} from '@waddlebot/core';
import { clearQueue, nowPlaying, queueEntries, type MusicStoreDeps } from '../music-store.js';
import { publicNowPlaying } from '../now-playing-card.js';
import { watchUrlOf } from '../video-reference.js';

const QueueQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

/** interaction-modules §8 REST: now-playing and the queue of one community. */
export function mountYouTubeRestRoutes(app: App, deps: ServiceDeps, store: MusicStoreDeps) {
  const auth = deps.auth.require('service');
  const base = '/api/v1/youtube/{community_id}';

  restRoute(
    app,
    auth,
    { method: 'get', path: `${base}/now-playing`, summary: 'The track now playing', params: CommunityPath },
    async (c, { params: { community_id } }) => {
      const track = await nowPlaying(store, community_id);
      return ok(c, { now_playing: track ? publicNowPlaying(track) : null });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: `${base}/queue`,
      summary: 'The waiting tracks in play order',
      params: CommunityPath,
      query: QueueQuery,
    },
    async (c, { params: { community_id }, query: { limit } }) => {
      const { entries, total } = await queueEntries(store, community_id, limit);
      return ok(c, {
        queue: entries.map((e, i) => ({
          id: Number(e.id),
          rank: i + 1,
          position: e.position,
          video_id: e.video_id,
          title: e.title,
          artist: e.artist,
          duration: e.duration,
          duration_ms: e.duration_seconds === null ? null : e.duration_seconds * 1000,
          thumbnail_url: e.thumbnail_url,
          media_url: watchUrlOf(e.video_id),
          requested_by: e.requested_by,
          requested_by_name: e.requested_by_name,
          added_at: e.added_at.toISOString(),
        })),
        total,
      });
    },
  );

  restRoute(
    app,
    auth,
    { method: 'delete', path: `${base}/queue`, summary: 'Clear the queue', params: CommunityPath },
    async (c, { params: { community_id } }) => {
      // Chat lets only moderators manage playback; a headerless call is the platform itself.
      const user = actingUser(c);
      if (user.id && !hasRole(user.role, 'moderator'))
        throw new ForbiddenError('Only moderators can clear the queue');
      const cleared = await clearQueue(store, community_id);
      deps.logger.audit({
        action: 'youtube_queue_clear',
        community: community_id,
        user: user.id ?? undefined,
        result: 'SUCCESS',
        cleared,
      });
      return ok(c, { cleared });
    },
  );
}
