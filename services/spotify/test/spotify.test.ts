import {
  call,
  createTestRuntime,
  serviceHeaders,
  startFakeServer,
  type FakeClock,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { adminRequest, memberRequest, moderatorRequest, moduleRequest } from '@waddlebot/core/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SpotifyDB } from '../src/db.js';
import { service } from '../src/service.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  fakeTrack,
  startFakeSpotify,
  trackId,
  type FakeSpotify,
} from './fake-spotify.js';

let rt: TestRuntime;
let app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> };
let db: Kysely<SpotifyDB>;
let spotify: FakeSpotify;
let router: FakeServer;
let clock: FakeClock;

const interaction = (body: unknown) => call(app, 'POST', '/interaction', body);
const ADMIN_HEADERS = serviceHeaders({ 'X-WaddleBot-User-Id': '900', 'X-WaddleBot-User-Role': 'admin' });

/** Runs the whole OAuth flow for a community and returns the stored grant's access token name. */
async function connect(community: string): Promise<void> {
  const before = router.calls('POST', '/router/messages/outbound').length;
  const res = await interaction(adminRequest('!spotify connect', { community }));
  expect(res.body.success).toBe(true);
  const dm = router.calls('POST', '/router/messages/outbound')[before]!;
  const url = new URL(/https?:\/\/\S+/.exec(dm.json.text)![0]);
  const cb = await app.request(
    `/spotify/auth/callback?code=code-${community}&state=${url.searchParams.get('state')}`,
  );
  expect(cb.status).toBe(200);
}

beforeAll(async () => {
  spotify = await startFakeSpotify();
  router = await startFakeServer();
  rt = await createTestRuntime({
    env: {
      ROUTER_URL: router.url,
      SPOTIFY_API_BASE_URL: spotify.apiBase,
      SPOTIFY_ACCOUNTS_BASE_URL: spotify.accountsBase,
      SPOTIFY_CLIENT_ID: CLIENT_ID,
      SPOTIFY_CLIENT_SECRET: CLIENT_SECRET,
      SPOTIFY_REDIRECT_URI: 'http://127.0.0.1:38026/spotify/auth/callback',
    },
  });
  clock = rt.clock as FakeClock;
  const svc = await rt.add(service);
  app = svc.app;
  db = svc.deps.db as Kysely<SpotifyDB>;
}, 120_000);

afterAll(async () => {
  await rt?.close();
  await spotify?.server.close();
  await router?.close();
});

beforeEach(async () => {
  spotify.reset();
  router.reset();
  router.on('POST', '/router/messages/outbound', {
    body: { success: true, outbound_id: 1, duplicate: false },
  });
  router.on('POST', '/router/admin/commands', { body: { success: true, data: {} } });
  await db.deleteFrom('spotify_tokens').execute();
  await db.deleteFrom('spotify_search_cache').execute();
  await db.deleteFrom('spotify_now_playing').execute();
  // Every test starts a fresh rate-limit minute.
  clock.advance(61_000);
});

