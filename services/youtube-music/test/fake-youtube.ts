import { startFakeServer, type FakeServer, type RecordedRequest } from '@waddlebot/core/testing';

export const API_KEY = 'yt-test-key-SECRET-9f8e7d6c5b4a';

export interface FakeVideo {
  id: string;
  title: string;
  channel: string;
  duration: string;
  views?: number;
}

/** Videos the fake knows; ids are valid 11-character YouTube ids. */
export const VIDEOS: FakeVideo[] = [
  {
    id: 'aaaaaaaaaa1',
    title: 'Lofi Beats to Study',
    channel: 'Chill Channel',
    duration: 'PT3M45S',
    views: 1200,
  },
  { id: 'bbbbbbbbbb2', title: 'Rain &amp; Piano', channel: 'Quiet Keys', duration: 'PT1H2M3S', views: 50 },
  { id: 'ccccccccc_3', title: 'Night Drive', channel: 'Synth City', duration: 'PT59S' },
  { id: 'dQw4w9WgXcQ', title: 'Never Gonna Give You Up', channel: 'Rick Astley', duration: 'PT3M33S' },
  { id: 'eeeeeeeee-5', title: 'Morning Jazz', channel: 'Cafe Sounds', duration: 'PT4M' },
  { id: 'fffffffffF6', title: 'Deep Focus', channel: 'Brainwaves', duration: 'PT10M' },
  { id: 'ggggggggg07', title: 'Ocean Waves', channel: 'Nature', duration: 'PT2M2S' },
];

const byId = new Map(VIDEOS.map((v) => [v.id, v]));

function snippet(v: FakeVideo) {
  return {
    title: v.title,
    channelTitle: v.channel,
    channelId: `UC${v.id}`,
    description: `About ${v.title} `.repeat(30),
    publishedAt: '2024-01-02T03:04:05Z',
    thumbnails: {
      default: { url: `https://i.ytimg.com/vi/${v.id}/default.jpg` },
      medium: { url: `https://i.ytimg.com/vi/${v.id}/mqdefault.jpg` },
      high: { url: `https://i.ytimg.com/vi/${v.id}/hqdefault.jpg` },
    },
    tags: Array.from({ length: 12 }, (_, i) => `tag${i}`),
  };
}

/**
 * A recording YouTube Data API v3: `/search` answers with the videos whose titles contain the
 * query (or the ids set by `searchResults`), `/videos` with the requested ids' details.
 */
export async function startFakeYouTube() {
  const server = await startFakeServer();
  const state = {
    failWith: null as null | { status: number; body: unknown },
    searchIds: null as null | string[],
  };
  const guard = (req: RecordedRequest) => {
    if (req.query.get('key') !== API_KEY)
      return { status: 400, body: { error: { code: 400, errors: [{ reason: 'keyInvalid' }] } } };
    return state.failWith ?? null;
  };
  server.on('GET', '/search', (req) => {
    const refused = guard(req);
    if (refused) return refused;
    const q = (req.query.get('q') ?? '').toLowerCase();
    const max = Number(req.query.get('maxResults') ?? 5);
    const hits = state.searchIds
      ? state.searchIds.map((id) => byId.get(id)!)
      : VIDEOS.filter((v) => v.title.toLowerCase().includes(q));
    return {
      body: {
        items: hits
          .slice(0, max)
          .map((v) => ({ id: { kind: 'youtube#video', videoId: v.id }, snippet: snippet(v) })),
      },
    };
  });
  server.on('GET', '/videos', (req) => {
    const refused = guard(req);
    if (refused) return refused;
    if (req.query.get('chart') === 'mostPopular')
      return { body: { items: [{ id: VIDEOS[0]!.id, snippet: snippet(VIDEOS[0]!) }] } };
    const ids = (req.query.get('id') ?? '').split(',').filter(Boolean);
    const parts = (req.query.get('part') ?? '').split(',');
    const items = ids.flatMap((id) => {
      const v = byId.get(id);
      if (!v) return [];
      return [
        {
          id,
          ...(parts.includes('snippet') ? { snippet: snippet(v) } : {}),
          contentDetails: { duration: v.duration },
          statistics: { viewCount: String(v.views ?? 7), likeCount: '3' },
        },
      ];
    });
    return { body: { kind: 'youtube#videoListResponse', items } };
  });
  return {
    server,
    /** Drops the recorded requests and keeps the routes (the fake server's reset() drops both). */
    forgetRequests() {
      server.requests.length = 0;
    },
    /** Every later call answers this error until `recover()`. */
    fail(status: number, body: unknown) {
      state.failWith = { status, body };
    },
    recover() {
      state.failWith = null;
    },
    /** Fix the next searches' hits to these ids, whatever the query. */
    searchResults(ids: string[] | null) {
      state.searchIds = ids;
    },
  } satisfies Record<string, unknown> & { server: FakeServer };
}

export const QUOTA_EXCEEDED = {
  error: {
    code: 403,
    message: 'The request cannot be completed because you have exceeded your quota.',
    errors: [{ reason: 'quotaExceeded', domain: 'youtube.quota' }],
  },
};
