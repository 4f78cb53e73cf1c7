import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SERVICE_KEY, call, serviceHeaders, type FakeServer } from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import type { FakeTwitch } from './fake-twitch.js';
import { CLIENT_SECRET, startShoutoutHarness, type ShoutoutHarness } from './harness.js';
import { member, mod, platformEvent } from './module-request.js';

let h: ShoutoutHarness;
let twitch: FakeTwitch;
let router: FakeServer;
let app: ShoutoutHarness['app'];
const clock = () => h.clock;
const rt = () => h.rt;

const CLIPS = [
  {
    id: 'c1',
    url: 'https://clips.twitch.tv/c1',
    embed_url: 'https://clips.twitch.tv/embed?clip=c1',
    title: 'one',
  },
  {
    id: 'c2',
    url: 'https://clips.twitch.tv/c2',
    embed_url: 'https://clips.twitch.tv/embed?clip=c2',
    title: 'two',
  },
];

beforeAll(async () => {
  h = await startShoutoutHarness([
    {
      id: '101',
      login: 'streamer1',
      display_name: 'Streamer1',
      game_name: 'Celeste',
      title: 'Speedruns',
      clips: CLIPS,
    },
    { id: '102', login: 'raider', display_name: 'raider', game_name: 'Hades' },
    {
      id: '103',
      login: 'livey',
      display_name: 'Livey',
      profile_image_url: 'https://static-cdn.jtvnw.net/livey.png',
      live: { game_name: 'Tetris', title: 'Blocks', viewer_count: 42 },
    },
    { id: '104', login: 'nogame', display_name: 'NoGame' },
  ]);
  ({ twitch, router, app } = h);
});
afterAll(() => h.close());

const interact = (body: unknown) => h.interact(body);
const userRow = (community: string, username: string) => h.userRow(community, username);
const historyRows = (community: string) => h.historyRows(community);
const putConfig = (community: string, body: unknown, headers?: Record<string, string>) =>
  h.putConfig(community, body, headers);

describe('start-up', () => {
  it('seeds !so (alias !shoutout) and the event row for auto-shoutouts', async () => {
    await h.seeded;
    const rows = router.calls('POST', '/router/admin/commands').map((r) => r.json);
    expect(rows.find((r) => r.command === 'so')).toMatchObject({
      aliases: ['shoutout'],
      trigger_type: 'command',
      required_permission: 'commands.basic',
      location_url: `${rt().env.SHOUTOUT_URL}/interaction`,
      module_name: 'shoutout',
    });
    expect(rows.find((r) => r.command === 'shoutout-auto')).toMatchObject({
      trigger_type: 'event',
      event_types: ['follow', 'subscription', 'raid'],
      location_url: `${rt().env.SHOUTOUT_URL}/interaction`,
    });
  });
});

