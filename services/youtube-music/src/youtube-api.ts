import type { HttpClient, ServiceMetrics, UpstreamBreaker } from '@waddlebot/core';
import type { TrackSummary } from './db.js';
import { formatDuration, isVideoId, isoDurationSeconds } from './video-reference.js';

/** No `YOUTUBE_API_KEY`: the service runs, but search and look-ups cannot (contracts §17.4). */
export class YouTubeNotConfigured extends Error {
  constructor() {
    super('youtube api key not configured');
    this.name = 'YouTubeNotConfigured';
  }
}

/** YouTube answered an error (quota exhaustion is a 403), failed to answer, or its breaker is open. */
export class YouTubeUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`youtube unavailable: ${reason}`);
    this.name = 'YouTubeUnavailable';
  }
}

/** A single video's details (`GET /videos?part=snippet,contentDetails,statistics`). */
export interface TrackDetails extends TrackSummary {
  album: '';
  like_count: number | null;
  tags: string[];
}

export interface YouTubeApiOptions {
  http: HttpClient;
  apiKey?: string;
  categoryId: string;
  regionCode: string;
  maxSearchResults: number;
  upstream: UpstreamBreaker;
  /** `youtube_api_calls_total{endpoint,result}`. */
  calls: ReturnType<ServiceMetrics['counter']>;
}

interface Thumbnails {
  medium?: { url?: unknown };
  high?: { url?: unknown };
  default?: { url?: unknown };
}
interface Snippet {
  title?: unknown;
  channelTitle?: unknown;
  channelId?: unknown;
  description?: unknown;
  publishedAt?: unknown;
  thumbnails?: Thumbnails;
  tags?: unknown;
}
interface VideoItem {
  id?: unknown;
  snippet?: Snippet;
  contentDetails?: { duration?: unknown };
  statistics?: { viewCount?: unknown; likeCount?: unknown };
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const count = (v: unknown) => {
  const n = typeof v === 'string' || typeof v === 'number' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
};

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** Search snippets arrive HTML-escaped (`Rock &amp; Roll`, `Don&#39;t`); chat wants the plain text. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * YouTube Data API v3 (interaction-modules §8), reached only through `YOUTUBE_API_BASE_URL`.
 * The key travels as the `key` query parameter on every call, as YouTube requires, so no request
 * URL or upstream error text is ever logged or returned.
 */
export class YouTubeApi {
  constructor(private readonly opts: YouTubeApiOptions) {}

  get configured(): boolean {
    return Boolean(this.opts.apiKey);
  }

  /** One `/search` plus one batched `/videos` call for lengths and view counts. */
  async search(query: string): Promise<TrackSummary[]> {
    const found = await this.get<{ items?: { id?: { videoId?: unknown }; snippet?: Snippet }[] }>('/search', {
      part: 'snippet',
      q: query,
      type: 'video',
      videoCategoryId: this.opts.categoryId,
      regionCode: this.opts.regionCode,
      maxResults: this.opts.maxSearchResults,
    });
    const hits = (found.items ?? []).flatMap((item) => {
      const id = str(item.id?.videoId);
      return isVideoId(id) ? [{ id, snippet: item.snippet ?? {} }] : [];
    });
    if (hits.length === 0) return [];
    const details = await this.get<{ items?: VideoItem[] }>('/videos', {
      part: 'contentDetails,statistics',
      id: hits.map((h) => h.id).join(','),
    });
    const byId = new Map<string, VideoItem>();
    for (const v of details.items ?? []) if (typeof v.id === 'string') byId.set(v.id, v);
    return hits.map(({ id, snippet }) => {
      const video = byId.get(id);
      const seconds = isoDurationSeconds(str(video?.contentDetails?.duration));
      return {
        video_id: id,
        title: decodeEntities(str(snippet.title)) || id,
        artist: decodeEntities(str(snippet.channelTitle)),
        channel_id: str(snippet.channelId),
        thumbnail: str(snippet.thumbnails?.medium?.url) || str(snippet.thumbnails?.default?.url),
        description: decodeEntities(str(snippet.description)).slice(0, 200),
        published_at: str(snippet.publishedAt),
        duration: formatDuration(seconds),
        duration_seconds: seconds,
        view_count: count(video?.statistics?.viewCount),
      };
    });
  }

  /** One video, or null when YouTube does not know it (an empty `items` list). */
  async track(videoId: string): Promise<TrackDetails | null> {
    const res = await this.get<{ items?: VideoItem[] }>('/videos', {
      part: 'snippet,contentDetails,statistics',
      id: videoId,
    });
    const video = (res.items ?? []).find((v) => v.id === videoId) ?? res.items?.[0];
    if (!video) return null;
    const snippet = video.snippet ?? {};
    const seconds = isoDurationSeconds(str(video.contentDetails?.duration));
    return {
      video_id: videoId,
      title: decodeEntities(str(snippet.title)) || videoId,
      artist: decodeEntities(str(snippet.channelTitle)),
      channel_id: str(snippet.channelId),
      thumbnail:
        str(snippet.thumbnails?.high?.url) ||
        str(snippet.thumbnails?.medium?.url) ||
        str(snippet.thumbnails?.default?.url),
      description: decodeEntities(str(snippet.description)).slice(0, 200),
      published_at: str(snippet.publishedAt),
      duration: formatDuration(seconds),
      duration_seconds: seconds,
      view_count: count(video.statistics?.viewCount),
      album: '',
      like_count: count(video.statistics?.likeCount),
      tags: Array.isArray(snippet.tags) ? snippet.tags.filter((t) => typeof t === 'string').slice(0, 10) : [],
    };
  }

  /** The readiness probe: the cheapest call that proves the key and quota work. */
  async probe(): Promise<void> {
    await this.get('/videos', {
      part: 'snippet',
      chart: 'mostPopular',
      videoCategoryId: this.opts.categoryId,
      maxResults: 1,
    });
  }

  private async get<T>(path: string, query: Record<string, string | number>): Promise<T> {
    const { apiKey, http, upstream, calls } = this.opts;
    const endpoint = path.slice(1);
    if (!apiKey) throw new YouTubeNotConfigured();
    if (upstream.open) {
      calls.inc({ endpoint, result: 'breaker_open' });
      throw new YouTubeUnavailable('breaker_open');
    }
    let res;
    try {
      res = await http.get<T>(path, { query: { ...query, key: apiKey } });
    } catch (err) {
      const reason = err instanceof Error ? err.name : 'unknown';
      calls.inc({ endpoint, result: 'error' });
      upstream.recordFailure(reason);
      throw new YouTubeUnavailable(reason);
    }
    if (!res.ok) {
      calls.inc({ endpoint, result: String(res.status) });
      upstream.recordFailure(`status ${res.status}${quotaReason(res.body)}`);
      throw new YouTubeUnavailable(`status ${res.status}`);
    }
    calls.inc({ endpoint, result: 'ok' });
    upstream.recordSuccess();
    return res.body;
  }
}

/** YouTube names the cause of a 403 (`quotaExceeded`, `keyInvalid`…) in `error.errors[0].reason`. */
function quotaReason(body: unknown): string {
  const reason = (body as { error?: { errors?: { reason?: unknown }[] } } | null)?.error?.errors?.[0]?.reason;
  return typeof reason === 'string' ? ` ${reason.slice(0, 40)}` : '';
}
