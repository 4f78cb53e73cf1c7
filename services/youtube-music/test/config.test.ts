import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createTestRuntime,
  memberRequest,
  moderatorRequest,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import type { FakeClock } from '@waddlebot/core';
import { service } from '../src/service.js';
import { API_KEY, startFakeYouTube } from './fake-youtube.js';

const ALICE = { id: '4001', name: 'alice', display_name: 'Alice', uid: '401' };
const CAROL = { id: '4003', name: 'carol', display_name: 'Carol', uid: null };
const DAVE = { id: '4004', name: 'dave', display_name: 'Dave', uid: '404' };

let router: FakeServer;
let yt: Awaited<ReturnType<typeof startFakeYouTube>>;

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  yt = await startFakeYouTube();
});
afterAll(async () => {
  await router?.close();
  await yt?.server.close();
});

describe('without YOUTUBE_API_KEY and with the queue off (contracts §17.4)', () => {
  let rt: TestRuntime;
  let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
  beforeAll(async () => {
    rt = await createTestRuntime({
      env: { ROUTER_URL: router.url, YOUTUBE_API_BASE_URL: yt.server.url, ENABLE_QUEUE: 'false' },
    });
    app = (await rt.add(service)).app;
  });
  afterAll(async () => rt?.close());
  const interact = (body: unknown) => call(app, 'POST', '/interaction', body);

  it('starts ready, reports upstream not_configured and answers searches NOT_CONNECTED', async () => {
    yt.forgetRequests();
    const ready = await call(app, 'GET', '/readyz', undefined, {});
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ database: 'ok', upstream: 'not_configured' });
    const search = await interact(memberRequest('!ytmusic search lofi', { user: ALICE }));
    expect(search.status).toBe(200);
    expect(search.body).toMatchObject({ success: false, error_code: 'NOT_CONNECTED' });
    expect(search.body.chat_message).toMatch(/not connected/i);
    const play = await interact(memberRequest('!ytmusic play dQw4w9WgXcQ', { user: ALICE }));
    expect(play.body.error_code).toBe('NOT_CONNECTED');
    expect(yt.server.requests).toHaveLength(0);
    const current = await interact(memberRequest('!ytmusic current', { user: ALICE }));
    expect(current.body).toMatchObject({ success: true, chat_message: 'No track is currently playing' });
  });

  it('with ENABLE_QUEUE=false a new play replaces the current track', async () => {
    const db = rt.db.database.forSchema('youtube_music');
    const results = ['aaaaaaaaaa1', 'bbbbbbbbbb2'].map((id, i) => ({
      video_id: id,
      title: `Track ${i + 1}`,
      artist: 'Someone',
      channel_id: 'UCx',
      thumbnail: '',
      description: '',
      published_at: '',
      duration: '2:00',
      duration_seconds: 120,
      view_count: null,
    }));
    await db
      .insertInto('youtube_search_cache')
      .values({
        community_id: '7',
        user_id: '401',
        query: 'seeded',
        results: JSON.stringify(results),
        created_at: rt.clock.now(),
      })
      .execute();
    const first = await interact(memberRequest('!ytmusic play 1', { user: ALICE }));
    expect(first.body.chat_message).toBe('Now playing: Track 1 by Someone');
    const second = await interact(memberRequest('!ytmusic play 2', { user: ALICE }));
    expect(second.body.chat_message).toBe('Now playing: Track 2 by Someone');
    const np = await call(app, 'GET', '/api/v1/youtube/7/now-playing');
    expect(np.body.data.now_playing.video_id).toBe('bbbbbbbbbb2');
    const queue = await call(app, 'GET', '/api/v1/youtube/7/queue');
    expect(queue.body.data.total).toBe(0);
  });
});

