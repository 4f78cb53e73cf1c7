import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call } from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import { isoDurationSeconds, youtubeChannelOf } from '../src/youtube-shorts.js';
import { startFakeYouTube, type FakeYouTube } from './fake-youtube.js';
import { startShoutoutHarness, type ShoutoutHarness } from './harness.js';
import { mod, platformEvent } from './module-request.js';

const YOUTUBE_KEY = 'fake-youtube-key-0123456789';
const CHANNEL = 'UCabcdefghijklmnopqrstuv';
const HANDLE_CHANNEL = 'UCvutsrqponmlkjihgfedcba';

let h: ShoutoutHarness;
let youtube: FakeYouTube;
let app: ShoutoutHarness['app'];
const clock = () => h.clock;
/** ISO time `days` before the runtime's clock. */
const daysAgo = (days: number) => new Date(clock().nowMs() - days * 86400_000).toISOString();

beforeAll(async () => {
  youtube = await startFakeYouTube(YOUTUBE_KEY);
  h = await startShoutoutHarness(
    [
      {
        id: '201',
        login: 'creator',
        display_name: 'Creator',
        game_name: 'Celeste',
        clips: [
          {
            id: 'c9',
            url: 'https://clips.twitch.tv/c9',
            embed_url: 'https://clips.twitch.tv/embed?clip=c9',
            title: 'clip',
          },
        ],
      },
      { id: '202', login: 'handler', display_name: 'Handler' },
    ],
    { YOUTUBE_API_BASE_URL: youtube.server.url, YOUTUBE_API_KEY: YOUTUBE_KEY },
  );
  app = h.app;
});
afterAll(async () => {
  await h.close();
  await youtube.close();
});

beforeEach(() => {
  youtube.channels.set(CHANNEL, [
    // Newest first after sorting: a long video, a live stream (P0D), then the short to pick.
    { id: 'longvideo01', title: 'Long one', publishedAt: daysAgo(1), duration: 'PT12M3S' },
    { id: 'livestream1', title: 'Live', publishedAt: daysAgo(2), duration: 'P0D' },
    { id: 'shortvideo1', title: 'Jump <tech>', publishedAt: daysAgo(3), duration: 'PT59S' },
    { id: 'shortvideo2', title: 'Older short', publishedAt: daysAgo(5), duration: 'PT30S' },
    { id: 'shortoutold', title: 'Too old', publishedAt: daysAgo(31), duration: 'PT20S' },
  ]);
  youtube.handles.set('@handlerclips', HANDLE_CHANNEL);
  youtube.channels.set(HANDLE_CHANNEL, [
    { id: 'handleshort', title: 'Handle short', publishedAt: daysAgo(1), duration: 'PT1M' },
  ]);
  youtube.server.requests.length = 0;
  youtube.failNext(500, 0);
});

const interact = (body: unknown) => h.interact(body);
const setUp = async (community: string, login: string, links: Record<string, string> | null) => {
  const config = await h.putConfig(community, { display_type: 'youtube_short', auto_shoutout_mode: 'all' });
  expect(config.status).toBe(200);
  if (links) {
    const user = await call(app, 'PUT', `/api/v1/shoutout/${community}/users/${login}`, {
      additional_links: links,
    });
    expect(user.status).toBe(200);
  }
};
const history = (community: string) => h.historyRows(community);

