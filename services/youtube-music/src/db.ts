import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** One search hit as it is cached and shown (interaction-modules §8 result fields). */
export interface TrackSummary {
  video_id: string;
  title: string;
  artist: string;
  channel_id: string;
  thumbnail: string;
  description: string;
  published_at: string;
  /** `m:ss`, `h:mm:ss` or `Unknown`. */
  duration: string;
  duration_seconds: number | null;
  view_count: number | null;
}

/** The track the community is listening to; one row per community. */
export interface NowPlayingTable {
  community_id: string;
  video_id: string;
  title: string;
  artist: string;
  /** YouTube has no albums; kept for the media card's shape. */
  album: string;
  duration: string;
  duration_seconds: number | null;
  thumbnail_url: string;
  /** User key (contracts §14) of whoever asked for it. */
  requested_by: string;
  requested_by_name: string;
  started_at: Timestamp;
  updated_at: Timestamp;
}

export interface SearchCacheTable {
  id: Generated<string>;
  community_id: string;
  user_id: string;
  query: string;
  results: JSONColumnType<TrackSummary[], string, string>;
  created_at: Timestamp;
}

export interface QueueTable {
  id: Generated<string>;
  community_id: string;
  /** Monotonic per community; the queue is read in position order. */
  position: number;
  video_id: string;
  title: string;
  artist: string;
  duration: string;
  duration_seconds: number | null;
  thumbnail_url: string;
  requested_by: string;
  requested_by_name: string;
  added_at: Timestamp;
}

export interface ActivityTable {
  id: Generated<string>;
  community_id: string;
  user_id: string;
  action: string;
  details: JSONColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
}

export interface YouTubeMusicDB {
  youtube_now_playing: NowPlayingTable;
  youtube_search_cache: SearchCacheTable;
  youtube_queue: QueueTable;
  youtube_activity: ActivityTable;
}
