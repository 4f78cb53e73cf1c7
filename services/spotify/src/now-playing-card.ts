import type { ModuleResponse } from '@waddlebot/core';
import type { NowPlaying } from './music-store.js';

type Action = NonNullable<ModuleResponse['additional_responses']>[number];

/** Seconds the overlay shows a card: MEDIA_DISPLAY_DURATION on play, shorter when asked about. */
export const CURRENT_CARD_SECONDS = 15;
export const TICKER_SECONDS = 10;
const TICKER_MAX = 200;

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const byArtists = (artists: string) => (artists ? ` by ${artists}` : '');

export function nowPlayingLine(np: Pick<NowPlaying, 'track_name' | 'artists'>): string {
  return `Now playing: ${np.track_name}${byArtists(np.artists)}`;
}

/**
 * The `media` action of contracts §10 for the overlay's media template: structured fields only,
 * so nothing from Spotify or chat is ever interpreted as markup.
 */
export function mediaCard(np: NowPlaying, duration: number, showAlbumArt: boolean): Action {
  return {
    response_action: 'media',
    media_type: 'spotify',
    media_url: np.spotify_url,
    media_data: {
      title: np.track_name,
      artist: np.artists,
      album: np.album,
      ...(showAlbumArt && np.album_art_url ? { album_art_url: np.album_art_url } : {}),
      duration_ms: np.duration_ms,
      progress_ms: np.progress_ms,
      service: 'spotify',
      requested_by: np.requested_by_name,
      track_uri: np.track_uri,
    },
    duration,
  };
}

export function nowPlayingTicker(np: Pick<NowPlaying, 'track_name' | 'artists'>): Action {
  const text = `🎵 Now playing on Spotify: ${np.track_name}${byArtists(np.artists)}`;
  return {
    response_action: 'ticker',
    ticker_text: text.length <= TICKER_MAX ? text : `${text.slice(0, TICKER_MAX - 1)}…`,
    ticker_duration: TICKER_SECONDS,
  };
}

/** The REST form of now-playing. */
export function publicNowPlaying(np: NowPlaying) {
  return {
    track_uri: np.track_uri,
    track_name: np.track_name,
    artists: np.artists,
    album: np.album,
    duration_ms: np.duration_ms,
    album_art_url: np.album_art_url,
    spotify_url: np.spotify_url,
    preview_url: np.preview_url,
    is_playing: np.is_playing,
    progress_ms: np.progress_ms,
    requested_by: np.requested_by,
    requested_by_name: np.requested_by_name,
    started_at: np.started_at.toISOString(),
    updated_at: np.updated_at.toISOString(),
  };
}