describe('acceptance §10 shoutout', () => {
  it('1: !so finds the game and a clip, sends a clip card and records history', async () => {
    const res = await interact(mod('!so @Streamer1'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, response_action: 'chat', module_name: 'shoutout' });
    expect(res.body.chat_message).toContain('Celeste');
    expect(res.body.chat_message).toContain('twitch.tv/streamer1');
    const card = res.body.additional_responses[0];
    expect(card).toMatchObject({
      response_action: 'general',
      content_type: 'html',
      duration: 15,
      style: { type: 'shoutout', theme: 'twitch_clip' },
    });
    expect(card.content).toMatch(
      /<iframe[^>]+src="https:\/\/clips\.twitch\.tv\/embed\?clip=c[12]&amp;parent=overlay\.example\.com"/,
    );
    const history = await historyRows('7');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      username: 'streamer1',
      triggered_by: '311',
      auto_shoutout: false,
      game_played: 'Celeste',
      entity_id: 'twitch:1',
    });
    const user = await userRow('7', 'streamer1');
    expect(user).toMatchObject({
      shoutout_count: 1,
      last_game: 'Celeste',
      profile_url: 'https://twitch.tv/streamer1',
      created_by: '311',
    });
    expect(new Date(user!.last_shoutout!).toISOString()).toBe(clock().now().toISOString());
    const clipsCall = twitch.helix.calls('GET', '/clips')[0]!;
    expect(clipsCall.query.get('first')).toBe('20');
    expect(clipsCall.query.get('started_at')).toBe(new Date(clock().nowMs() - 7 * 86400_000).toISOString());
  });

  it('2: unknown Twitch user and a member without permission', async () => {
    const unknown = await interact(mod('!so nobody'));
    expect(unknown.body).toMatchObject({
      success: false,
      error_code: 'NOT_FOUND',
      chat_message: "Could not find Twitch user 'nobody'",
    });
    expect(await userRow('7', 'nobody')).toBeUndefined();
    const before = twitch.helix.requests.length;
    const denied = await interact(member('!so x'));
    expect(denied.status).toBe(200);
    expect(denied.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    expect(twitch.helix.requests.length).toBe(before);
    expect(await userRow('7', 'x')).toBeUndefined();
  });

  it('3: list_only auto-shoutout on a raid, with a per-target cooldown', async () => {
    const put = await call(app, 'PUT', '/api/v1/shoutout/7/users/raider', { auto_shoutout: true });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ username: 'raider', auto_shoutout: true });
    const first = await interact(platformEvent('raid', { user_id: '9002', user_name: 'raider' }));
    expect(first.body).toMatchObject({ success: true, response_action: 'chat' });
    const card = first.body.additional_responses[0];
    expect(card).toMatchObject({ response_action: 'general', style: { type: 'auto-shoutout' } });
    expect(card.content).toContain('Thank you for the raid, raider!');
    expect(card.content).toContain('they stream Hades');

    clock().advance(10 * 60_000);
    const second = await interact(platformEvent('raid', { user_id: '9002', user_name: 'raider' }));
    expect(second.body).toMatchObject({
      success: true,
      response_action: null,
      skipped: true,
      reason: 'cooldown',
    });

    clock().advance(51 * 60_000);
    const third = await interact(platformEvent('raid', { user_id: '9002', user_name: 'raider' }));
    expect(third.body.additional_responses[0].content).toContain('Thank you for the raid, raider!');
    const history = (await historyRows('7')).filter((h) => h.username === 'raider');
    expect(history).toHaveLength(2);
    expect(
      history.every((h) => h.triggered_by === 'system' && h.auto_shoutout && h.event_type === 'raid'),
    ).toBe(true);
    expect((await userRow('7', 'raider'))!.shoutout_count).toBe(2);
  });

  it('4: a 401 from Helix fetches one new token and succeeds; without credentials a text card', async () => {
    const tokensBefore = twitch.tokensIssued();
    twitch.failNext(401);
    const res = await interact(mod('!so streamer1', { community: '8' }));
    expect(res.body.success).toBe(true);
    expect(res.body.chat_message).toContain('Celeste');
    expect(twitch.tokensIssued()).toBe(tokensBefore + 1);

    const bare = await rt().add(service, { TWITCH_CLIENT_ID: '', TWITCH_CLIENT_SECRET: '' });
    const helixBefore = twitch.helix.requests.length;
    const degraded = await call(bare.app, 'POST', '/interaction', mod('!so streamer1', { community: '9' }));
    expect(degraded.body).toMatchObject({ success: true, degraded: true });
    expect(degraded.body.chat_message).toBe(
      'Check out streamer1 at twitch.tv/streamer1, a great creator to follow!',
    );
    expect(degraded.body.additional_responses[0].style).toEqual({ type: 'shoutout', theme: 'text' });
    expect(degraded.body.additional_responses[0].content).not.toContain('<iframe');
    expect(degraded.body.additional_responses[0].content).toContain('href="https://twitch.tv/streamer1"');
    expect(twitch.helix.requests.length).toBe(helixBefore);
    const ready = await call(bare.app, 'GET', '/readyz', undefined, {});
    expect(ready.status).toBe(200);
    expect(ready.body.checks.upstream).toBe('not_configured');
  });

  it('5: community templates must name the creator and channel; unknown placeholders stay', async () => {
    const bad = await putConfig('10', { template_offline: 'Hi {display_name}' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect((await call(app, 'GET', '/api/v1/shoutout/10/config')).body.data.template_offline).toBeNull();
    const good = await putConfig('10', { template_offline: '{display_name} → twitch.tv/{login} {bogus}' });
    expect(good.status).toBe(200);
    expect(good.body.data.template_offline).toBe('{display_name} → twitch.tv/{login} {bogus}');
    const res = await interact(mod('!so streamer1', { community: '10' }));
    expect(res.body.chat_message).toBe('Streamer1 → twitch.tv/streamer1 {bogus}');
  });
});