describe('with small limits, another region and category', () => {
  let rt: TestRuntime;
  let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
  beforeAll(async () => {
    rt = await createTestRuntime({
      env: {
        ROUTER_URL: router.url,
        YOUTUBE_API_BASE_URL: yt.server.url,
        YOUTUBE_API_KEY: API_KEY,
        MAX_QUEUE_SIZE: '2',
        RATE_LIMIT_SEARCHES: '2',
        MAX_SEARCH_RESULTS: '3',
        YOUTUBE_REGION_CODE: 'gb',
        YOUTUBE_MUSIC_CATEGORY_ID: '22',
        YOUTUBE_BREAKER_THRESHOLD: '2',
      },
    });
    app = (await rt.add(service)).app;
  });
  afterAll(async () => rt?.close());
  const interact = (body: unknown) => call(app, 'POST', '/interaction', body);
  const clock = () => rt.clock as FakeClock;

  it('probes YouTube for readiness once per interval', async () => {
    yt.forgetRequests();
    const first = await call(app, 'GET', '/readyz', undefined, {});
    expect(first.body.checks.upstream).toBe('ok');
    const probes = yt.server.calls('GET', '/videos');
    expect(probes).toHaveLength(1);
    expect(probes[0]!.query.get('chart')).toBe('mostPopular');
    expect(probes[0]!.query.get('videoCategoryId')).toBe('22');
    await call(app, 'GET', '/youtube/music/health', undefined, {});
    expect(yt.server.calls('GET', '/videos')).toHaveLength(1);
  });

  it('searches use the configured region, category and result count, within RATE_LIMIT_SEARCHES', async () => {
    yt.forgetRequests();
    const one = await interact(memberRequest('!ytmusic search a', { user: ALICE }));
    expect(one.body.success).toBe(true);
    expect(Object.fromEntries(yt.server.calls('GET', '/search')[0]!.query)).toMatchObject({
      regionCode: 'GB',
      videoCategoryId: '22',
      maxResults: '3',
    });
    await interact(memberRequest('!ytmusic search b', { user: ALICE }));
    const third = await interact(memberRequest('!ytmusic search c', { user: CAROL }));
    expect(third.body).toMatchObject({ success: false, error_code: 'COOLDOWN' });
    expect(yt.server.calls('GET', '/search')).toHaveLength(2);
    // Another community is not slowed down.
    const elsewhere = await interact(memberRequest('!ytmusic search c', { user: CAROL, community: '9' }));
    expect(elsewhere.body.success).toBe(true);
    clock().advance(61_000);
    const later = await interact(memberRequest('!ytmusic search c', { user: CAROL }));
    expect(later.body.success).toBe(true);
  });

  it('refuses a play when MAX_QUEUE_SIZE tracks wait', async () => {
    await interact(moderatorRequest('!ytmusic play aaaaaaaaaa1', { community: '12' }));
    await interact(memberRequest('!ytmusic play bbbbbbbbbb2', { user: ALICE, community: '12' }));
    await interact(memberRequest('!ytmusic play ccccccccc_3', { user: CAROL, community: '12' }));
    const full = await interact(memberRequest('!ytmusic play dQw4w9WgXcQ', { user: DAVE, community: '12' }));
    expect(full.body).toMatchObject({
      success: false,
      error_code: 'CONFLICT',
      chat_message: 'The queue is full',
    });
    const queue = await call(app, 'GET', '/api/v1/youtube/12/queue');
    expect(queue.body.data.total).toBe(2);
  });

  it('opens the breaker after YOUTUBE_BREAKER_THRESHOLD failures and tries again after it', async () => {
    yt.fail(500, { error: { code: 500 } });
    try {
      yt.forgetRequests();
      for (let i = 0; i < 2; i++) {
        const res = await interact(moderatorRequest('!ytmusic play eeeeeeeee-5', { community: '13' }));
        expect(res.body.error_code).toBe('UPSTREAM');
      }
      expect(yt.server.requests).toHaveLength(2);
      const open = await interact(moderatorRequest('!ytmusic play eeeeeeeee-5', { community: '13' }));
      expect(open.body).toMatchObject({ success: false, error_code: 'UPSTREAM' });
      expect(yt.server.requests).toHaveLength(2);
      const ready = await call(app, 'GET', '/readyz', undefined, {});
      expect(ready).toMatchObject({ status: 200, body: { checks: { upstream: 'degraded' } } });
    } finally {
      yt.recover();
    }
    clock().advance(60_001);
    const again = await interact(moderatorRequest('!ytmusic play eeeeeeeee-5', { community: '13' }));
    expect(again.body.chat_message).toBe('Now playing: Morning Jazz by Cafe Sounds');
  });
});
