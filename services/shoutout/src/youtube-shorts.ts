import { UpstreamBreaker, type Clock, type HttpClient, type Logger } from '@waddlebot/core';

/** A creator's YouTube channel as found in their links: an id (`UC…`) or a handle (`@name`). */
export type YouTubeChannelRef = { channelId: string } | { handle: string };

export interface YouTubeShort {
  video_id: string;
  title: string;
  duration_seconds: number;
  /** The watch page, recorded in the history. */
  url: string;
  embed_url: string;
}

export type ShortLookup =
  | { status: 'found'; short: YouTubeShort }
  /** The channel exists but published no video of at most SHORT_MAX_SECONDS in the window. */
  | { status: 'none' }
  /** No API key, YouTube failing or its breaker open: callers fall back to the Twitch card. */
  | { status: 'degraded'; reason: 'not_configured' | 'upstream' | 'breaker_open' };

export interface YouTubeShortsOptions {
  api: HttpClient;
  apiKey?: string;
  clock: Clock;
  logger: Logger;
  breakerThreshold?: number;
  breakerOpenMs?: number;
}

/** interaction-modules §4: "the latest ≤60 s video", published within the last 30 days. */
export const SHORT_MAX_SECONDS = 60;
const SEARCH_WINDOW_MS = 30 * 24 * 3600 * 1000;
/** Candidates per look-up; one `videos` call takes up to 50 ids. */
const SEARCH_RESULTS = 25;
const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;
const CHANNEL_ID = /^UC[A-Za-z0-9_-]{22}$/;
const HANDLE = /^@[A-Za-z0-9._-]{3,30}$/;
const YOUTUBE_HOSTS = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com']);

class YouTubeFailure extends Error {
  constructor(readonly status: number) {
    super(`youtube answered ${status}`);
  }
}

/**
 * The first YouTube channel among a creator's links: `youtube.com/channel/UC…` or
 * `youtube.com/@handle` (with or without `www.`/`m.`). Other link shapes name no channel.
 */
export function youtubeChannelOf(links: Record<string, string>): YouTubeChannelRef | null {
  for (const value of Object.values(links)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      continue;
    }
    if (!YOUTUBE_HOSTS.has(url.hostname.toLowerCase())) continue;
    const [first = '', second = ''] = url.pathname.split('/').filter(Boolean);
    if (first === 'channel' && CHANNEL_ID.test(second)) return { channelId: second };
    const handle = decodeURIComponent(first);
    if (HANDLE.test(handle)) return { handle };
  }
  return null;
}

/** ISO-8601 durations as YouTube gives them (`PT59S`, `PT1M`, `P0D`, `P1DT2H`); null when unreadable. */
export function isoDurationSeconds(text: string): number | null {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return Number(d) * 86400 + Number(h) * 3600 + Number(min) * 60 + Number(s);
}

/**
 * YouTube Data API look-ups for the `youtube_short` card (interaction-modules §4): the channel's
 * videos of the last 30 days newest first (`search`), their lengths (`videos?part=contentDetails`),
 * and the first of at most 60 s. The key goes in the `key` query parameter, as YouTube wants it.
 */
export class YouTubeShorts {
  private readonly breaker: UpstreamBreaker;

  constructor(private readonly opts: YouTubeShortsOptions) {
    this.breaker = new UpstreamBreaker({
      upstream: 'youtube',
      clock: opts.clock,
      logger: opts.logger,
      threshold: opts.breakerThreshold,
      openMs: opts.breakerOpenMs,
    });
  }

  get configured(): boolean {
    return Boolean(this.opts.apiKey);
  }

  get breakerOpen(): boolean {
    return this.breaker.open;
  }

  /** Never throws: a failure is a `degraded` answer, so a shoutout always gets its card. */
  async latestShort(channel: YouTubeChannelRef): Promise<ShortLookup> {
    if (!this.configured) return { status: 'degraded', reason: 'not_configured' };
    if (this.breaker.open) return { status: 'degraded', reason: 'breaker_open' };
    try {
      const channelId = 'channelId' in channel ? channel.channelId : await this.channelIdOf(channel.handle);
      const short = channelId ? await this.findShort(channelId) : null;
      this.breaker.recordSuccess();
      return short ? { status: 'found', short } : { status: 'none' };
    } catch (err) {
      this.breaker.recordFailure(err instanceof YouTubeFailure ? err.message : errorName(err));
      return { status: 'degraded', reason: 'upstream' };
    }
  }

  private async channelIdOf(handle: string): Promise<string | null> {
    const res = await this.get<{ items?: { id?: unknown }[] }>('/channels', {
      part: 'id',
      forHandle: handle,
    });
    const id = res.items?.[0]?.id;
    return typeof id === 'string' && CHANNEL_ID.test(id) ? id : null;
  }

  private async findShort(channelId: string): Promise<YouTubeShort | null> {
    const search = await this.get<{
      items?: { id?: { videoId?: unknown }; snippet?: { title?: unknown } }[];
    }>('/search', {
      part: 'snippet',
      channelId,
      type: 'video',
      order: 'date',
      publishedAfter: new Date(this.opts.clock.nowMs() - SEARCH_WINDOW_MS).toISOString(),
      maxResults: SEARCH_RESULTS,
    });
    const candidates = (search.items ?? []).flatMap((item) => {
      const id = item.id?.videoId;
      if (typeof id !== 'string' || !VIDEO_ID.test(id)) return [];
      return [{ id, title: typeof item.snippet?.title === 'string' ? item.snippet.title : '' }];
    });
    if (candidates.length === 0) return null;
    const videos = await this.get<{ items?: { id?: unknown; contentDetails?: { duration?: unknown } }[] }>(
      '/videos',
      { part: 'contentDetails', id: candidates.map((c) => c.id).join(',') },
    );
    const seconds = new Map<string, number>();
    for (const v of videos.items ?? []) {
      const duration = typeof v.contentDetails?.duration === 'string' ? v.contentDetails.duration : '';
      const s = isoDurationSeconds(duration);
      if (typeof v.id === 'string' && s !== null) seconds.set(v.id, s);
    }
    // Search order is newest first; live streams and premieres report P0D and are no short.
    for (const c of candidates) {
      const s = seconds.get(c.id);
      if (s !== undefined && s > 0 && s <= SHORT_MAX_SECONDS) {
        return {
          video_id: c.id,
          title: c.title,
          duration_seconds: s,
          url: `https://www.youtube.com/shorts/${c.id}`,
          embed_url: `https://www.youtube.com/embed/${c.id}?autoplay=1&rel=0`,
        };
      }
    }
    return null;
  }

  private async get<T>(path: string, query: Record<string, string | number>): Promise<T> {
    const res = await this.opts.api.get<T>(path, { query: { ...query, key: this.opts.apiKey! } });
    if (!res.ok) throw new YouTubeFailure(res.status);
    return res.body;
  }
}

/** For logs: never the request URL, which carries the key. */
function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'unknown';
}
