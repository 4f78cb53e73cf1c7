import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  memberRequest,
  moderatorRequest,
  moduleRequest,
  serviceHeaders,
  startFakeServer,
  type FakeServer,
  type RequestUser,
  type TestRuntime,
} from '@waddlebot/core/testing';
import type { FakeClock } from '@waddlebot/core';
import { service } from '../src/service.js';
import { API_KEY, QUOTA_EXCEEDED, startFakeYouTube } from './fake-youtube.js';

const ALICE = { id: '4001', name: 'alice', display_name: 'Alice', uid: '401' };
const CAROL = { id: '4003', name: 'carol', display_name: 'Carol', uid: null };
const DAVE = { id: '4004', name: 'dave', display_name: 'Dave', uid: '404' };

let rt: TestRuntime;
let router: FakeServer;
let yt: Awaited<ReturnType<typeof startFakeYouTube>>;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let seeded: Promise<void>;
/** Every body the service answered, to prove the API key never leaves it. */
const answers: unknown[] = [];

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  yt = await startFakeYouTube();
  rt = await createTestRuntime({
    env: { ROUTER_URL: router.url, YOUTUBE_API_BASE_URL: yt.server.url, YOUTUBE_API_KEY: API_KEY },
  });
  const svc = await rt.add(service);
  app = svc.app;
  seeded = svc.seeded;
});
afterAll(async () => {
  await rt?.close();
  await router?.close();
  await yt?.server.close();
});

const clock = () => rt.clock as FakeClock;
const db = () => rt.db.database.forSchema('youtube_music');
async function send(method: string, path: string, body?: unknown, headers = serviceHeaders()) {
  const res = await call(app, method, path, body, headers);
  answers.push(res.body);
  return res;
}
const interact = (body: unknown) => send('POST', '/interaction', body);
const asMember = (text: string, user: RequestUser = ALICE, community = '7') =>
  memberRequest(text, { user, community });
const asMod = (text: string, community = '7') => moderatorRequest(text, { community });
const nowPlayingRow = (community: string) =>
  db().selectFrom('youtube_now_playing').selectAll().where('community_id', '=', community).executeTakeFirst();
const queueRows = (community: string) =>
  db()
    .selectFrom('youtube_queue')
    .selectAll()
    .where('community_id', '=', community)
    .orderBy('position')
    .execute();

describe('start-up', () => {
  it('seeds !ytmusic with the !youtube alias pointing at YOUTUBE_MUSIC_URL/interaction', async () => {
    await seeded;
    const seeds = router.calls('POST', '/router/admin/commands');
    expect(seeds.length).toBeGreaterThanOrEqual(1);
    expect(seeds[0]!.headers['x-service-key']).toBe(TEST_SERVICE_KEY);
    const rows = seeds.flatMap((r) => (Array.isArray(r.json) ? r.json : (r.json.commands ?? [r.json])));
    const row = rows.find((r: any) => r.command === 'ytmusic');
    expect(row).toMatchObject({
      location_url: `${rt.env.YOUTUBE_MUSIC_URL}/interaction`,
      module_name: 'youtube-music',
      aliases: ['youtube'],
    });
  });

  it('answers /openapi.json with the REST routes', async () => {
    const res = await call(app, 'GET', '/openapi.json', undefined, {});
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/youtube/{community_id}/now-playing',
        '/api/v1/youtube/{community_id}/queue',
      ]),
    );
  });
});

