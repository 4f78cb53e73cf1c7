import { startFakeServer, type FakeServer } from '@waddlebot/core/testing';

export interface FakeVideo {
  id: string;
  title: string;
  publishedAt: string;
  /** ISO-8601, as YouTube reports it (`PT45S`, `PT2M`, `P0D` for live). */
  duration: string;
}

export interface FakeYouTube {
  server: FakeServer;
  /** Channel id → its videos; `handles` maps `@handle` → channel id. */
  channels: Map<string, FakeVideo[]>;
  handles: Map<string, string>;
  /** Answer the next N calls with this status. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

/** YouTube Data API v3: `channels?forHandle`, `search?channelId…` and `videos?part=contentDetails`. */
export async function startFakeYouTube(apiKey: string): Promise<FakeYouTube> {
  const channels = new Map<string, FakeVideo[]>();
  const handles = new Map<string, string>();
  let failures = { status: 500, left: 0 };
  const allVideos = () => [...channels.values()].flat();
  const server = await startFakeServer((req) => {
    if (failures.left > 0) {
      failures.left--;
      return {
        status: failures.status,
        body: { error: { code: failures.status, message: 'backend error' } },
      };
    }
    if (req.query.get('key') !== apiKey)
      return { status: 400, body: { error: { code: 400, message: 'API key not valid' } } };
    switch (req.path) {
      case '/channels': {
        const id = handles.get(req.query.get('forHandle') ?? '');
        return { status: 200, body: { kind: 'youtube#channelListResponse', items: id ? [{ id }] : [] } };
      }
      case '/search': {
        const after = Date.parse(req.query.get('publishedAfter') ?? '');
        const max = Number(req.query.get('maxResults') ?? 5);
        const videos = (channels.get(req.query.get('channelId') ?? '') ?? [])
          .filter((v) => Number.isNaN(after) || Date.parse(v.publishedAt) >= after)
          .sort((a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt))
          .slice(0, max);
        return {
          status: 200,
          body: {
            kind: 'youtube#searchListResponse',
            items: videos.map((v) => ({
              id: { kind: 'youtube#video', videoId: v.id },
              snippet: { title: v.title, publishedAt: v.publishedAt },
            })),
          },
        };
      }
      case '/videos': {
        const ids = (req.query.get('id') ?? '').split(',');
        const items = allVideos()
          .filter((v) => ids.includes(v.id))
          .map((v) => ({ id: v.id, contentDetails: { duration: v.duration } }));
        return { status: 200, body: { kind: 'youtube#videoListResponse', items } };
      }
      default:
        return undefined;
    }
  });
  return {
    server,
    channels,
    handles,
    failNext(status, times = 1) {
      failures = { status, left: times };
    },
    close: () => server.close(),
  };
}
