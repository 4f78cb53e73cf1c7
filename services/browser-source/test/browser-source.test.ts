import { LocalDispatch, serviceConfig, signJwt, startService, createMemoryState } from '@waddlebot/core';
import { FakeClock, TEST_SECRET_KEY, call, serviceHeaders } from '@waddlebot/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachOverlaySockets } from '../src/overlay-server.js';
import { purgeExpiredRows } from '../src/retention.js';
import { overlaySocketsOf, service } from '../src/service.js';
import {
  lateBoundServer,
  openSocket,
  socketUrl,
  startOverlayHarness,
  type FetchHandler,
  type OverlayHarness,
} from './overlay-harness.js';

let h: OverlayHarness;
const issued = new Set<string>();

async function tokensFor(communityId: number) {
  const res = await call(h.app, 'POST', '/browser/source/admin/tokens', { community_id: communityId });
  expect(res.status).toBe(200);
  for (const t of Object.values(res.body.data.tokens) as { token: string }[]) issued.add(t.token);
  return res.body.data.tokens as Record<'ticker' | 'media' | 'general', { token: string; url: string }>;
}

const display = (body: Record<string, unknown>, headers = serviceHeaders()) =>
  call(h.app, 'POST', '/browser/source/display', { session_id: 's1', ...body }, headers);

async function connected(token: string, type: string, baseUrl = h.baseUrl) {
  const s = openSocket(socketUrl(baseUrl, token, type));
  await s.next((f) => f.type === 'connected');
  return s;
}

/** Proves a socket got nothing else so far: the answer to `status` is the next frame it sees. */
async function nothingPending(s: ReturnType<typeof openSocket>) {
  const before = s.frames.length;
  s.send({ type: 'status' });
  await s.next((f) => f.type === 'status' && s.frames.indexOf(f) >= before);
  return s.frames.slice(before, -1);
}

beforeAll(async () => {
  h = await startOverlayHarness({ MAX_TICKER_LENGTH: '20' });
  h.community.on('GET', /^\/entities\/twitch%3A1001\/community$/, {
    body: { success: true, data: { community_id: 42, community_name: 'Penguins' } },
  });
  h.community.on('GET', /^\/users\/admin-uid\/communities\/\d+\/role$/, (req) => ({
    body: { success: true, data: { role: req.path.includes('/communities/31/') ? 'admin' : 'member' } },
  }));
  h.community.on('GET', /^\/users\/member-uid\/communities\/\d+\/role$/, {
    body: { success: true, data: { role: 'moderator' } },
  });
  h.youtube.on('POST', '/youtube/music/track-ended', { body: { status: 'processed' } });
});
afterAll(async () => {
  await h?.close();
});