describe('connecting a community account (scenario 1)', () => {
  it('DMs the caller a PKCE link, stores a single-use state and exchanges the code with Basic auth', async () => {
    const res = await interaction(adminRequest('!spotify connect', { community: '7' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, module_name: 'spotify' });
    expect(res.body.chat_message).toMatch(/DM/);
    expect(res.body.chat_message).not.toMatch(/http/);

    const dm = router.calls('POST', '/router/messages/outbound')[0]!;
    expect(dm.headers['x-service-key']).toBeTruthy();
    expect(dm.json).toMatchObject({ type: 'dm', platform: 'twitch', user_id: '555', module_name: 'spotify' });
    const url = new URL(/https?:\/\/\S+/.exec(dm.json.text)![0]);
    expect(url.origin + url.pathname).toBe(`${spotify.accountsBase}/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('show_dialog')).toBe('true');
    const state = url.searchParams.get('state')!;
    const row = await db
      .selectFrom('spotify_oauth_states')
      .selectAll()
      .where('state', '=', state)
      .executeTakeFirstOrThrow();
    expect(row.community_id).toBe('7');
    expect(row.code_verifier).toHaveLength(64);

    const cb = await app.request(`/spotify/auth/callback?code=the-code&state=${state}`);
    expect(cb.status).toBe(200);
    expect(await cb.text()).toMatch(/Spotify connected/);
    const exchange = spotify.server.calls('POST', '/api/token')[0]!;
    const form = new URLSearchParams(exchange.text);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code')).toBe('the-code');
    expect(form.get('code_verifier')).toBe(row.code_verifier);
    expect(exchange.headers.authorization).toBe(
      `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
    );
    const token = await db
      .selectFrom('spotify_tokens')
      .selectAll()
      .where('community_id', '=', '7')
      .executeTakeFirstOrThrow();
    expect(token.connected_by_user_id).toBe('311');
    // Tokens are sealed at rest.
    expect(token.access_token).not.toContain('access-');
    expect(token.refresh_token).not.toContain('refresh-');

    const again = await app.request(`/spotify/auth/callback?code=the-code&state=${state}`);
    expect(again.status).toBe(400);
    expect(await again.text()).toMatch(/invalid or expired state/);
  });

  it('refuses missing, unknown, expired and error callbacks, and answers 502 on a failed exchange', async () => {
    expect((await app.request('/spotify/auth/callback?state=x')).status).toBe(400);
    expect((await app.request('/spotify/auth/callback?code=x&state=nope')).status).toBe(400);
    const denied = await app.request('/spotify/auth/callback?error=access_denied<script>&state=x');
    expect(denied.status).toBe(400);
    expect(await denied.text()).not.toContain('<script>');

    await interaction(adminRequest('!spotify connect', { community: '7' }));
    const state = new URL(/https?:\/\/\S+/.exec(router.requests.at(-1)!.json.text)![0]).searchParams.get(
      'state',
    );
    clock.advance(11 * 60_000);
    expect((await app.request(`/spotify/auth/callback?code=c&state=${state}`)).status).toBe(400);

    await interaction(adminRequest('!spotify connect', { community: '7' }));
    const state2 = new URL(/https?:\/\/\S+/.exec(router.requests.at(-1)!.json.text)![0]).searchParams.get(
      'state',
    );
    spotify.server.on('POST', '/api/token', { status: 400, body: { error: 'invalid_grant' } });
    expect((await app.request(`/spotify/auth/callback?code=c&state=${state2}`)).status).toBe(502);
    expect(await db.selectFrom('spotify_tokens').selectAll().execute()).toHaveLength(0);
  });

  it('puts the link in the reply only when the DM fails; members and moderators may not connect', async () => {
    router.on('POST', '/router/messages/outbound', { status: 404, body: { success: false } });
    const res = await interaction(adminRequest('!spotify connect'));
    expect(res.body.success).toBe(true);
    expect(res.body.chat_message).toContain(`${spotify.accountsBase}/authorize?`);

    for (const req of [memberRequest('!spotify connect'), moderatorRequest('!spotify disconnect')]) {
      const denied = await interaction(req);
      expect(denied.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    }
  });

  it('disconnect deletes the token', async () => {
    await connect('7');
    const res = await interaction(moduleRequest('!spotify disconnect', { role: 'owner' }));
    expect(res.body).toMatchObject({ success: true, chat_message: 'Spotify disconnected' });
    expect(await db.selectFrom('spotify_tokens').selectAll().execute()).toHaveLength(0);
  });
});

describe('search and play (scenario 2)', () => {
  it('answers NOT_CONNECTED without a token, for every Spotify subcommand', async () => {
    for (const text of [
      '!spotify search x',
      '!spotify play 1',
      '!spotify queue 1',
      '!spotify current',
      '!spotify skip',
    ]) {
      const res = await interaction(moderatorRequest(text));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: false, error_code: 'NOT_CONNECTED' });
      expect(res.body.chat_message).toMatch(/not connected/);
    }
    expect(spotify.server.calls('GET', '/v1/search')).toHaveLength(0);
  });

  it('lists five results, caches them per caller and plays a result number', async () => {
    await connect('7');
    const search = await interaction(memberRequest('!spotify search daft punk'));
    expect(search.body.success).toBe(true);
    expect(search.body.chat_message).toMatch(
      /^Spotify Search Results: 1\. Song 1 - Daft Punk, Pharrell \(3:01\)/,
    );
    expect(search.body.chat_message).toContain('5. Song 5');
    expect(search.body.chat_message).not.toContain('6. Song 6');
    const call0 = spotify.server.calls('GET', '/v1/search')[0]!;
    expect(call0.query.get('q')).toBe('daft punk');
    expect(call0.query.get('type')).toBe('track');
    expect(call0.query.get('market')).toBe('US');
    expect(call0.query.get('limit')).toBe('10');
    expect(spotify.bearerOf(call0)).toBe('access-1');

    // The member searched; a moderator's `play 2` has no search of their own.
    const otherUser = await interaction(moderatorRequest('!spotify play 2'));
    expect(otherUser.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });

    await interaction(moderatorRequest('!spotify search daft punk'));
    const play = await interaction(moderatorRequest('!spotify play 2'));
    expect(play.body.success).toBe(true);
    expect(play.body.chat_message).toBe('Now playing: Song 2 by Daft Punk, Pharrell');
    const put = spotify.server.calls('PUT', '/v1/me/player/play')[0]!;
    expect(put.json).toEqual({ uris: [`spotify:track:${trackId(2)}`] });
    const [media, ticker] = play.body.additional_responses;
    expect(media).toMatchObject({
      response_action: 'media',
      media_type: 'spotify',
      media_url: fakeTrack(2).external_urls.spotify,
      duration: 30,
      media_data: {
        title: 'Song 2',
        artist: 'Daft Punk, Pharrell',
        album: 'Album 2',
        album_art_url: 'https://img.example/2.jpg',
        duration_ms: 182_000,
        progress_ms: 0,
        service: 'spotify',
        requested_by: 'ModMike',
      },
    });
    expect(ticker).toMatchObject({
      response_action: 'ticker',
      ticker_text: '🎵 Now playing on Spotify: Song 2 by Daft Punk, Pharrell',
      ticker_duration: 10,
    });
    const np = await db
      .selectFrom('spotify_now_playing')
      .selectAll()
      .where('community_id', '=', '7')
      .executeTakeFirstOrThrow();
    expect(np).toMatchObject({ track_name: 'Song 2', is_playing: true, requested_by: '311' });

    const rest = await call(app, 'GET', '/api/v1/spotify/7/now-playing');
    expect(rest.body.data.now_playing).toMatchObject({
      track_name: 'Song 2',
      artists: 'Daft Punk, Pharrell',
    });

    expect((await interaction(moderatorRequest('!spotify play 9'))).body).toMatchObject({
      error_code: 'NOT_FOUND',
    });
  });

  it('accepts every track reference form and refuses anything else', async () => {
    await connect('7');
    const id = trackId(4);
    for (const ref of [
      `spotify:track:${id}`,
      `https://open.spotify.com/track/${id}?si=abc`,
      id,
      `open.spotify.com/intl-de/track/${id}`,
    ]) {
      const res = await interaction(moderatorRequest(`!spotify play ${ref}`));
      expect(res.body.success).toBe(true);
    }
    expect(
      spotify.server
        .calls('PUT', '/v1/me/player/play')
        .every((r) => r.json.uris[0] === `spotify:track:${id}`),
    ).toBe(true);
    for (const bad of [
      'foo',
      'https://evil.example/track/' + id,
      'spotify:album:' + id,
      'https://open.spotify.com/album/' + id,
    ]) {
      const res = await interaction(moderatorRequest(`!spotify play ${bad}`));
      expect(res.body).toMatchObject({ success: false, chat_message: 'Invalid track reference' });
    }
    expect((await interaction(memberRequest(`!spotify play ${id}`))).body.error_code).toBe('FORBIDDEN');
  });

  it('queues a track for anyone and reports what was queued', async () => {
    await connect('7');
    const res = await interaction(
      memberRequest(`!spotify queue https://open.spotify.com/track/${trackId(3)}`),
    );
    expect(res.body).toMatchObject({ success: true, chat_message: 'Queued: Song 3 by Daft Punk, Pharrell' });
    expect(spotify.server.calls('POST', '/v1/me/player/queue')[0]!.query.get('uri')).toBe(
      `spotify:track:${trackId(3)}`,
    );
  });

  it("keeps one community's token, searches and now-playing away from another", async () => {
    await connect('7');
    await interaction(moderatorRequest('!spotify search a', { community: '7' }));
    const other = await interaction(moderatorRequest('!spotify play 1', { community: '8' }));
    expect(other.body).toMatchObject({ success: false, error_code: 'NOT_CONNECTED' });
    await connect('8');
    expect((await interaction(moderatorRequest('!spotify play 1', { community: '8' }))).body.error_code).toBe(
      'NOT_FOUND',
    );
    await interaction(moderatorRequest(`!spotify play ${trackId(6)}`, { community: '8' }));
    const bearers = spotify.server.calls('PUT', '/v1/me/player/play').map(spotify.bearerOf);
    expect(bearers).toEqual(['access-2']);
    expect((await call(app, 'GET', '/api/v1/spotify/7/now-playing')).body.data.now_playing).toBeNull();
    await interaction(adminRequest('!spotify disconnect', { community: '8' }));
    expect((await call(app, 'GET', '/api/v1/spotify/7/status')).body.data.connected).toBe(true);
  });
});