describe('acceptance §10 YouTube Music', () => {
  it('1. search lists the top hits with durations from one batched /videos call and caches them', async () => {
    yt.forgetRequests();
    yt.searchResults(['aaaaaaaaaa1', 'bbbbbbbbbb2', 'ccccccccc_3']);
    const res = await interact(asMember('!ytmusic search lofi'));
    yt.searchResults(null);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, module_name: 'youtube-music', response_action: 'chat' });
    expect(res.body.chat_message).toBe(
      'YouTube Music Search Results: 1. Lofi Beats to Study - Chill Channel (3:45) | ' +
        '2. Rain & Piano - Quiet Keys (1:02:03) | 3. Night Drive - Synth City (0:59)',
    );
    const searches = yt.server.calls('GET', '/search');
    const videos = yt.server.calls('GET', '/videos');
    expect(searches).toHaveLength(1);
    expect(videos).toHaveLength(1);
    expect(Object.fromEntries(searches[0]!.query)).toMatchObject({
      part: 'snippet',
      q: 'lofi',
      type: 'video',
      videoCategoryId: '10',
      regionCode: 'US',
      maxResults: '10',
      key: API_KEY,
    });
    expect(videos[0]!.query.get('id')).toBe('aaaaaaaaaa1,bbbbbbbbbb2,ccccccccc_3');
    expect(videos[0]!.query.get('part')).toBe('contentDetails,statistics');
    expect(videos[0]!.query.get('key')).toBe(API_KEY);

    const cached = await db()
      .selectFrom('youtube_search_cache')
      .selectAll()
      .where('community_id', '=', '7')
      .execute();
    expect(cached).toHaveLength(1);
    expect(cached[0]).toMatchObject({ user_id: '401', query: 'lofi' });
    expect(cached[0]!.results).toHaveLength(3);
    expect(cached[0]!.results[1]).toMatchObject({
      video_id: 'bbbbbbbbbb2',
      title: 'Rain & Piano',
      artist: 'Quiet Keys',
      channel_id: 'UCbbbbbbbbbb2',
      thumbnail: 'https://i.ytimg.com/vi/bbbbbbbbbb2/mqdefault.jpg',
      duration: '1:02:03',
      view_count: 50,
    });
    expect(cached[0]!.results[1].description.length).toBeLessThanOrEqual(200);
  });

  it('2. play <n> takes the caller’s own cached result; out of range and other users get NOT_FOUND', async () => {
    yt.forgetRequests();
    const res = await interact(asMember('!ytmusic play 2'));
    expect(res.body.success).toBe(true);
    expect(res.body.chat_message).toBe('Now playing: Rain & Piano by Quiet Keys');
    const media = res.body.additional_responses[0];
    expect(media).toMatchObject({
      response_action: 'media',
      media_type: 'youtube',
      media_url: 'https://www.youtube.com/watch?v=bbbbbbbbbb2',
      duration: 30,
      media_data: {
        title: 'Rain & Piano',
        artist: 'Quiet Keys',
        album: '',
        album_art_url: 'https://i.ytimg.com/vi/bbbbbbbbbb2/mqdefault.jpg',
        duration_ms: 3_723_000,
        service: 'youtube',
        requested_by: 'Alice',
        video_id: 'bbbbbbbbbb2',
      },
    });
    // The cached result is enough: no further YouTube call.
    expect(yt.server.requests).toHaveLength(0);
    expect(await nowPlayingRow('7')).toMatchObject({ video_id: 'bbbbbbbbbb2', requested_by: '401' });

    const nine = await interact(asMember('!ytmusic play 9'));
    expect(nine.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
    expect(nine.body.chat_message).toContain('No track matches that reference');
    const zero = await interact(asMember('!ytmusic play 0'));
    expect(zero.body.error_code).toBe('NOT_FOUND');
    const carol = await interact(asMember('!ytmusic play 1', CAROL));
    expect(carol.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
    expect((await nowPlayingRow('7'))!.video_id).toBe('bbbbbbbbbb2');
    expect(await queueRows('7')).toHaveLength(0);
  });

  it('3. a youtu.be link while a track plays is queued; track_ended makes it now-playing', async () => {
    yt.forgetRequests();
    const res = await interact(asMember('!ytmusic play https://youtu.be/dQw4w9WgXcQ', CAROL));
    expect(res.body).toMatchObject({ success: true, chat_message: 'Queued #1: Never Gonna Give You Up' });
    const lookups = yt.server.calls('GET', '/videos');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.query.get('id')).toBe('dQw4w9WgXcQ');
    expect(lookups[0]!.query.get('part')).toBe('snippet,contentDetails,statistics');
    expect(res.body.response_data).toMatchObject({
      queue_position: 1,
      track: {
        video_id: 'dQw4w9WgXcQ',
        album: '',
        thumbnail: 'https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg',
        like_count: 3,
        tags: ['tag0', 'tag1', 'tag2', 'tag3', 'tag4', 'tag5', 'tag6', 'tag7', 'tag8', 'tag9'],
      },
    });
    expect(await queueRows('7')).toMatchObject([{ video_id: 'dQw4w9WgXcQ', requested_by: 'twitch:4003' }]);

    const queue = await interact(asMember('!ytmusic queue', DAVE));
    expect(queue.body.success).toBe(true);
    expect(queue.body.chat_message).toContain('1. Never Gonna Give You Up - Rick Astley (3:33)');
    expect(queue.body.chat_message).toContain('Carol');

    const ended = await send('POST', '/youtube/music/track-ended', {
      type: 'track_ended',
      community_id: '7',
      video_id: 'bbbbbbbbbb2',
    });
    expect(ended).toMatchObject({ status: 200, body: { status: 'processed' } });
    expect(await nowPlayingRow('7')).toMatchObject({ video_id: 'dQw4w9WgXcQ', requested_by: 'twitch:4003' });
    expect(await queueRows('7')).toHaveLength(0);
    const current = await interact(asMember('!ytmusic current', DAVE));
    expect(current.body.chat_message).toContain('Now playing: Never Gonna Give You Up by Rick Astley');
    expect(current.body.additional_responses[0]).toMatchObject({
      response_action: 'media',
      duration: 15,
      media_data: { requested_by: 'Carol', duration_ms: 213_000 },
    });
    const empty = await interact(asMember('!ytmusic queue'));
    expect(empty.body.chat_message).toBe('The queue is empty');
  });

  it('4. only moderators stop; stop clears now-playing and keeps the queue', async () => {
    await interact(asMember('!ytmusic play ggggggggg07', DAVE));
    expect(await queueRows('7')).toHaveLength(1);
    const denied = await interact(asMember('!ytmusic stop'));
    expect(denied.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    expect(denied.body.chat_message).toContain("don't have permission");
    expect(await nowPlayingRow('7')).toBeDefined();

    const stopped = await interact(asMod('!ytmusic stop'));
    expect(stopped.body).toMatchObject({ success: true, chat_message: 'Playback stopped' });
    expect(await nowPlayingRow('7')).toBeUndefined();
    expect(await queueRows('7')).toHaveLength(1);
    const current = await interact(asMember('!ytmusic nowplaying'));
    expect(current.body).toMatchObject({ success: true, chat_message: 'No track is currently playing' });
    expect(current.body.additional_responses).toBeUndefined();
  });

  it('5. quota exhaustion answers UPSTREAM; readiness stays 200 with upstream degraded', async () => {
    yt.fail(403, QUOTA_EXCEEDED);
    try {
      const res = await interact(asMember('!ytmusic search x'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: false, error_code: 'UPSTREAM' });
      expect(res.body.chat_message).toBe('YouTube is unavailable right now');
      const play = await interact(asMember('!ytmusic play dQw4w9WgXcQ'));
      expect(play.body).toMatchObject({ success: false, error_code: 'UPSTREAM' });
      for (const path of ['/readyz', '/health', '/youtube/music/health']) {
        const ready = await call(app, 'GET', path, undefined, {});
        expect(ready.status).toBe(200);
        expect(ready.body).toMatchObject({
          status: 'healthy',
          checks: { database: 'ok', upstream: 'degraded' },
        });
      }
    } finally {
      yt.recover();
    }
    const again = await interact(asMember('!ytmusic search night'));
    expect(again.body.success).toBe(true);
    const ready = await call(app, 'GET', '/readyz', undefined, {});
    expect(ready.body.checks.upstream).toBe('ok');
  });
});

