import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Clock } from '@waddlebot/core';
import type { NowPlayingTable, QueueTable, TrackSummary, YouTubeMusicDB } from './db.js';

export interface MusicStoreDeps {
  db: Kysely<YouTubeMusicDB>;
  clock: Clock;
}

export type NowPlaying = Selectable<NowPlayingTable>;
export type QueueEntry = Selectable<QueueTable>;

/** Who asked for a track: the user key (contracts §14) and the name shown in chat. */
export interface Requester {
  key: string;
  name: string;
}

export interface QueueRules {
  enableQueue: boolean;
  maxQueueSize: number;
  maxPerUser: number;
}

export type PlayOutcome =
  | { kind: 'playing'; track: NowPlaying }
  /** `rank`: the entry's place among the waiting tracks, 1 = next. */
  | { kind: 'queued'; rank: number; entry: QueueEntry }
  | { kind: 'queue_full' }
  | { kind: 'user_limit' };

export type AdvanceOutcome =
  | { kind: 'playing'; track: NowPlaying }
  /** The queue was empty: now-playing is cleared. */
  | { kind: 'stopped' }
  /** Nothing was playing, or another track than the expected one. */
  | { kind: 'unchanged' };

/**
 * One community's play decisions run one at a time (now-playing versus queue, queue positions,
 * per-user counts): a transaction-scoped advisory lock on the community serialises them across
 * replicas.
 */
async function lockCommunity(trx: Transaction<YouTubeMusicDB>, communityId: string) {
  await sql`select pg_advisory_xact_lock(hashtext(${`youtube-music:${communityId}`}))`.execute(trx);
}

function trackColumns(track: TrackSummary, by: Requester) {
  return {
    video_id: track.video_id,
    title: track.title,
    artist: track.artist,
    duration: track.duration,
    duration_seconds: track.duration_seconds,
    thumbnail_url: track.thumbnail,
    requested_by: by.key,
    requested_by_name: by.name,
  };
}

async function setNowPlaying(
  trx: Transaction<YouTubeMusicDB>,
  communityId: string,
  columns: ReturnType<typeof trackColumns>,
  now: Date,
): Promise<NowPlaying> {
  const row = { community_id: communityId, album: '', ...columns, started_at: now, updated_at: now };
  return trx
    .insertInto('youtube_now_playing')
    .values(row)
    .onConflict((oc) => oc.column('community_id').doUpdateSet({ ...row, community_id: undefined }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Plays the track when nothing plays (or the queue is off); otherwise appends it to the queue. */
export async function playOrQueue(
  deps: MusicStoreDeps,
  communityId: string,
  track: TrackSummary,
  by: Requester,
  rules: QueueRules,
): Promise<PlayOutcome> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    await lockCommunity(trx, communityId);
    const current = await trx
      .selectFrom('youtube_now_playing')
      .select('video_id')
      .where('community_id', '=', communityId)
      .executeTakeFirst();
    if (!current || !rules.enableQueue) {
      return { kind: 'playing', track: await setNowPlaying(trx, communityId, trackColumns(track, by), now) };
    }
    const stats = await trx
      .selectFrom('youtube_queue')
      .select((eb) => [
        eb.fn.countAll<string>().as('total'),
        eb.fn.max('position').as('last'),
        eb.fn.count<string>('id').filterWhere('requested_by', '=', by.key).as('mine'),
      ])
      .where('community_id', '=', communityId)
      .executeTakeFirstOrThrow();
    if (Number(stats.total) >= rules.maxQueueSize) return { kind: 'queue_full' };
    if (Number(stats.mine) >= rules.maxPerUser) return { kind: 'user_limit' };
    const entry = await trx
      .insertInto('youtube_queue')
      .values({
        community_id: communityId,
        position: (stats.last ?? 0) + 1,
        ...trackColumns(track, by),
        added_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { kind: 'queued', rank: Number(stats.total) + 1, entry };
  });
}

/**
 * The current track is over (skip, track end): the next queued entry becomes now-playing, or
 * now-playing is cleared when the queue is empty. With `expectVideoId` only that track is ended,
 * so a late or repeated report cannot skip its successor.
 */
export async function advance(
  deps: MusicStoreDeps,
  communityId: string,
  expectVideoId?: string,
): Promise<AdvanceOutcome> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    await lockCommunity(trx, communityId);
    const current = await trx
      .selectFrom('youtube_now_playing')
      .select('video_id')
      .where('community_id', '=', communityId)
      .executeTakeFirst();
    if (!current || (expectVideoId !== undefined && current.video_id !== expectVideoId))
      return { kind: 'unchanged' };
    const next = await trx
      .deleteFrom('youtube_queue')
      .where(
        'id',
        '=',
        trx
          .selectFrom('youtube_queue')
          .select('id')
          .where('community_id', '=', communityId)
          .orderBy('position')
          .limit(1),
      )
      .returningAll()
      .executeTakeFirst();
    if (!next) {
      await trx.deleteFrom('youtube_now_playing').where('community_id', '=', communityId).execute();
      return { kind: 'stopped' };
    }
    const track = await setNowPlaying(
      trx,
      communityId,
      {
        video_id: next.video_id,
        title: next.title,
        artist: next.artist,
        duration: next.duration,
        duration_seconds: next.duration_seconds,
        thumbnail_url: next.thumbnail_url,
        requested_by: next.requested_by,
        requested_by_name: next.requested_by_name,
      },
      now,
    );
    return { kind: 'playing', track };
  });
}