describe('token refresh (scenario 3)', () => {
  it('refreshes a token close to expiry before calling the API', async () => {
    await connect('7');
    await db
      .updateTable('spotify_tokens')
      .set({ expires_at: new Date(clock.nowMs() + 60_000) })
      .execute();
    await interaction(moderatorRequest('!spotify pause'));
    const refresh = spotify.server.calls('POST', '/api/token')[1]!;
    const form = new URLSearchParams(refresh.text);
    expect(form.get('grant_type')).toBe('refresh_token');
    expect(form.get('refresh_token')).toBe('refresh-1');
    const pause = spotify.server.calls('PUT', '/v1/me/player/pause')[0]!;
    expect(spotify.bearerOf(pause)).toBe('access-2');
    // The old refresh token is kept when none comes back.
    await db
      .updateTable('spotify_tokens')
      .set({ expires_at: new Date(clock.nowMs()) })
      .execute();
    await interaction(moderatorRequest('!spotify resume'));
    expect(
      new URLSearchParams(spotify.server.calls('POST', '/api/token')[2]!.text).get('refresh_token'),
    ).toBe('refresh-1');
  });

  it('refreshes once when several commands find the token expiring together', async () => {
    await connect('7');
    await db
      .updateTable('spotify_tokens')
      .set({ expires_at: new Date(clock.nowMs()) })
      .execute();
    const results = await Promise.all(
      ['!spotify pause', '!spotify resume', '!spotify devices'].map((t) => interaction(moderatorRequest(t))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const refreshes = spotify.server
      .calls('POST', '/api/token')
      .filter((r) => new URLSearchParams(r.text).get('grant_type') === 'refresh_token');
    expect(refreshes).toHaveLength(1);
  });

  it('refreshes and retries once after a 401', async () => {
    await connect('7');
    let first = true;
    spotify.server.on('POST', '/v1/me/player/next', () => {
      if (first) {
        first = false;
        return { status: 401, body: { error: { status: 401, message: 'The access token expired' } } };
      }
      return { status: 204 };
    });
    const res = await interaction(moderatorRequest('!spotify next'));
    expect(res.body).toMatchObject({ success: true, chat_message: 'Skipped to next track' });
    expect(spotify.server.calls('POST', '/v1/me/player/next').map(spotify.bearerOf)).toEqual([
      'access-1',
      'access-2',
    ]);
  });

  it('deletes the token when the refresh grant is invalid', async () => {
    await connect('7');
    spotify.failRefresh({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Refresh token revoked' },
    });
    spotify.server.on('GET', '/v1/me/player/devices', { status: 401, body: { error: { status: 401 } } });
    const res = await interaction(moderatorRequest('!spotify devices'));
    expect(res.body).toMatchObject({ success: false, error_code: 'NOT_CONNECTED' });
    expect(await db.selectFrom('spotify_tokens').selectAll().execute()).toHaveLength(0);
    expect((await call(app, 'GET', '/api/v1/spotify/7/status')).body.data).toMatchObject({
      connected: false,
    });
  });

  it('never writes tokens or the client secret to the log', async () => {
    await connect('7');
    spotify.failRefresh({ status: 500, body: { error: 'server_error' } });
    await db
      .updateTable('spotify_tokens')
      .set({ expires_at: new Date(clock.nowMs()) })
      .execute();
    const res = await interaction(moderatorRequest('!spotify pause'));
    expect(res.body).toMatchObject({ success: false, error_code: 'UPSTREAM' });
    const log = rt.logLines.join('\n');
    for (const secret of [CLIENT_SECRET, 'access-1', 'refresh-1']) expect(log).not.toContain(secret);
    expect(JSON.stringify(res.body)).not.toContain('access-1');
  });
});

describe('player refusals and limits (scenarios 4 and 5)', () => {
  it('words no active device, missing Premium and other failures', async () => {
    await connect('7');
    spotify.server.on('PUT', '/v1/me/player/play', {
      status: 404,
      body: {
        error: {
          status: 404,
          message: 'Player command failed: No active device found',
          reason: 'NO_ACTIVE_DEVICE',
        },
      },
    });
    const noDevice = await interaction(moderatorRequest(`!spotify play ${trackId(1)}`));
    expect(noDevice.body).toMatchObject({
      success: false,
      chat_message: 'No active Spotify device: open Spotify on a device first',
    });
    expect(await db.selectFrom('spotify_now_playing').selectAll().execute()).toHaveLength(0);

    spotify.server.on('PUT', '/v1/me/player/pause', {
      status: 403,
      body: { error: { status: 403, reason: 'PREMIUM_REQUIRED' } },
    });
    const premium = await interaction(moderatorRequest('!spotify pause'));
    expect(premium.body.chat_message).toMatch(/Premium is required/);

    spotify.server.on('PUT', '/v1/me/player/play', { status: 500, body: { error: { status: 500 } } });
    const resume = await interaction(moderatorRequest('!spotify unpause'));
    expect(resume.body).toMatchObject({ success: false, error_code: 'UPSTREAM' });
    expect(resume.body.chat_message).toMatch(/Could not resume/);
    expect((await call(app, 'GET', '/spotify/health')).body.checks.upstream).toBe('degraded');
  });

  it('lets only moderators skip, at most 10 skips a minute per community', async () => {
    await connect('7');
    expect((await interaction(memberRequest('!spotify skip'))).body).toMatchObject({
      error_code: 'FORBIDDEN',
    });
    for (let i = 0; i < 10; i++)
      expect((await interaction(moderatorRequest('!spotify skip'))).body.success).toBe(true);
    const eleventh = await interaction(moderatorRequest('!spotify skip'));
    expect(eleventh.body).toMatchObject({ success: false, error_code: 'COOLDOWN' });
    expect(spotify.server.calls('POST', '/v1/me/player/next')).toHaveLength(10);
    await connect('8');
    expect((await interaction(moderatorRequest('!spotify skip', { community: '8' }))).body.success).toBe(
      true,
    );
    clock.advance(61_000);
    expect((await interaction(moderatorRequest('!spotify skip'))).body.success).toBe(true);
  });

  it('shows now playing from the player, or says nothing plays', async () => {
    await connect('7');
    expect((await interaction(memberRequest('!spotify current'))).body).toMatchObject({
      success: true,
      chat_message: 'No track is currently playing on Spotify',
    });
    spotify.server.on('GET', '/v1/me/player', {
      body: { is_playing: true, progress_ms: 61_000, item: fakeTrack(5) },
    });
    const res = await interaction(memberRequest('!spotify nowplaying'));
    expect(res.body.chat_message).toBe('Now playing: Song 5 by Daft Punk, Pharrell (1:01/3:05)');
    expect(res.body.additional_responses[0]).toMatchObject({
      response_action: 'media',
      duration: 15,
      media_data: { progress_ms: 61_000, duration_ms: 185_000, title: 'Song 5' },
    });
    spotify.server.on('GET', '/v1/me/player', {
      body: { is_playing: false, progress_ms: 1, item: fakeTrack(5) },
    });
    expect((await interaction(memberRequest('!spotify current'))).body.chat_message).toMatch(
      /No track is currently playing/,
    );
  });

  it('lists devices for moderators', async () => {
    await connect('7');
    spotify.server.on('GET', '/v1/me/player/devices', {
      body: {
        devices: [
          { name: 'Stream PC', type: 'Computer', is_active: true },
          { name: 'Phone', type: 'Smartphone', is_active: false },
        ],
      },
    });
    const res = await interaction(moderatorRequest('!spotify devices'));
    expect(res.body.chat_message).toBe(
      'Available Spotify devices: 1. Stream PC - Computer (active) | 2. Phone - Smartphone',
    );
    spotify.server.on('GET', '/v1/me/player/devices', { body: { devices: [] } });
    expect((await interaction(moderatorRequest('!spotify devices'))).body.chat_message).toBe(
      'No Spotify devices found',
    );
  });

  it('answers help, unknown subcommands, and empty searches', async () => {
    expect((await interaction(memberRequest('!spotify'))).body.chat_message).toMatch(/search.*play.*skip/);
    const unknown = await interaction(memberRequest('!spotify dance'));
    expect(unknown.body).toMatchObject({ success: false, error_code: 'USAGE' });
    expect(unknown.body.chat_message).toMatch(/Unknown subcommand: dance/);
    await connect('7');
    expect((await interaction(memberRequest('!spotify search'))).body.error_code).toBe('USAGE');
    expect((await interaction(moderatorRequest('!spotify play'))).body.error_code).toBe('USAGE');
    expect(spotify.server.calls('GET', '/v1/search')).toHaveLength(0);
  });
});

describe('REST', () => {
  it('gives admins an auth URL and refuses others', async () => {
    const res = await call(app, 'GET', '/api/v1/spotify/7/auth/url', undefined, ADMIN_HEADERS);
    expect(res.status).toBe(200);
    expect(res.body.data.auth_url).toContain(`state=${res.body.data.state}`);
    expect(new Date(res.body.data.expires_at).getTime()).toBe(clock.nowMs() + 600_000);
    const member = serviceHeaders({ 'X-WaddleBot-User-Id': '1', 'X-WaddleBot-User-Role': 'moderator' });
    expect((await call(app, 'GET', '/api/v1/spotify/7/auth/url', undefined, member)).status).toBe(403);
    expect((await call(app, 'GET', '/api/v1/spotify/7/auth/url')).body.error.code).toBe('VALIDATION_ERROR');
    expect((await call(app, 'GET', '/api/v1/spotify/abc/status')).status).toBe(400);
    expect((await call(app, 'GET', '/api/v1/spotify/7/status', undefined, {})).status).toBe(401);
    expect((await call(app, 'POST', '/interaction', moduleRequest('!spotify'), {})).status).toBe(401);
  });

  it('reports status and disconnects with 204', async () => {
    expect((await call(app, 'GET', '/api/v1/spotify/7/status')).body.data).toEqual({
      connected: false,
      connected_by: null,
      scope: null,
      expires_at: null,
    });
    await connect('7');
    const status = await call(app, 'GET', '/api/v1/spotify/7/status');
    expect(status.body.data).toMatchObject({ connected: true, connected_by: { user_id: '311' } });
    expect(JSON.stringify(status.body)).not.toContain('access-');
    expect((await call(app, 'DELETE', '/api/v1/spotify/7/auth', undefined, ADMIN_HEADERS)).status).toBe(204);
    expect((await call(app, 'GET', '/api/v1/spotify/7/status')).body.data.connected).toBe(false);
  });

  it('re-keys per-user rows on a user merge', async () => {
    await connect('7');
    await interaction(memberRequest('!spotify search x'));
    const merged = await call(app, 'POST', '/internal/user-merged', {
      from_uid: '4242',
      into_uid: '99',
      identities: [{ platform: 'twitch', platform_user_id: '777' }],
    });
    expect(merged.status).toBe(200);
    const rows = await db.selectFrom('spotify_search_cache').select('user_id').execute();
    expect(rows.map((r) => r.user_id)).toEqual(['99']);
  });
});

describe('without Spotify credentials (contracts §17.4)', () => {
  it('starts, reports not_configured and answers with a clear chat message', async () => {
    const bare = await createTestRuntime({ env: { ROUTER_URL: router.url } });
    try {
      const svc = await bare.add(service);
      const ready = await call(svc.app, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.checks.upstream).toBe('not_configured');
      const connectRes = await call(svc.app, 'POST', '/interaction', adminRequest('!spotify connect'));
      expect(connectRes.body).toMatchObject({ success: false, error_code: 'NOT_CONNECTED' });
      expect(connectRes.body.chat_message).toMatch(/SPOTIFY_CLIENT_ID/);
      const search = await call(svc.app, 'POST', '/spotify/interaction', memberRequest('!spotify search x'));
      expect(search.body).toMatchObject({ success: false, error_code: 'NOT_CONNECTED' });
      expect(
        (await call(svc.app, 'GET', '/api/v1/spotify/7/auth/url', undefined, ADMIN_HEADERS)).status,
      ).toBe(503);
    } finally {
      await bare.close();
    }
  }, 120_000);
});