describe('tokens and URLs (§8.2.1)', () => {
  it('issues three 43-character tokens once and returns them unchanged', async () => {
    const first = await tokensFor(31);
    for (const type of ['ticker', 'media', 'general'] as const) {
      expect(first[type].token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(first[type].url).toBe(`${h.baseUrl}/browser/source/${first[type].token}/${type}`);
    }
    expect(new Set(Object.values(first).map((t) => t.token)).size).toBe(3);
    expect(await tokensFor(31)).toEqual(first);
    const listed = await call(h.app, 'GET', '/browser/source/admin/tokens?community_id=31');
    expect(listed.body.data.tokens).toEqual(first);
    const urls = await call(h.app, 'GET', '/browser/source/api/communities/31/urls');
    expect(urls.status).toBe(200);
    expect(urls.body.data.urls.ticker.url).toBe(first.ticker.url);
    expect(urls.body.data.urls.general.url).toBe(first.general.url);
    expect(Date.parse(urls.body.data.urls.media.created_at)).not.toBeNaN();
  });

  it('generates missing tokens when the portal asks for URLs first', async () => {
    const urls = await call(h.app, 'GET', '/browser/source/api/communities/77/urls');
    expect(urls.status).toBe(200);
    const tokens = await tokensFor(77);
    expect(urls.body.data.urls.media.url).toBe(tokens.media.url);
  });

  it('refuses bad input and missing or wrong credentials', async () => {
    for (const body of [{}, { community_id: 'seven' }, { community_id: -3 }, { community_id: 1.5 }]) {
      const res = await call(h.app, 'POST', '/browser/source/admin/tokens', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await call(h.app, 'GET', '/browser/source/api/communities/abc/urls')).status).toBe(400);
    const none = await call(
      h.app,
      'POST',
      '/browser/source/admin/tokens',
      { community_id: 31 },
      {
        'Content-Type': 'application/json',
      },
    );
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await call(h.app, 'GET', '/browser/source/api/communities/31/urls', undefined, {
      'X-Service-Key': 'wrong-key-wrong-key-wrong-key-wrong-key',
    });
    expect(wrong.body.error.code).toBe('INVALID_API_KEY');
  });

  it('lets a community admin (JWT) manage only their own community', async () => {
    const jwt = (sub: string) => ({
      Authorization: `Bearer ${signJwt({ sub, username: sub, roles: [] }, TEST_SECRET_KEY, { now: h.rt.clock.now() })}`,
      'Content-Type': 'application/json',
    });
    const own = await call(
      h.app,
      'GET',
      '/browser/source/api/communities/31/urls',
      undefined,
      jwt('admin-uid'),
    );
    expect(own.status).toBe(200);
    const other = await call(
      h.app,
      'GET',
      '/browser/source/api/communities/32/urls',
      undefined,
      jwt('admin-uid'),
    );
    expect(other.status).toBe(403);
    const moderator = await call(
      h.app,
      'POST',
      '/browser/source/admin/tokens',
      { community_id: 31 },
      jwt('member-uid'),
    );
    expect(moderator.status).toBe(403);
    const tokens = await tokensFor(31);
    const regen = await call(
      h.app,
      'POST',
      `/browser/source/admin/tokens/${tokens.media.token}/regenerate`,
      undefined,
      jwt('member-uid'),
    );
    expect(regen.status).toBe(403);
    expect(await tokensFor(31)).toEqual(tokens);
  });
});

describe('overlay pages (§8.2.2)', () => {
  it('serves the page of the token type only and logs the access', async () => {
    const tokens = await tokensFor(7);
    const page = await h.app.request(`/browser/source/${tokens.ticker.token}/ticker`, {
      headers: { 'User-Agent': 'OBS/30', 'X-Forwarded-For': '203.0.113.9' },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(`${h.baseUrl.replace('http', 'ws')}/ws/${tokens.ticker.token}/ticker`);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    for (const path of [
      `/browser/source/${tokens.ticker.token}/media`,
      '/browser/source/nope/ticker',
      `/browser/source/${tokens.ticker.token}/banner`,
      `/browser/source/${tokens.media.token}/general`,
    ]) {
      const res = await h.app.request(path);
      expect(res.status, path).toBe(404);
    }
    const rows = await h.deps.db
      .selectFrom('browser_source_access_log')
      .selectAll()
      .where('community_id', '=', 7)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source_type: 'ticker', ip_address: '203.0.113.9', user_agent: 'OBS/30' });
  });

  it('renders nothing for a type the community switched off and injects its CSS', async () => {
    const tokens = await tokensFor(55);
    await h.deps.db
      .insertInto('browser_source_settings')
      .values({
        community_id: 55,
        media_enabled: false,
        custom_css: '.ticker { color: red } </style><script>alert(1)</script>',
        ticker_style: '{}',
        media_style: '{}',
        general_style: '{}',
        updated_at: new Date(),
      })
      .execute();
    const media = await (await h.app.request(`/browser/source/${tokens.media.token}/media`)).text();
    expect(media).toContain('data-disabled="true"');
    expect(media).not.toContain('WebSocket');
    const ticker = await (await h.app.request(`/browser/source/${tokens.ticker.token}/ticker`)).text();
    expect(ticker).toContain('.ticker { color: red }');
    expect(ticker).not.toContain('</style><script>alert(1)');
  });
});

describe('WebSocket delivery (§8.2.3, §8.2.4)', () => {
  it('delivers a ticker to the ticker socket of that community only', async () => {
    const tokens = await tokensFor(7);
    const other = await tokensFor(8);
    const ticker = openSocket(socketUrl(h.baseUrl, tokens.ticker.token, 'ticker'));
    const hello = await ticker.next((f) => f.type === 'connected');
    expect(hello).toMatchObject({ type: 'connected', community_id: 7, source_type: 'ticker' });
    expect(hello.connection_id).toMatch(/^[0-9a-f-]{36}$/);
    const media = await connected(tokens.media.token, 'media');
    const otherTicker = await connected(other.ticker.token, 'ticker');

    const res = await display({
      community_id: 7,
      source_type: 'ticker',
      display_data: { ticker_text: 'Hello', ticker_duration: 5 },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ session_id: 's1', delivered: 1 });
    const frame = await ticker.next((f) => f.type === 'ticker');
    expect(frame).toMatchObject({
      type: 'ticker',
      text: 'Hello',
      duration: 5,
      style: 'default',
      priority: 5,
    });
    expect(Date.parse(frame.timestamp)).not.toBeNaN();
    expect(await nothingPending(media)).toEqual([]);
    expect(await nothingPending(otherTicker)).toEqual([]);

    const toEight = await display({
      community_id: '8',
      source_type: 'ticker',
      display_data: { ticker_text: '  For eight  ', priority: 2, ticker_style: 'urgent' },
    });
    expect(toEight.body.data.delivered).toBe(1);
    expect(await otherTicker.next((f) => f.type === 'ticker')).toMatchObject({
      text: 'For eight',
      priority: 2,
      style: 'urgent',
      duration: 10,
    });
    expect(await nothingPending(ticker)).toEqual([]);
    for (const s of [ticker, media, otherTicker]) s.ws.close();
  });

  it('stores every display, applies defaults and cuts long ticker text', async () => {
    const res = await display({
      community_id: 900,
      source_type: 'ticker',
      display_data: { ticker_text: 'x'.repeat(50) },
      module_name: 'alias',
    });
    expect(res.body.data.delivered).toBe(0);
    const row = await h.deps.db
      .selectFrom('browser_source_history')
      .selectAll()
      .where('community_id', '=', 900)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      source_type: 'ticker',
      session_id: 's1',
      module_name: 'alias',
      duration: 10,
    });
    expect(row.content).toMatchObject({ ticker_text: 'x'.repeat(20), ticker_style: 'default', priority: 5 });
  });

  it('rejects bad display requests and stores nothing', async () => {
    const count = async () =>
      (
        await h.deps.db
          .selectFrom('browser_source_history')
          .select((eb: any) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    const bad: Record<string, unknown>[] = [
      { community_id: 7, source_type: 'banner', display_data: { ticker_text: 'x' } },
      { community_id: 7, source_type: 'ticker' },
      { community_id: 7, source_type: 'ticker', display_data: ['x'] },
      { community_id: 7, source_type: 'ticker', display_data: 'x' },
      { source_type: 'ticker', display_data: { ticker_text: 'x' } },
      { community_id: 7, source_type: 'ticker', display_data: { ticker_text: '   ' } },
      { community_id: 7, source_type: 'ticker', display_data: { ticker_text: 'x', priority: 11 } },
      { community_id: 7, source_type: 'ticker', display_data: { ticker_text: 'x', ticker_style: 'fancy' } },
      { community_id: 7, source_type: 'media', display_data: { media_url: 'javascript:alert(1)' } },
      { community_id: 7, source_type: 'general', display_data: { content_type: 'banner' } },
      { community_id: 7, source_type: 'general', display_data: { duration: -1 } },
    ];
    for (const body of bad) {
      const res = await display(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    const noSession = await call(h.app, 'POST', '/browser/source/display', {
      community_id: 7,
      source_type: 'ticker',
      display_data: { ticker_text: 'x' },
    });
    expect(noSession.status).toBe(400);
    const noKey = await call(
      h.app,
      'POST',
      '/browser/source/display',
      { session_id: 's', community_id: 7, source_type: 'ticker', display_data: { ticker_text: 'x' } },
      { 'Content-Type': 'application/json' },
    );
    expect(noKey.status).toBe(401);
    const malformed = await call(h.app, 'POST', '/browser/source/display', '{"session_id":');
    expect(malformed.status).toBe(400);
    expect(await count()).toBe(before);
  });

  it('resolves entity_id through the community service', async () => {
    const tokens = await tokensFor(42);
    const s = await connected(tokens.general.token, 'general');
    const res = await display({
      entity_id: 'twitch:1001',
      source_type: 'general',
      display_data: { content: '<b>hi</b>', duration: 15 },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.delivered).toBe(1);
    expect(await s.next((f) => f.type === 'general')).toMatchObject({
      content: '<b>hi</b>',
      content_type: 'html',
      duration: 15,
    });
    const unknown = await display({ entity_id: 'discord:nowhere', source_type: 'general', display_data: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    s.ws.close();
  });

  it('sanitises module HTML and passes forms and media through', async () => {
    const tokens = await tokensFor(12);
    const general = await connected(tokens.general.token, 'general');
    await display({
      community_id: 12,
      source_type: 'general',
      display_data: {
        content:
          '<p onclick="x()">Hi <img src="javascript:alert(1)" onerror="alert(2)"><script>alert(3)</script><a href="https://ok.example/">ok</a></p>',
        style: { title: '<i>Title</i>', type: 'warning' },
        content_type: 'alert',
      },
    });
    const frame = await general.next((f) => f.type === 'general');
    expect(frame.content).not.toMatch(/script|onerror|onclick|javascript/i);
    expect(frame.content).toContain('<a href="https://ok.example/">ok</a>');
    expect(frame).toMatchObject({
      content_type: 'alert',
      style: { title: '<i>Title</i>', type: 'warning' },
      duration: 0,
    });

    // The router's overlay form (router-and-receivers §3.13) arrives as flat form_* fields.
    await display({
      community_id: 12,
      source_type: 'general',
      display_data: {
        content_type: 'form',
        form_title: 'Sign up',
        form_fields: [{ name: 'email', type: 'email', label: 'E-mail', required: true }],
        form_submit_url: 'http://calendar:8030/form',
      },
    });
    const form = await general.next((f) => f.type === 'general' && f.content_type === 'form');
    expect(form.form_data).toMatchObject({ title: 'Sign up', fields: [{ name: 'email', type: 'email' }] });

    const media = await connected(tokens.media.token, 'media');
    await display({
      community_id: 12,
      source_type: 'media',
      display_data: {
        media_type: 'spotify',
        media_url: 'https://open.spotify.com/track/1',
        media_data: { title: 'Song', progress: 1000, duration: 200000 },
      },
    });
    expect(await media.next((f) => f.type === 'media')).toMatchObject({
      media_type: 'spotify',
      media_url: 'https://open.spotify.com/track/1',
      media_data: { title: 'Song' },
      duration: 30,
    });
    general.ws.close();
    media.ws.close();
  });

  it('closes sockets with 1008 for a bad path, token or type', async () => {
    const tokens = await tokensFor(7);
    const cases: [string, string][] = [
      [socketUrl(h.baseUrl, tokens.ticker.token, 'media'), 'Source type mismatch'],
      [socketUrl(h.baseUrl, 'not-a-real-token-at-all-0000', 'ticker'), 'Invalid token'],
      [`${h.baseUrl.replace('http', 'ws')}/ws/${tokens.ticker.token}`, 'Invalid path'],
      [socketUrl(h.baseUrl, tokens.ticker.token, 'banner'), 'Invalid path'],
    ];
    for (const [url, reason] of cases) {
      const s = openSocket(url);
      expect(await s.closed).toEqual({ code: 1008, reason });
      expect(s.frames).toEqual([]);
    }
  });

  it('answers ping and status, ignores junk, and closes silent sockets after 300 s', async () => {
    const clock = h.rt.clock as FakeClock;
    const tokens = await tokensFor(13);
    const quiet = await connected(tokens.ticker.token, 'ticker');
    const chatty = await connected(tokens.ticker.token, 'ticker');
    chatty.send('{not json');
    chatty.send({ type: 'mystery' });
    chatty.send({ type: 'ping' });
    expect((await chatty.next((f) => f.type === 'pong')).timestamp).toBe(clock.now().toISOString());
    clock.advance(200_000);
    chatty.send({ type: 'ping' });
    await chatty.next((f) => f.type === 'pong' && f.timestamp === clock.now().toISOString());
    chatty.send({ type: 'status' });
    const status = await chatty.next((f) => f.type === 'status');
    expect(status).toMatchObject({ community_id: 13, source_type: 'ticker', uptime: 200 });
    clock.advance(101_000);
    overlaySocketsOf(h.deps).sweep();
    expect(await quiet.closed).toEqual({ code: 1001, reason: 'Idle timeout' });
    expect(chatty.ws.readyState).toBe(chatty.ws.OPEN);
    const stats = await call(h.app, 'GET', '/browser/source/stats');
    expect(stats.body.data.by_community['13']).toBe(1);
    expect(stats.body.data.by_type.ticker).toBeGreaterThanOrEqual(1);
    expect((await call(h.app, 'GET', '/browser/source/stats', undefined, {})).status).toBe(401);
    chatty.ws.close();
  });
});

describe('regenerate, delete and replay (§8.2.5)', () => {
  it('regenerates a token: old socket closed, old URL gone, new URL live, general replayed', async () => {
    const tokens = await tokensFor(21);
    const old = await connected(tokens.ticker.token, 'ticker');
    const res = await call(h.app, 'POST', `/browser/source/admin/tokens/${tokens.ticker.token}/regenerate`);
    expect(res.status).toBe(200);
    issued.add(res.body.data.token);
    expect(res.body.data).toMatchObject({
      source_type: 'ticker',
      url: `${h.baseUrl}/browser/source/${res.body.data.token}/ticker`,
    });
    expect(res.body.data.token).not.toBe(tokens.ticker.token);
    expect((await old.closed).code).toBe(1008);
    expect((await h.app.request(`/browser/source/${tokens.ticker.token}/ticker`)).status).toBe(404);
    expect((await h.app.request(`/browser/source/${res.body.data.token}/ticker`)).status).toBe(200);
    expect(
      (await call(h.app, 'POST', `/browser/source/admin/tokens/${tokens.ticker.token}/regenerate`)).status,
    ).toBe(404);
    expect((await tokensFor(21)).media).toEqual(tokens.media);

    await display({
      community_id: 21,
      source_type: 'general',
      display_data: { content: 'stays', duration: 0 },
    });
    const first = await connected(tokens.general.token, 'general');
    expect(await first.next((f) => f.type === 'general')).toMatchObject({ content: 'stays', duration: 0 });
    first.ws.close();
  });

  it('replays general and media only while they are still on screen', async () => {
    const clock = h.rt.clock as FakeClock;
    const tokens = await tokensFor(22);
    await display({
      community_id: 22,
      source_type: 'general',
      display_data: { content: 'brief', duration: 60 },
    });
    await display({
      community_id: 22,
      source_type: 'media',
      display_data: { media_data: { title: 'T' }, duration: 60 },
    });
    await display({ community_id: 22, source_type: 'ticker', display_data: { ticker_text: 'not replayed' } });
    const g = await connected(tokens.general.token, 'general');
    const m = await connected(tokens.media.token, 'media');
    const t = await connected(tokens.ticker.token, 'ticker');
    expect(await g.next((f) => f.type === 'general')).toMatchObject({ content: 'brief' });
    expect(await m.next((f) => f.type === 'media')).toMatchObject({ media_data: { title: 'T' } });
    expect(await nothingPending(t)).toEqual([]);
    clock.advance(61_000);
    const g2 = await connected(tokens.general.token, 'general');
    const m2 = await connected(tokens.media.token, 'media');
    expect(await nothingPending(g2)).toEqual([]);
    expect(await nothingPending(m2)).toEqual([]);
    for (const s of [g, m, t, g2, m2]) s.ws.close();
  });

  it('deletes a token: page gone, socket closed, a later POST re-issues', async () => {
    const tokens = await tokensFor(23);
    const s = await connected(tokens.media.token, 'media');
    const res = await call(h.app, 'DELETE', `/browser/source/admin/tokens/${tokens.media.token}`);
    expect(res.body).toEqual({ success: true, data: { deactivated: true } });
    expect((await s.closed).code).toBe(1008);
    expect((await h.app.request(`/browser/source/${tokens.media.token}/media`)).status).toBe(404);
    expect((await call(h.app, 'DELETE', `/browser/source/admin/tokens/${tokens.media.token}`)).status).toBe(
      404,
    );
    const again = await tokensFor(23);
    expect(again.media.token).not.toBe(tokens.media.token);
    expect(again.ticker).toEqual(tokens.ticker);
  });
});

describe('YouTube track end (contracts §17.6)', () => {
  it('forwards a media page report once, with the service key', async () => {
    const tokens = await tokensFor(61);
    const a = await connected(tokens.media.token, 'media');
    const b = await connected(tokens.media.token, 'media');
    const ticker = await connected(tokens.ticker.token, 'ticker');
    const report = { type: 'track_ended', video_id: 'dQw4w9WgXcQ', started_at: '2025-11-20T18:00:00.000Z' };
    ticker.send(report);
    a.send(report);
    const req = await h.youtube.waitFor((r) => r.path === '/youtube/music/track-ended');
    expect(req.json).toEqual({ type: 'track_ended', community_id: 61, video_id: 'dQw4w9WgXcQ' });
    expect(req.headers['x-service-key']).toBe(serviceHeaders()['X-Service-Key']);
    b.send(report);
    await nothingPending(b);
    await nothingPending(ticker);
    expect(h.youtube.calls('POST', '/youtube/music/track-ended')).toHaveLength(1);
    for (const s of [a, b, ticker]) s.ws.close();
  });
});

describe('fan-out across replicas (§2.4)', () => {
  /** Without Redis, replicas with state of their own meet only through PostgreSQL LISTEN/NOTIFY. */
  const viaPostgres = () => h.rt.db.kind === 'postgres' && !process.env.TEST_REDIS_URL;

  async function startReplica(extraEnv: Record<string, string>) {
    const http = await lateBoundServer();
    const state = viaPostgres() ? createMemoryState(h.rt.clock) : h.rt.shared.state;
    const config = serviceConfig(service, {
      ...h.rt.env,
      COMMUNITY_URL: h.community.url,
      BASE_URL: http.url,
      ...(viaPostgres() ? { DATABASE_URL: h.rt.db.url } : {}),
      ...extraEnv,
    });
    const running = await startService(
      service,
      config,
      { ...h.rt.shared, state, dispatch: new LocalDispatch() },
      { listen: false },
    );
    http.bind(running.app.fetch as FetchHandler);
    const detach = attachOverlaySockets(http.server, overlaySocketsOf(running.deps));
    return {
      app: running.app,
      url: http.url,
      async stop() {
        detach();
        await http.close();
        await running.stop();
        if (state !== h.rt.shared.state) await state.close();
      },
    };
  }

  it('delivers to a socket on replica B when replica A takes the display', async () => {
    const replicaA = viaPostgres()
      ? await startReplica({})
      : { app: h.app, url: h.baseUrl, stop: async () => undefined };
    const replicaB = await startReplica({ MAX_CONNECTIONS: '2' });
    const onA = (body: Record<string, unknown>) =>
      call(replicaA.app, 'POST', '/browser/source/display', { session_id: 'r', ...body });
    try {
      const tokens = await tokensFor(71);
      const onB = await connected(tokens.ticker.token, 'ticker', replicaB.url);
      expect(onB.frames[0].community_id).toBe(71);
      const res = await onA({
        community_id: 71,
        source_type: 'ticker',
        display_data: { ticker_text: 'across' },
      });
      expect(res.status).toBe(200);
      expect(await onB.next((f) => f.type === 'ticker')).toMatchObject({ text: 'across' });
      const gen = await connected(tokens.general.token, 'general', replicaB.url);
      const big = 'y'.repeat(9000);
      await onA({ community_id: 71, source_type: 'general', display_data: { content: big } });
      // Over 7 KB the bus carries a history id and replica B re-reads the frame.
      expect((await gen.next((f) => f.type === 'general' && f.content === big)).content).toBe(big);
      // A token regenerated through replica A closes its sockets on replica B.
      const regen = await call(
        replicaA.app,
        'POST',
        `/browser/source/admin/tokens/${tokens.ticker.token}/regenerate`,
      );
      issued.add(regen.body.data.token);
      expect((await onB.closed).code).toBe(1008);
      gen.ws.close();
      await gen.closed;
      // Replica B refuses a socket over its MAX_CONNECTIONS with 1013.
      const keep = [
        await connected(tokens.media.token, 'media', replicaB.url),
        await connected(tokens.media.token, 'media', replicaB.url),
      ];
      const refused = openSocket(socketUrl(replicaB.url, tokens.media.token, 'media'));
      expect((await refused.closed).code).toBe(1013);
      for (const s of keep) s.ws.close();
    } finally {
      await replicaB.stop();
      await replicaA.stop();
    }
  });
});

describe('retention and secrecy', () => {
  it('purges history after 30 days and the access log after its retention', async () => {
    const clock = h.rt.clock as FakeClock;
    await display({ community_id: 81, source_type: 'ticker', display_data: { ticker_text: 'old' } });
    clock.advance(31 * 86_400_000);
    await display({ community_id: 81, source_type: 'ticker', display_data: { ticker_text: 'new' } });
    const purged = await purgeExpiredRows({ db: h.deps.db, clock }, 30);
    expect(purged.history).toBeGreaterThanOrEqual(1);
    const left = await h.deps.db
      .selectFrom('browser_source_history')
      .select('content')
      .where('community_id', '=', 81)
      .execute();
    expect(left.map((r: any) => r.content.ticker_text)).toEqual(['new']);
    expect(await h.deps.db.selectFrom('browser_source_access_log').selectAll().execute()).toEqual([]);
  });

  it('never writes a token to the log', () => {
    expect(issued.size).toBeGreaterThan(10);
    const log = h.rt.logLines.join('\n');
    for (const token of issued) expect(log).not.toContain(token);
  });
});