/** Clears now-playing and keeps the queue; true when something was playing. */
export async function stopPlayback(deps: MusicStoreDeps, communityId: string): Promise<boolean> {
  const res = await deps.db
    .deleteFrom('youtube_now_playing')
    .where('community_id', '=', communityId)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function nowPlaying(deps: MusicStoreDeps, communityId: string): Promise<NowPlaying | null> {
  const row = await deps.db
    .selectFrom('youtube_now_playing')
    .selectAll()
    .where('community_id', '=', communityId)
    .executeTakeFirst();
  return row ?? null;
}

/** The waiting tracks in play order (`limit` of them) and how many wait in all. */
export async function queueEntries(
  deps: MusicStoreDeps,
  communityId: string,
  limit: number,
): Promise<{ entries: QueueEntry[]; total: number }> {
  const [entries, total] = await Promise.all([
    deps.db
      .selectFrom('youtube_queue')
      .selectAll()
      .where('community_id', '=', communityId)
      .orderBy('position')
      .limit(limit)
      .execute(),
    deps.db
      .selectFrom('youtube_queue')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('community_id', '=', communityId)
      .executeTakeFirstOrThrow(),
  ]);
  return { entries, total: Number(total.n) };
}

export async function clearQueue(deps: MusicStoreDeps, communityId: string): Promise<number> {
  const res = await deps.db
    .deleteFrom('youtube_queue')
    .where('community_id', '=', communityId)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Stores a caller's latest search and purges every entry past its TTL. */
export async function cacheSearch(
  deps: MusicStoreDeps,
  entry: { communityId: string; userKey: string; query: string; results: TrackSummary[] },
  ttlSeconds: number,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db
    .deleteFrom('youtube_search_cache')
    .where('created_at', '<', new Date(now.getTime() - ttlSeconds * 1000))
    .execute();
  await deps.db
    .insertInto('youtube_search_cache')
    .values({
      community_id: entry.communityId,
      user_id: entry.userKey,
      query: entry.query,
      results: JSON.stringify(entry.results),
      created_at: now,
    })
    .execute();
}

/** The caller's latest search in this community still within its TTL, or null. */
export async function latestSearch(
  deps: MusicStoreDeps,
  communityId: string,
  userKey: string,
  ttlSeconds: number,
): Promise<TrackSummary[] | null> {
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom('youtube_search_cache')
    .select('results')
    .where('community_id', '=', communityId)
    .where('user_id', '=', userKey)
    .where('created_at', '>=', new Date(now.getTime() - ttlSeconds * 1000))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? row.results : null;
}

export async function recordActivity(
  deps: MusicStoreDeps,
  entry: { communityId: string; userKey: string; action: string; details: Record<string, unknown> },
): Promise<void> {
  await deps.db
    .insertInto('youtube_activity')
    .values({
      community_id: entry.communityId,
      user_id: entry.userKey,
      action: entry.action,
      details: JSON.stringify(entry.details),
      created_at: deps.clock.now(),
    })
    .execute();
}
