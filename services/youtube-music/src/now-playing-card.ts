import type { ModuleResponse } from '@waddlebot/core';
import type { NowPlaying } from './music-store.js';
import { watchUrlOf } from './video-reference.js';

/** Seconds the media overlay shows the card: longer when a track starts than when asked about. */
export const CARD_SECONDS = { play: 30, current: 15 } as const;

type MediaAction = NonNullable<ModuleResponse['additional_responses']>[number];

/**
 * The `media` action the overlay's media template renders (interaction-modules §8, contracts §10):
 * structured fields, no HTML, so nothing from YouTube or chat is interpreted as markup.
 */
export function mediaCard(track: NowPlaying, duration: number): MediaAction {
  return {
    response_action: 'media',
    media_type: 'youtube',
    media_url: watchUrlOf(track.video_id),
    media_data: {
      title: track.title,
      artist: track.artist,
      album: '',
      album_art_url: track.thumbnail_url,
      duration_ms: track.duration_seconds === null ? null : track.duration_seconds * 1000,
      service: 'youtube',
      requested_by: track.requested_by_name,
      video_id: track.video_id,
      started_at: track.started_at.toISOString(),
    },
    duration,
  };
}

export function nowPlayingLine(track: Pick<NowPlaying, 'title' | 'artist'>): string {
  return `Now playing: ${track.title}${track.artist ? ` by ${track.artist}` : ''}`;
}

/** The REST form of now-playing. */
export function publicNowPlaying(track: NowPlaying) {
  return {
    video_id: track.video_id,
    title: track.title,
    artist: track.artist,
    album: track.album,
    duration: track.duration,
    duration_ms: track.duration_seconds === null ? null : track.duration_seconds * 1000,
    thumbnail_url: track.thumbnail_url,
    media_url: watchUrlOf(track.video_id),
    requested_by: track.requested_by,
    requested_by_name: track.requested_by_name,
    started_at: track.started_at.toISOString(),
    updated_at: track.updated_at.toISOString(),
  };
}
