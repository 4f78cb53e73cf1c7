import type { ColumnType, Generated } from 'kysely';

/** One track as Spotify describes it, trimmed to what chat, the overlay and the cache need. */
export interface TrackSummary {
  uri: string;
  id: string;
  name: string;
  artists: string[];
  album: string;
  album_art_url: string | null;
  duration_ms: number;
  spotify_url: string;
  preview_url: string | null;
}

/** The community's Spotify account; both tokens are sealed by TokenCipher. */
export interface SpotifyTokensTable {
  community_id: string;
  connected_by_user_id: string;
  connected_by_name: string | null;
  access_token: string;
  refresh_token: string;
  expires_at: Date;
  scope: string;
  created_at: Date;
  updated_at: Date;
}

export interface SpotifyOauthStatesTable {
  state: string;
  community_id: string;
  user_id: string;
  user_name: string | null;
  code_verifier: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface SpotifyNowPlayingTable {
  community_id: string;
  track_uri: string;
  track_name: string;
  artists: string;
  album: string;
  duration_ms: number;
  album_art_url: string | null;
  spotify_url: string;
  preview_url: string | null;
  is_playing: boolean;
  progress_ms: number;
  requested_by: string | null;
  requested_by_name: string | null;
  started_at: Date;
  updated_at: Date;
}

export interface SpotifySearchCacheTable {
  id: Generated<string>;
  community_id: string;
  user_id: string;
  query: string;
  results: ColumnType<TrackSummary[], string, string>;
  created_at: Date;
}

export interface SpotifyActivityTable {
  id: Generated<string>;
  community_id: string;
  user_id: string;
  action: string;
  details: ColumnType<Record<string, unknown>, string, string>;
  created_at: Date;
}

export interface SpotifyDB {
  spotify_tokens: SpotifyTokensTable;
  spotify_oauth_states: SpotifyOauthStatesTable;
  spotify_now_playing: SpotifyNowPlayingTable;
  spotify_search_cache: SpotifySearchCacheTable;
  spotify_activity: SpotifyActivityTable;
}