describe('messages and cards', () => {
  it('uses the live default, shows the profile picture on a text card, and !shoutout works too', async () => {
    const res = await interact(mod('!shoutout livey', { community: '11' }));
    expect(res.body.chat_message).toBe('Livey is live right now with Tetris for 42 viewers: twitch.tv/livey');
    const card = res.body.additional_responses[0];
    expect(card.style).toEqual({ type: 'shoutout', theme: 'text' });
    expect(card.content).toContain(
      '<img class="shoutout-avatar" src="https://static-cdn.jtvnw.net/livey.png"',
    );
    expect(card.content).toContain('Shoutout to Livey!');
    await putConfig('11', {
      show_profile_picture: false,
      template_live: 'LIVE {display_name} {game} {title} twitch.tv/{login}',
    });
    const again = await interact(mod('!so livey', { community: '11' }));
    expect(again.body.chat_message).toBe('LIVE Livey Tetris Blocks twitch.tv/livey');
    expect(again.body.additional_responses[0].content).not.toContain('<img');
  });

  it('a per-user message wins, links are merged and removed, and everything in the card is escaped', async () => {
    const put = await call(app, 'PUT', '/api/v1/shoutout/12/users/@NoGame', {
      custom_message: 'Go watch <b>{display_name}</b> & friends',
      additional_links: { 'YouTube "main"': 'https://youtube.com/@nogame', Shop: 'https://shop.example.com' },
    });
    expect(put.status).toBe(200);
    const merged = await call(app, 'PUT', '/api/v1/shoutout/12/users/nogame', {
      additional_links: { Shop: null, Site: 'https://nogame.example.com' },
    });
    expect(merged.body.data.additional_links).toEqual({
      'YouTube "main"': 'https://youtube.com/@nogame',
      Site: 'https://nogame.example.com',
    });
    expect(merged.body.data.custom_message).toBe('Go watch <b>{display_name}</b> & friends');
    const res = await interact(mod('!so nogame', { community: '12' }));
    expect(res.body.chat_message).toBe('Go watch <b>NoGame</b> & friends');
    const html = res.body.additional_responses[0].content as string;
    expect(html).toContain('Go watch &lt;b&gt;NoGame&lt;/b&gt; &amp; friends');
    expect(html).toContain('>YouTube &quot;main&quot;</a>');
    expect(html).toContain('href="https://nogame.example.com"');
    expect(html).not.toContain('<b>');
    const cleared = await call(app, 'PUT', '/api/v1/shoutout/12/users/nogame', { custom_message: '  ' });
    expect(cleared.body.data.custom_message).toBeNull();
    expect((await interact(mod('!so nogame', { community: '12' }))).body.chat_message).toBe(
      'Check out NoGame at twitch.tv/nogame, a great creator to follow!',
    );
  });

  it('without a game the default says so and the auto card has no game', async () => {
    const res = await interact(mod('!so nogame', { community: '13' }));
    expect(res.body.chat_message).toBe('Check out NoGame at twitch.tv/nogame, a great creator to follow!');
    await putConfig('13', { template_offline: '{display_name} plays {game_name} at twitch.tv/{login}' });
    expect((await interact(mod('!so nogame', { community: '13' }))).body.chat_message).toBe(
      'NoGame plays something awesome at twitch.tv/nogame',
    );
  });

  it('display_type text never embeds a clip', async () => {
    await putConfig('14', { display_type: 'text', default_duration: 30 });
    const res = await interact(mod('!so streamer1', { community: '14' }));
    const card = res.body.additional_responses[0];
    expect(card).toMatchObject({ duration: 30, style: { theme: 'text' } });
    expect(card.content).not.toContain('<iframe');
  });

  it('asks for a name, and refuses an impossible login without calling Twitch', async () => {
    expect((await interact(mod('!so'))).body).toMatchObject({ success: false, error_code: 'USAGE' });
    const bareAt = await interact(mod('!so @'));
    expect(bareAt.body).toMatchObject({ success: false, error_code: 'USAGE' });
    expect(bareAt.body.chat_message).toBe('Usage: !so <username> or !shoutout <username>');
    const before = twitch.helix.requests.length;
    const res = await interact(mod('!so bad/name'));
    expect(res.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
    expect(twitch.helix.requests.length).toBe(before);
  });

  it('so_permission everyone lets members shout out', async () => {
    await putConfig('15', { so_permission: 'everyone' });
    expect((await interact(member('!so streamer1', { community: '15' }))).body.success).toBe(true);
    await putConfig('15', { so_permission: 'vip' });
    expect((await interact(member('!so streamer1', { community: '15' }))).body.error_code).toBe('FORBIDDEN');
  });
});

describe('auto-shoutout modes', () => {
  it('skips events not in auto_triggers, respects disabled and all', async () => {
    await call(app, 'PUT', '/api/v1/shoutout/16/users/raider', { auto_shoutout: true });
    const follow = await interact(
      platformEvent('follow', { user_id: '9002', user_name: 'raider' }, { community: '16' }),
    );
    expect(follow.body).toMatchObject({ skipped: true, reason: 'not_triggered' });
    await putConfig('16', { auto_shoutout_mode: 'disabled', auto_triggers: ['raid', 'follow'] });
    expect(
      (await interact(platformEvent('raid', { user_id: '9002', user_name: 'raider' }, { community: '16' })))
        .body.reason,
    ).toBe('not_eligible');
    await putConfig('16', { auto_shoutout_mode: 'list_only' });
    expect(
      (await interact(platformEvent('raid', { user_id: '9003', user_name: 'livey' }, { community: '16' })))
        .body.reason,
    ).toBe('not_eligible');
    await putConfig('16', { auto_shoutout_mode: 'all' });
    const anyone = await interact(
      platformEvent('follow', { user_id: '9003', user_name: 'livey' }, { community: '16' }),
    );
    expect(anyone.body.additional_responses[0].content).toContain('Thank you for following, Livey!');
    expect((await userRow('16', 'livey'))!.auto_shoutout).toBe(false);
  });

  it('a manual !so starts the cooldown; cooldown 0 always fires', async () => {
    await putConfig('17', { auto_shoutout_mode: 'all', cooldown_minutes: 60 });
    await interact(mod('!so raider', { community: '17' }));
    expect(
      (await interact(platformEvent('raid', { user_id: '9002', user_name: 'raider' }, { community: '17' })))
        .body.reason,
    ).toBe('cooldown');
    await putConfig('17', { cooldown_minutes: 0 });
    expect(
      (await interact(platformEvent('raid', { user_id: '9002', user_name: 'raider' }, { community: '17' })))
        .body.success,
    ).toBe(true);
    expect(
      (await interact(platformEvent('raid', { user_id: '9002', user_name: 'raider' }, { community: '17' })))
        .body.skipped,
    ).toBeUndefined();
  });
});

describe('Twitch failures', () => {
  it('degrades on errors and skips Helix for 60 s after 5 consecutive failures', async () => {
    twitch.failNext(500, 100);
    for (let i = 0; i < 5; i++) {
      const res = await interact(mod('!so streamer1', { community: '18' }));
      expect(res.body).toMatchObject({ success: true, degraded: true });
    }
    const before = twitch.helix.requests.length;
    const skipped = await interact(mod('!so streamer1', { community: '18' }));
    expect(skipped.body.degraded).toBe(true);
    expect(twitch.helix.requests.length).toBe(before);
    expect((await call(app, 'GET', '/readyz', undefined, {})).body).toMatchObject({
      status: 'healthy',
      checks: { upstream: 'degraded' },
    });
    twitch.failNext(500, 0);
    clock().advance(61_000);
    const back = await interact(mod('!so streamer1', { community: '18' }));
    expect(back.body.degraded).toBeUndefined();
    expect(back.body.chat_message).toContain('Celeste');
    expect((await userRow('18', 'streamer1'))!.shoutout_count).toBe(7);
  });
});

describe('REST', () => {
  it('validates config updates and changes nothing on 400', async () => {
    const cases = [
      { display_type: 'fancy' },
      { default_duration: 0 },
      { default_duration: 121 },
      { cooldown_minutes: 1441 },
      { so_permission: 'owner' },
      { auto_shoutout_mode: 'sometimes' },
      { auto_triggers: ['raid', 'cheer'] },
      { template_live: '{login} only' },
      { unknown_field: 1 },
    ];
    for (const body of cases) {
      const res = await putConfig('19', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    const cfg = await call(app, 'GET', '/api/v1/shoutout/19/config');
    // What GET answers can be sent back as it is; its community_id never moves the row.
    const roundTrip = await putConfig('19', { ...cfg.body.data, community_id: '20' });
    expect(roundTrip.status).toBe(200);
    expect(roundTrip.body.data.community_id).toBe('19');
    expect((await call(app, 'GET', '/api/v1/shoutout/20/config')).body.data.community_id).toBe('20');
    expect(cfg.body.data).toMatchObject({
      display_type: 'auto',
      default_duration: 15,
      show_profile_picture: true,
      so_permission: 'moderator',
      auto_shoutout_mode: 'list_only',
      auto_triggers: ['raid'],
      cooldown_minutes: 60,
    });
  });

  it('validates user settings', async () => {
    const bad = [
      ['raider', { custom_message: 'x'.repeat(501) }],
      ['raider', { additional_links: { Evil: 'javascript:alert(1)' } }],
      ['raider', { auto_shoutout: 'yes' }],
      ['bad name!', { auto_shoutout: true }],
    ] as const;
    for (const [name, body] of bad) {
      const res = await call(app, 'PUT', `/api/v1/shoutout/20/users/${encodeURIComponent(name)}`, body);
      expect(res.status).toBe(400);
    }
    expect((await call(app, 'GET', '/api/v1/shoutout/20/users')).body.data).toEqual({ users: [], total: 0 });
  });

  it('lists users, history with a limit, and stats', async () => {
    await interact(mod('!so streamer1', { community: '21' }));
    clock().advance(1000);
    await interact(mod('!so livey', { community: '21' }));
    clock().advance(1000);
    await interact(mod('!so streamer1', { community: '21' }));
    const users = await call(app, 'GET', '/api/v1/shoutout/21/users');
    expect(
      users.body.data.users.map((u: { username: string; shoutout_count: number }) => [
        u.username,
        u.shoutout_count,
      ]),
    ).toEqual([
      ['livey', 1],
      ['streamer1', 2],
    ]);
    const history = await call(app, 'GET', '/api/v1/shoutout/21/history?limit=2');
    expect(history.body.data.history.map((h: { username: string }) => h.username)).toEqual([
      'streamer1',
      'livey',
    ]);
    expect((await call(app, 'GET', '/api/v1/shoutout/21/history?limit=0')).status).toBe(400);
    expect((await call(app, 'GET', '/api/v1/shoutout/21/history?limit=201')).status).toBe(400);
    const stats = await call(app, 'GET', '/api/v1/shoutout/21/stats');
    expect(stats.body.data).toMatchObject({ total_shoutouts: 3, unique_users: 2 });
    expect(Date.parse(stats.body.data.last_shoutout) - Date.parse(stats.body.data.first_shoutout)).toBe(2000);
    const empty = await call(app, 'GET', '/api/v1/shoutout/22/stats');
    expect(empty.body.data).toEqual({
      total_shoutouts: 0,
      unique_users: 0,
      first_shoutout: null,
      last_shoutout: null,
    });
  });

  it('keeps communities apart', async () => {
    await call(app, 'PUT', '/api/v1/shoutout/23/users/raider', {
      auto_shoutout: true,
      custom_message: 'secret {display_name} {login}',
    });
    await putConfig('23', { template_offline: 'C23 {display_name} {login}' });
    await interact(mod('!so streamer1', { community: '23' }));
    expect((await call(app, 'GET', '/api/v1/shoutout/24/users')).body.data.total).toBe(0);
    expect((await call(app, 'GET', '/api/v1/shoutout/24/history')).body.data.history).toEqual([]);
    expect((await call(app, 'GET', '/api/v1/shoutout/24/config')).body.data.template_offline).toBeNull();
    expect((await call(app, 'GET', '/api/v1/shoutout/24/stats')).body.data.total_shoutouts).toBe(0);
    // Listed in 23 does not make raider eligible in 24, and 23's message is not used there.
    expect(
      (await interact(platformEvent('raid', { user_id: '9002', user_name: 'raider' }, { community: '24' })))
        .body.reason,
    ).toBe('not_eligible');
    expect((await interact(mod('!so raider', { community: '24' }))).body.chat_message).not.toContain(
      'secret',
    );
    expect((await userRow('23', 'raider'))!.shoutout_count).toBe(0);
    // Writes to 24 leave 23's rows as they were.
    await call(app, 'PUT', '/api/v1/shoutout/24/users/raider', {
      auto_shoutout: false,
      custom_message: null,
    });
    await putConfig('24', { template_offline: null, cooldown_minutes: 1 });
    expect(await userRow('23', 'raider')).toMatchObject({
      auto_shoutout: true,
      custom_message: 'secret {display_name} {login}',
    });
    expect((await call(app, 'GET', '/api/v1/shoutout/23/config')).body.data).toMatchObject({
      template_offline: 'C23 {display_name} {login}',
      cooldown_minutes: 60,
    });
  });

  it('refuses acting users below the required role', async () => {
    const as = (role: string) => ({
      ...serviceHeaders(),
      'X-WaddleBot-User-Id': '900',
      'X-WaddleBot-User-Role': role,
    });
    const denied = await call(
      app,
      'PUT',
      '/api/v1/shoutout/25/users/raider',
      { auto_shoutout: true },
      as('member'),
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    expect(await userRow('25', 'raider')).toBeUndefined();
    expect(
      (await call(app, 'PUT', '/api/v1/shoutout/25/users/raider', { auto_shoutout: true }, as('moderator')))
        .status,
    ).toBe(200);
    expect((await userRow('25', 'raider'))!.created_by).toBe('900');
    expect((await putConfig('25', { cooldown_minutes: 5 }, as('moderator'))).status).toBe(403);
    expect((await call(app, 'GET', '/api/v1/shoutout/25/config')).body.data.cooldown_minutes).toBe(60);
    expect((await putConfig('25', { cooldown_minutes: 5 }, as('admin'))).body.data.cooldown_minutes).toBe(5);
  });

  it('requires the service key on every route', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v1/shoutout/7/users'],
      ['PUT', '/api/v1/shoutout/7/users/raider', { auto_shoutout: false }],
      ['GET', '/api/v1/shoutout/7/config'],
      ['PUT', '/api/v1/shoutout/7/config', { cooldown_minutes: 1 }],
      ['GET', '/api/v1/shoutout/7/history'],
      ['GET', '/api/v1/shoutout/7/stats'],
      ['POST', '/interaction', mod('!so streamer1')],
      ['POST', '/shoutout', mod('!so streamer1')],
      ['POST', '/internal/user-merged', { from_uid: '1', into_uid: '2', identities: [] }],
    ];
    for (const [method, path, body] of routes) {
      const none = await call(app, method, path, body, { 'Content-Type': 'application/json' });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.body.error.code).toBe('AUTH_REQUIRED');
      const wrong = await call(app, method, path, body, {
        'Content-Type': 'application/json',
        'X-Service-Key': 'wrong-key-wrong-key-wrong-key-wrong',
      });
      expect(wrong.body.error.code).toBe('INVALID_API_KEY');
    }
    expect((await userRow('7', 'raider'))!.auto_shoutout).toBe(true);
    expect((await historyRows('7')).filter((h) => h.username === 'streamer1')).toHaveLength(1);
  });

  it('serves the legacy /shoutout path and rejects malformed requests with 400', async () => {
    const res = await call(app, 'POST', '/shoutout', mod('!so streamer1', { community: '26' }));
    expect(res.body.success).toBe(true);
    const bad = await call(app, 'POST', '/interaction', { command: 'so' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('publishes its REST routes in /openapi.json', async () => {
    const doc = await call(app, 'GET', '/openapi.json', undefined, {});
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/shoutout/{community_id}/users',
        '/api/v1/shoutout/{community_id}/users/{username}',
        '/api/v1/shoutout/{community_id}/config',
        '/api/v1/shoutout/{community_id}/history',
        '/api/v1/shoutout/{community_id}/stats',
        '/internal/user-merged',
      ]),
    );
  });

  it('never logs the client secret or tokens', () => {
    const logs = rt().logLines.join('\n');
    expect(logs).not.toContain(CLIENT_SECRET);
    expect(logs).not.toContain('app-token-');
    expect(logs).not.toContain(TEST_SERVICE_KEY);
  });
});

describe('POST /internal/user-merged', () => {
  it('re-keys creators and callers, idempotently', async () => {
    await interact(mod('!so streamer1', { community: '27', user: { id: '42', name: 'ann', uid: '500' } }));
    await interact(mod('!so livey', { community: '27', user: { id: '43', name: 'ann2', uid: null } }));
    await interact(mod('!so nogame', { community: '27', user: { id: '44', name: 'zed', uid: '999' } }));
    const body = {
      from_uid: '500',
      into_uid: '600',
      identities: [{ platform: 'twitch', platform_user_id: '43' }],
    };
    expect((await call(app, 'POST', '/internal/user-merged', body)).body).toEqual({
      success: true,
      data: { merged: true },
    });
    expect((await call(app, 'POST', '/internal/user-merged', body)).status).toBe(200);
    const history = await historyRows('27');
    expect(history.map((h) => [h.username, h.triggered_by])).toEqual([
      ['streamer1', '600'],
      ['livey', '600'],
      ['nogame', '999'],
    ]);
    expect((await userRow('27', 'livey'))!.created_by).toBe('600');
    expect((await call(app, 'POST', '/internal/user-merged', { from_uid: '500' })).status).toBe(400);
  });
});