describe('search and play details', () => {
  it('answers usage, no-hit and validation replies without calling YouTube for bad input', async () => {
    yt.forgetRequests();
    const c = '30';
    const blank = await interact(asMember('!ytmusic search', ALICE, c));
    expect(blank.body).toMatchObject({ success: false, error_code: 'USAGE' });
    expect(blank.body.chat_message).toBe('Usage: !ytmusic search <query>');
    const long = await interact(asMember(`!ytmusic search ${'x'.repeat(201)}`, ALICE, c));
    expect(long.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    const noRef = await interact(asMember('!ytmusic play', ALICE, c));
    expect(noRef.body.error_code).toBe('USAGE');
    for (const bad of [
      'foo',
      'https://vimeo.com/12345678901',
      'https://youtube.com/watch?v=short',
      'ftp://youtu.be/dQw4w9WgXcQ',
    ]) {
      const res = await interact(asMember(`!ytmusic play ${bad}`, ALICE, c));
      expect(res.body, bad).toMatchObject({ success: false, error_code: 'VALIDATION' });
    }
    expect(yt.server.requests).toHaveLength(0);

    const none = await interact(asMember('!ytmusic search "zzz nothing"', ALICE, c));
    expect(none.body).toMatchObject({ success: true, chat_message: "No results for 'zzz nothing'" });
    // A search without hits is the caller's latest: an older result list no longer answers `play 1`.
    const play = await interact(asMember('!ytmusic play 1', ALICE, c));
    expect(play.body.error_code).toBe('NOT_FOUND');
  });

  it('accepts watch URLs on the YouTube hosts, and an unknown video is NOT_FOUND', async () => {
    const c = '31';
    const first = await interact(
      asMember('!ytmusic play music.youtube.com/watch?v=eeeeeeeee-5&list=x', ALICE, c),
    );
    expect(first.body.chat_message).toBe('Now playing: Morning Jazz by Cafe Sounds');
    const second = await interact(
      asMember('!youtube play https://m.youtube.com/watch?v=fffffffffF6', CAROL, c),
    );
    expect(second.body.chat_message).toBe('Queued #1: Deep Focus');
    const unknown = await interact(asMember('!ytmusic play zzzzzzzzzzz', CAROL, c));
    expect(unknown.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
  });

  it('answers help, the legacy path and unknown subcommands', async () => {
    const help = await interact(asMember('!ytmusic', ALICE, '32'));
    expect(help.body.success).toBe(true);
    for (const word of ['search', 'play', 'current', 'queue', 'skip', 'stop'])
      expect(help.body.chat_message).toContain(word);
    const legacy = await send('POST', '/youtube/music/interaction', asMember('!ytmusic HELP', ALICE, '32'));
    expect(legacy.body.chat_message).toBe(help.body.chat_message);
    const unknown = await interact(asMember('!ytmusic dance', ALICE, '32'));
    expect(unknown.body).toMatchObject({ success: false, error_code: 'USAGE' });
    expect(unknown.body.chat_message).toContain('Unknown subcommand: dance');
  });

  it('search results expire after SEARCH_CACHE_TTL_SECONDS and expired rows are purged', async () => {
    const c = '33';
    await interact(asMember('!ytmusic search ocean', DAVE, c));
    clock().advance(601_000);
    const late = await interact(asMember('!ytmusic play 1', DAVE, c));
    expect(late.body.error_code).toBe('NOT_FOUND');
    await interact(asMember('!ytmusic search jazz', DAVE, c));
    const rows = await db()
      .selectFrom('youtube_search_cache')
      .select('query')
      .where('user_id', '=', '404')
      .execute();
    expect(rows.map((r) => r.query)).toEqual(['jazz']);
    const fresh = await interact(asMember('!ytmusic play 1', DAVE, c));
    expect(fresh.body.chat_message).toBe('Now playing: Morning Jazz by Cafe Sounds');
  });
});

describe('queue rules and skip', () => {
  it('a user may hold at most 3 queued songs', async () => {
    const c = '40';
    await interact(asMod('!ytmusic play aaaaaaaaaa1', c));
    for (const id of ['bbbbbbbbbb2', 'ccccccccc_3', 'dQw4w9WgXcQ']) {
      const res = await interact(asMember(`!ytmusic play ${id}`, ALICE, c));
      expect(res.body.success, id).toBe(true);
    }
    const fourth = await interact(asMember('!ytmusic play eeeeeeeee-5', ALICE, c));
    expect(fourth.body).toMatchObject({ success: false, error_code: 'COOLDOWN' });
    expect(fourth.body.chat_message).toBe('You already have 3 songs in the queue');
    const other = await interact(asMember('!ytmusic play eeeeeeeee-5', CAROL, c));
    expect(other.body.chat_message).toBe('Queued #4: Morning Jazz');
    expect((await queueRows(c)).map((r) => r.video_id)).toEqual([
      'bbbbbbbbbb2',
      'ccccccccc_3',
      'dQw4w9WgXcQ',
      'eeeeeeeee-5',
    ]);
    const listed = await interact(asMember('!ytmusic queue', CAROL, c));
    expect(listed.body.chat_message).toMatch(/^Up next: 1\. Rain & Piano.*\| 4\. Morning Jazz/);
  });

  it('skip: moderators or the current requester; pops the next entry, then stops', async () => {
    const c = '41';
    await interact(asMember('!ytmusic play aaaaaaaaaa1', ALICE, c));
    await interact(asMember('!ytmusic play ccccccccc_3', CAROL, c));
    const denied = await interact(asMember('!ytmusic skip', DAVE, c));
    expect(denied.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    expect((await nowPlayingRow(c))!.video_id).toBe('aaaaaaaaaa1');

    const byRequester = await interact(asMember('!ytmusic skip', ALICE, c));
    expect(byRequester.body.success).toBe(true);
    expect(byRequester.body.chat_message).toContain('Now playing: Night Drive by Synth City');
    expect(byRequester.body.additional_responses[0]).toMatchObject({
      media_type: 'youtube',
      media_url: 'https://www.youtube.com/watch?v=ccccccccc_3',
    });
    expect(await nowPlayingRow(c)).toMatchObject({ video_id: 'ccccccccc_3', requested_by: 'twitch:4003' });
    // Alice requested the previous track, not this one.
    const notHers = await interact(asMember('!ytmusic skip', ALICE, c));
    expect(notHers.body.error_code).toBe('FORBIDDEN');

    const last = await interact(asMod('!ytmusic skip', c));
    expect(last.body.success).toBe(true);
    expect(last.body.chat_message).toContain('stopped');
    expect(await nowPlayingRow(c)).toBeUndefined();
    const nothing = await interact(asMod('!ytmusic skip', c));
    expect(nothing.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
  });

  it('plays per community are rate limited (RATE_LIMIT_PLAYS per minute)', async () => {
    const c = '42';
    const replies: string[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await interact(asMod(`!ytmusic play ${i % 2 ? 'aaaaaaaaaa1' : 'bbbbbbbbbb2'}`, c));
      replies.push(res.body.chat_message);
    }
    // The first play starts, three queue and later ones meet the per-user queue limit, not the rate limit.
    expect(replies.slice(0, 20).filter((a) => a.startsWith('Slow down'))).toHaveLength(0);
    expect(replies[20]).toBe('Slow down, try again in a moment');
    // Another community has its own window.
    const other = await interact(asMod('!ytmusic play aaaaaaaaaa1', '43'));
    expect(other.body.success).toBe(true);
    clock().advance(61_000);
    const later = await interact(asMod('!ytmusic play aaaaaaaaaa1', c));
    expect(later.body.chat_message).toBe('You already have 3 songs in the queue');
  });

  it('concurrent plays in one community start one track and queue the rest in distinct places', async () => {
    const c = '45';
    const ids = ['aaaaaaaaaa1', 'bbbbbbbbbb2', 'ccccccccc_3', 'dQw4w9WgXcQ', 'eeeeeeeee-5', 'fffffffffF6'];
    const results = await Promise.all(
      ids.map((id, i) =>
        interact(asMember(`!ytmusic play ${id}`, { id: `70${i}`, name: `u${i}`, uid: `70${i}` }, c)),
      ),
    );
    const replies = results.map((r) => r.body.chat_message as string);
    expect(replies.filter((r) => r.startsWith('Now playing'))).toHaveLength(1);
    const ranks = replies.flatMap((r) => /^Queued #(\d+)/.exec(r)?.[1] ?? []).map(Number);
    expect(ranks.sort()).toEqual([1, 2, 3, 4, 5]);
    const queued = await queueRows(c);
    expect(new Set(queued.map((r) => r.position)).size).toBe(5);
    expect(new Set([...queued.map((r) => r.video_id), (await nowPlayingRow(c))!.video_id])).toEqual(
      new Set(ids),
    );
  });

  it('writes one youtube_activity row per command, refusals included', async () => {
    const c = '44';
    await interact(asMember('!ytmusic', ALICE, c));
    await interact(asMember('!ytmusic stop', ALICE, c));
    await interact(asMember('!ytmusic play 5', ALICE, c));
    const rows = await db()
      .selectFrom('youtube_activity')
      .selectAll()
      .where('community_id', '=', c)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.action, r.user_id, r.details.success, r.details.error_code])).toEqual([
      ['help', '401', true, null],
      ['stop', '401', false, 'FORBIDDEN'],
      ['play', '401', false, 'NOT_FOUND'],
    ]);
  });
});

describe('community isolation', () => {
  it('one community’s now-playing, queue and search cache never show in another', async () => {
    const [a, b] = ['50', '51'];
    await interact(asMember('!ytmusic search night', ALICE, a));
    await interact(asMember('!ytmusic play 1', ALICE, a));
    await interact(asMember('!ytmusic play dQw4w9WgXcQ', CAROL, a));

    const cached = await interact(asMember('!ytmusic play 1', ALICE, b));
    expect(cached.body.error_code).toBe('NOT_FOUND');
    const current = await interact(asMember('!ytmusic current', ALICE, b));
    expect(current.body.chat_message).toBe('No track is currently playing');
    const queue = await interact(asMember('!ytmusic queue', ALICE, b));
    expect(queue.body.chat_message).toBe('The queue is empty');
    expect((await send('GET', `/api/v1/youtube/${b}/now-playing`)).body.data).toEqual({ now_playing: null });
    expect((await send('GET', `/api/v1/youtube/${b}/queue`)).body.data).toEqual({ queue: [], total: 0 });

    // A track end or stop in b leaves a alone.
    const ended = await send('POST', '/youtube/music/track-ended', { type: 'track_ended', community_id: b });
    expect(ended.body).toEqual({ status: 'ignored' });
    await interact(asMod('!ytmusic stop', b));
    await send('DELETE', `/api/v1/youtube/${b}/queue`);
    expect((await nowPlayingRow(a))!.video_id).toBe('ccccccccc_3');
    expect(await queueRows(a)).toHaveLength(1);
  });
});

describe('track-ended', () => {
  it('ignores other types and stale reports; validates the body; needs the service key', async () => {
    const c = '60';
    await interact(asMod('!ytmusic play aaaaaaaaaa1', c));
    await interact(asMod('!ytmusic play bbbbbbbbbb2', c));
    const other = await send('POST', '/youtube/music/webhook', { type: 'track_started', community_id: c });
    expect(other).toMatchObject({ status: 200, body: { status: 'ignored' } });
    const stale = await send('POST', '/youtube/music/track-ended', {
      type: 'track_ended',
      community_id: c,
      video_id: 'zzzzzzzzzzz',
    });
    expect(stale.body).toEqual({ status: 'ignored' });
    expect((await nowPlayingRow(c))!.video_id).toBe('aaaaaaaaaa1');

    for (const bad of [
      { type: 'track_ended' },
      { type: 'track_ended', community_id: 'abc' },
      { community_id: c },
    ]) {
      const res = await send('POST', '/youtube/music/track-ended', bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    }
    const noKey = await call(
      app,
      'POST',
      '/youtube/music/track-ended',
      { type: 'track_ended', community_id: c },
      {
        'Content-Type': 'application/json',
      },
    );
    expect(noKey.status).toBe(401);
    expect((await nowPlayingRow(c))!.video_id).toBe('aaaaaaaaaa1');

    // The original webhook path, community id as a number, no video id: advances.
    const legacy = await send('POST', '/youtube/music/webhook', {
      type: 'track_ended',
      community_id: Number(c),
    });
    expect(legacy.body).toEqual({ status: 'processed' });
    expect((await nowPlayingRow(c))!.video_id).toBe('bbbbbbbbbb2');
    await send('POST', '/youtube/music/track-ended', {
      type: 'track_ended',
      community_id: c,
      video_id: 'bbbbbbbbbb2',
    });
    expect(await nowPlayingRow(c)).toBeUndefined();
  });
});

describe('REST', () => {
  const c = '70';
  const member = {
    'X-WaddleBot-User-Id': '401',
    'X-WaddleBot-User-Name': 'Alice',
    'X-WaddleBot-User-Role': 'member',
  };
  const mod = {
    'X-WaddleBot-User-Id': '311',
    'X-WaddleBot-User-Name': 'ModMike',
    'X-WaddleBot-User-Role': 'moderator',
  };

  it('serves now-playing and the queue in play order', async () => {
    await interact(asMember('!ytmusic play aaaaaaaaaa1', ALICE, c));
    await interact(asMember('!ytmusic play bbbbbbbbbb2', CAROL, c));
    await interact(asMember('!ytmusic play ccccccccc_3', DAVE, c));
    const np = await send('GET', `/api/v1/youtube/${c}/now-playing`);
    expect(np.status).toBe(200);
    expect(np.body).toMatchObject({
      success: true,
      data: {
        now_playing: {
          video_id: 'aaaaaaaaaa1',
          title: 'Lofi Beats to Study',
          artist: 'Chill Channel',
          album: '',
          duration: '3:45',
          duration_ms: 225_000,
          thumbnail_url: 'https://i.ytimg.com/vi/aaaaaaaaaa1/hqdefault.jpg',
          media_url: 'https://www.youtube.com/watch?v=aaaaaaaaaa1',
          requested_by: '401',
          requested_by_name: 'Alice',
        },
      },
    });
    const queue = await send('GET', `/api/v1/youtube/0${c}/queue?limit=1`);
    expect(queue.body.data.total).toBe(2);
    expect(queue.body.data.queue).toMatchObject([
      { rank: 1, video_id: 'bbbbbbbbbb2', requested_by_name: 'Carol' },
    ]);
  });

  it('clears the queue for moderators and the platform; refuses members and bad input', async () => {
    const denied = await send('DELETE', `/api/v1/youtube/${c}/queue`, undefined, serviceHeaders(member));
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    expect(await queueRows(c)).toHaveLength(2);
    const cleared = await send('DELETE', `/api/v1/youtube/${c}/queue`, undefined, serviceHeaders(mod));
    expect(cleared.body).toEqual({ success: true, data: { cleared: 2 } });
    expect(await queueRows(c)).toHaveLength(0);
    expect(await nowPlayingRow(c)).toBeDefined();

    const bad = await send('GET', '/api/v1/youtube/abc/now-playing');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    const badLimit = await send('GET', `/api/v1/youtube/${c}/queue?limit=0`);
    expect(badLimit.status).toBe(400);
    const anonymous = await call(app, 'GET', `/api/v1/youtube/${c}/now-playing`, undefined, {});
    expect(anonymous.status).toBe(401);
    const wrong = await call(app, 'POST', '/interaction', asMod('!ytmusic current'), {
      'X-Service-Key': 'x'.repeat(40),
      'Content-Type': 'application/json',
    });
    expect(wrong.status).toBe(401);
    const malformed = await send('POST', '/interaction', { command: 'ytmusic' });
    expect(malformed.status).toBe(400);
  });
});

describe('user merge', () => {
  it('re-keys requesters, cached searches and activity to the surviving uid', async () => {
    const c = '80';
    const guest = { id: '9009', name: 'guest', display_name: 'Guest', uid: null };
    await interact(moduleRequest('!ytmusic search ocean', { role: 'member', user: guest, community: c }));
    await interact(moduleRequest('!ytmusic play 1', { role: 'member', user: guest, community: c }));
    await interact(moduleRequest('!ytmusic play aaaaaaaaaa1', { role: 'member', user: guest, community: c }));
    const merged = await send('POST', '/internal/user-merged', {
      from_uid: '900',
      into_uid: '901',
      identities: [{ platform: 'twitch', platform_user_id: '9009' }],
    });
    expect(merged.body).toEqual({ success: true, data: { merged: true } });
    expect((await nowPlayingRow(c))!.requested_by).toBe('901');
    expect((await queueRows(c))[0]!.requested_by).toBe('901');
    const left = await db()
      .selectFrom('youtube_activity')
      .select('id')
      .where('user_id', '=', 'twitch:9009')
      .execute();
    expect(left).toHaveLength(0);
    // The merged user keeps their search: `play 1` as uid 901 still finds it.
    const again = await interact(
      moduleRequest('!ytmusic play 1', { role: 'member', user: { ...guest, uid: '901' }, community: c }),
    );
    expect(again.body.success).toBe(true);
  });
});

describe('metrics', () => {
  it('counts commands and YouTube calls', async () => {
    const res = await app.request('/metrics');
    const text = await res.text();
    expect(text).toMatch(
      /youtube_music_commands_total\{[^}]*subcommand="search"[^}]*result="ok"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(/youtube_music_commands_total\{[^}]*subcommand="stop"[^}]*result="FORBIDDEN"/);
    expect(text).toMatch(/youtube_api_calls_total\{[^}]*endpoint="search"[^}]*result="403"[^}]*\} [1-9]/);
    expect(text).not.toContain('subcommand="dance"');
  });
});

describe('secrets', () => {
  it('never puts the API key into a response or a log line', () => {
    expect(answers.length).toBeGreaterThan(20);
    expect(JSON.stringify(answers)).not.toContain(API_KEY);
    expect(rt.logLines.length).toBeGreaterThan(0);
    expect(rt.logLines.join('\n')).not.toContain(API_KEY);
  });
});
