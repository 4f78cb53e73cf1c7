import type { Clock } from '@waddlebot/core';
import type { Kysely, Selectable } from 'kysely';
import type { SpotifyDB, SpotifyNowPlayingTable, TrackSummary } from './db.js';

export interface MusicStoreDeps {
  db: Kysely<SpotifyDB>;
  clock: Clock;
}

export type NowPlaying = Selectable<SpotifyNowPlayingTable>;

export interface Requester {
  key: string;
  name: string;
}

/** Keeps the caller's results so `!spotify play <n>` can pick one; older entries are purged. */
export async function cacheSearch(
  deps: MusicStoreDeps,
  communityId: string,
  userKey: string,
  query: string,
  results: TrackSummary[],
  ttlSeconds: number,
) {
  const now = deps.clock.now();
  await deps.db
    .deleteFrom('spotify_search_cache')
    .where('created_at', '<', new Date(now.getTime() - ttlSeconds * 1000))
    .execute();
  await deps.db
    .insertInto('spotify_search_cache')
    .values({
      community_id: communityId,
      user_id: userKey,
      query,
      results: JSON.stringify(results),
      created_at: now,
    })
    .execute();
}

/** The caller's own latest search in this community, if still fresh. */
export async function latestSearch(
  deps: MusicStoreDeps,
  communityId: string,
  userKey: string,
  ttlSeconds: number,
): Promise<TrackSummary[] | null> {
  const row = await deps.db
    .selectFrom('spotify_search_cache')
    .select('results')
    .where('community_id', '=', communityId)
    .where('user_id', '=', userKey)
    .where('created_at', '>=', new Date(deps.clock.nowMs() - ttlSeconds * 1000))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? row.results : null;
}

export async function recordNowPlaying(
  deps: MusicStoreDeps,
  communityId: string,
  track: TrackSummary,
  /** `startedNow`: a new track began (play, or `current` seeing another track) at `requester`'s request. */
  playback: { is_playing: boolean; progress_ms: number; startedNow: boolean },
  requester: Requester | null,
): Promise<NowPlaying> {
  const now = deps.clock.now();
  const fields = {
    track_uri: track.uri,
    track_name: track.name,
    artists: track.artists.join(', '),
    album: track.album,
    duration_ms: track.duration_ms,
    album_art_url: track.album_art_url,
    spotify_url: track.spotify_url,
    preview_url: track.preview_url,
    is_playing: playback.is_playing,
    progress_ms: playback.progress_ms,
    updated_at: now,
  };
  const started = playback.startedNow
    ? { started_at: now, requested_by: requester?.key ?? null, requested_by_name: requester?.name ?? null }
    : {};
  return deps.db
    .insertInto('spotify_now_playing')
    .values({
      community_id: communityId,
      ...fields,
      started_at: now,
      requested_by: requester?.key ?? null,
      requested_by_name: requester?.name ?? null,
    })
    .onConflict((oc) => oc.column('community_id').doUpdateSet({ ...fields, ...started }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Spotify reported nothing playing: keep the last track but mark it stopped. */
export async function markNotPlaying(deps: MusicStoreDeps, communityId: string) {
  await deps.db
    .updateTable('spotify_now_playing')
    .set({ is_playing: false, updated_at: deps.clock.now() })
    .where('community_id', '=', communityId)
    .execute();
}

export async function nowPlaying(deps: MusicStoreDeps, communityId: string): Promise<NowPlaying | null> {
  return (
    (await deps.db
      .selectFrom('spotify_now_playing')
      .selectAll()
      .where('community_id', '=', communityId)
      .executeTakeFirst()) ?? null
  );
}

export async function recordActivity(
  deps: MusicStoreDeps,
  communityId: string,
  userKey: string,
  action: string,
  details: Record<string, unknown>,
) {
  await deps.db
    .insertInto('spotify_activity')
    .values({
      community_id: communityId,
      user_id: userKey,
      action,
      details: JSON.stringify(details),
      created_at: deps.clock.now(),
    })
    .execute();
}
