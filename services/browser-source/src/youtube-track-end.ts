import type { HttpClient, KeyValueStore, Logger } from '@waddlebot/core';
import type { OverlayConnection } from './overlay-sockets.js';

/** How long one track's end is remembered, so several open media pages advance the queue once. */
const TRACK_END_CLAIM_SECONDS = 6 * 3600;

/**
 * contracts §17.6: the media page reports the end of a YouTube track over its own socket; the
 * service forwards it with the service key, which no browser ever holds. Only media sockets may
 * report, and only for their own community.
 */
export function youtubeTrackEndForwarder(deps: {
  youtubeMusic: HttpClient;
  kv: KeyValueStore;
  logger: Logger;
}) {
  return async function forwardTrackEnded(conn: OverlayConnection, message: Record<string, unknown>) {
    if (message.type !== 'track_ended') {
      deps.logger.warn('unknown overlay message', {
        connection_id: conn.id,
        message_type: String(message.type).slice(0, 50),
      });
      return;
    }
    if (conn.sourceType !== 'media') return;
    const videoId = typeof message.video_id === 'string' ? message.video_id : '';
    const startedAt = typeof message.started_at === 'string' ? message.started_at.slice(0, 40) : '';
    if (!/^[A-Za-z0-9_-]{11}$/.test(videoId)) return;
    const claim = `browser_source:track_ended:${conn.communityId}:${videoId}:${startedAt}`;
    if (!(await deps.kv.setIfAbsent(claim, conn.id, TRACK_END_CLAIM_SECONDS))) return;
    const res = await deps.youtubeMusic.post(
      '/youtube/music/track-ended',
      { type: 'track_ended', community_id: conn.communityId, video_id: videoId },
      { retries: 2 },
    );
    if (!res.ok) deps.logger.warn('youtube-music refused track-ended', { status: res.status });
    else deps.logger.info('track end forwarded to youtube-music', { community: conn.communityId });
  };
}