describe('youtube_short card', () => {
  it('embeds the newest video of at most 60 s from the last 30 days', async () => {
    await setUp('70', 'creator', { YouTube: `https://www.youtube.com/channel/${CHANNEL}` });
    const res = await interact(mod('!so @Creator', { community: '70' }));
    expect(res.body).toMatchObject({ success: true, response_action: 'chat' });
    expect(res.body.degraded).toBeUndefined();
    expect(res.body.chat_message).toContain('Celeste');
    const card = res.body.additional_responses[0];
    expect(card).toMatchObject({
      response_action: 'general',
      style: { type: 'shoutout', theme: 'youtube_short' },
    });
    expect(card.content).toContain(
      'class="shoutout-short" src="https://www.youtube.com/embed/shortvideo1?autoplay=1&amp;rel=0"',
    );
    expect(card.content).not.toContain('clips.twitch.tv');
    expect(card.content).toContain(`href="https://www.youtube.com/channel/${CHANNEL}"`);

    const [search] = youtube.server.calls('GET', '/search');
    expect(Object.fromEntries(search!.query)).toEqual({
      part: 'snippet',
      channelId: CHANNEL,
      type: 'video',
      order: 'date',
      publishedAfter: daysAgo(30),
      maxResults: '25',
      key: YOUTUBE_KEY,
    });
    const [videos] = youtube.server.calls('GET', '/videos');
    expect(videos!.query.get('part')).toBe('contentDetails');
    expect(videos!.query.get('id')!.split(',')).toEqual([
      'longvideo01',
      'livestream1',
      'shortvideo1',
      'shortvideo2',
    ]);
    expect(youtube.server.calls('GET', '/channels')).toHaveLength(0);

    const [row] = await history('70');
    expect(row).toMatchObject({ clip_url: 'https://www.youtube.com/shorts/shortvideo1' });
    expect(row!.response_data).toMatchObject({ display_type: 'youtube_short', degraded: false });
  });

  it('resolves an @handle link to its channel first', async () => {
    await setUp('71', 'handler', { Shorts: 'https://youtube.com/@handlerclips' });
    const res = await interact(mod('!so handler', { community: '71' }));
    expect(res.body.additional_responses[0].content).toContain('youtube.com/embed/handleshort');
    expect(youtube.server.calls('GET', '/channels')[0]!.query.get('forHandle')).toBe('@handlerclips');
    expect(youtube.server.calls('GET', '/search')[0]!.query.get('channelId')).toBe(HANDLE_CHANNEL);
  });

  it('falls back to the clip when the channel has no recent short, without calling it degraded', async () => {
    youtube.channels.set(CHANNEL, [
      { id: 'longvideo01', title: 'Long', publishedAt: daysAgo(1), duration: 'PT1M1S' },
    ]);
    await setUp('72', 'creator', { YouTube: `https://m.youtube.com/channel/${CHANNEL}/videos` });
    const res = await interact(mod('!so creator', { community: '72' }));
    expect(res.body.degraded).toBeUndefined();
    expect(res.body.additional_responses[0].style.theme).toBe('twitch_clip');
    expect(res.body.additional_responses[0].content).toContain('clips.twitch.tv/embed?clip=c9');
    expect((await history('72'))[0]!.clip_url).toBe('https://clips.twitch.tv/c9');
  });

  it('asks YouTube nothing when the creator has no YouTube link', async () => {
    await setUp('73', 'creator', { Site: 'https://creator.example.com' });
    const res = await interact(mod('!so creator', { community: '73' }));
    expect(res.body.additional_responses[0].style.theme).toBe('twitch_clip');
    expect(res.body.degraded).toBeUndefined();
    expect(youtube.server.requests).toHaveLength(0);
  });

  it('degrades to the Twitch card when YouTube fails, and skips it for 60 s after 5 failures', async () => {
    await setUp('74', 'creator', { YouTube: `https://www.youtube.com/channel/${CHANNEL}` });
    youtube.failNext(403, 100);
    for (let i = 0; i < 5; i++) {
      const res = await interact(mod('!so creator', { community: '74' }));
      expect(res.body).toMatchObject({ success: true, degraded: true });
      expect(res.body.chat_message).toContain('Celeste');
      expect(res.body.additional_responses[0].style.theme).toBe('twitch_clip');
    }
    const calls = youtube.server.requests.length;
    const skipped = await interact(mod('!so creator', { community: '74' }));
    expect(skipped.body.degraded).toBe(true);
    expect(youtube.server.requests).toHaveLength(calls);
    expect((await call(app, 'GET', '/readyz', undefined, {})).body).toMatchObject({
      status: 'healthy',
      checks: { upstream: 'degraded' },
    });

    youtube.failNext(500, 0);
    clock().advance(61_000);
    const back = await interact(mod('!so creator', { community: '74' }));
    expect(back.body.degraded).toBeUndefined();
    expect(back.body.additional_responses[0].style.theme).toBe('youtube_short');
    expect((await history('74')).map((h) => (h.response_data as { degraded: boolean }).degraded)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('shows the short on an auto-shoutout card too', async () => {
    await setUp('75', 'creator', { YouTube: `https://www.youtube.com/channel/${CHANNEL}` });
    const res = await interact(
      platformEvent('raid', { user_id: '9201', user_name: 'creator' }, { community: '75' }),
    );
    const card = res.body.additional_responses[0];
    expect(card.style).toEqual({ type: 'auto-shoutout', theme: 'youtube_short' });
    expect(card.content).toContain('Thank you for the raid, Creator!');
    expect(card.content).toContain('youtube.com/embed/shortvideo1');
  });

  it('without YOUTUBE_API_KEY falls back and says it degraded, calling YouTube never', async () => {
    const bare = await h.rt.add(service, { YOUTUBE_API_KEY: '' });
    await call(bare.app, 'PUT', '/api/v1/shoutout/76/config', { display_type: 'youtube_short' });
    await call(bare.app, 'PUT', '/api/v1/shoutout/76/users/creator', {
      additional_links: { YouTube: `https://www.youtube.com/channel/${CHANNEL}` },
    });
    const res = await call(bare.app, 'POST', '/interaction', mod('!so creator', { community: '76' }));
    expect(res.body).toMatchObject({ success: true, degraded: true });
    expect(res.body.additional_responses[0].style.theme).toBe('twitch_clip');
    expect(youtube.server.requests).toHaveLength(0);
    const ready = await call(bare.app, 'GET', '/readyz', undefined, {});
    expect(ready.body).toMatchObject({ status: 'healthy', checks: { upstream: 'ok' } });
  });

  it('never writes the YouTube key to the log', () => {
    expect(h.rt.logLines.join('\n')).not.toContain(YOUTUBE_KEY);
  });
});

describe('reading YouTube data', () => {
  it('finds channel ids and handles among links, and nothing else', () => {
    expect(
      youtubeChannelOf({ a: 'https://example.com', b: `https://youtube.com/channel/${CHANNEL}` }),
    ).toEqual({ channelId: CHANNEL });
    expect(youtubeChannelOf({ y: 'https://www.youtube.com/@some.one/shorts' })).toEqual({
      handle: '@some.one',
    });
    expect(youtubeChannelOf({ y: 'https://youtube.com/watch?v=abc' })).toBeNull();
    expect(youtubeChannelOf({ y: 'https://notyoutube.com/@someone' })).toBeNull();
    expect(youtubeChannelOf({ y: 'https://youtube.com/channel/UCshort' })).toBeNull();
  });

  it('reads ISO-8601 durations', () => {
    expect(isoDurationSeconds('PT59S')).toBe(59);
    expect(isoDurationSeconds('PT1M')).toBe(60);
    expect(isoDurationSeconds('PT1H2M3S')).toBe(3723);
    expect(isoDurationSeconds('P1DT1S')).toBe(86401);
    expect(isoDurationSeconds('P0D')).toBe(0);
    expect(isoDurationSeconds('PT')).toBeNull();
    expect(isoDurationSeconds('P')).toBeNull();
    expect(isoDurationSeconds('60')).toBeNull();
  });
});
