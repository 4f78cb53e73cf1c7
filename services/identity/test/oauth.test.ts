import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from '@waddlebot/core/testing';
import { call, eventually, json, registerAndLogin, startIdentity, type Harness } from './identity-harness.js';

let h: Harness;
let twitch: FakeServer;
let discord: FakeServer;
const PORTAL = 'http://portal.test:8080';

/** What the fake providers answer for the next code: code → profile. */
const twitchUsers = new Map<string, Record<string, unknown>>();
const discordUsers = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  twitch = await startFakeServer();
  twitch.on('POST', '/token', (req) => {
    const code = new URLSearchParams(req.text).get('code') ?? '';
    return twitchUsers.has(code)
      ? { status: 200, body: { access_token: `tok-${code}` } }
      : { status: 400, body: { message: 'invalid code' } };
  });
  twitch.on('GET', '/users', (req) => {
    const code = String(req.headers.authorization ?? '').replace('Bearer tok-', '');
    return { status: 200, body: { data: [twitchUsers.get(code)] } };
  });
  discord = await startFakeServer();
  discord.on('POST', '/oauth2/token', (req) => ({
    status: 200,
    body: { access_token: `tok-${new URLSearchParams(req.text).get('code')}` },
  }));
  discord.on('GET', '/users/@me', (req) => ({
    status: 200,
    body: discordUsers.get(String(req.headers.authorization ?? '').replace('Bearer tok-', '')),
  }));
  h = await startIdentity({
    TWITCH_OAUTH_CLIENT_ID: 'twitch-client',
    TWITCH_OAUTH_CLIENT_SECRET: 'twitch-client-secret-value',
    TWITCH_AUTH_BASE_URL: twitch.url,
    TWITCH_API_BASE_URL: twitch.url,
    DISCORD_OAUTH_CLIENT_ID: 'discord-client',
    DISCORD_OAUTH_CLIENT_SECRET: 'discord-client-secret-value',
    DISCORD_API_BASE_URL: discord.url,
    PORTAL_PUBLIC_URL: PORTAL,
  });
});
afterAll(async () => {
  await h.close();
  await twitch.close();
  await discord.close();
});

async function startFlow(provider: string, opts: { redirect?: string; token?: string } = {}) {
  const q = opts.redirect ? `?redirect=${encodeURIComponent(opts.redirect)}` : '';
  const res = await h.app.request(`/auth/oauth/${provider}${q}`, {
    headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
  });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/i);
  return { location, cookie, state: location.searchParams.get('state')! };
}

const callback = (provider: string, flow: { cookie: string; state: string }, code: string) =>
  h.app.request(`/auth/oauth/${provider}/callback?code=${code}&state=${encodeURIComponent(flow.state)}`, {
    headers: { Cookie: flow.cookie },
  });

describe('OAuth (§3.4)', () => {
  it('redirects to the provider and refuses unknown providers and foreign redirects', async () => {
    const flow = await startFlow('twitch');
    expect(flow.location.searchParams.get('client_id')).toBe('twitch-client');
    expect(flow.location.searchParams.get('scope')).toBe('user:read:email');
    expect(flow.state.length).toBeGreaterThanOrEqual(43);
    expect((await call(h.app, 'GET', '/auth/oauth/slack', undefined, json)).status).toBe(400);
    expect((await call(h.app, 'GET', '/auth/oauth/myspace', undefined, json)).status).toBe(400);
    const evil = await call(
      h.app,
      'GET',
      `/auth/oauth/twitch?redirect=${encodeURIComponent('http://portal.test:8080.evil.com/x')}`,
      undefined,
      json,
    );
    expect(evil.status).toBe(400);
  });

  it('logs a known chat account in as its first-sight user and redirects with the token', async () => {
    const seen = await call(h.app, 'POST', '/identity/resolve', {
      platform: 'twitch',
      platform_user_id: '4000',
      user_name: 'heron',
    });
    twitchUsers.set('c1', { id: '4000', login: 'heron', display_name: 'Heron', email: 'heron@example.org' });
    const flow = await startFlow('twitch', { redirect: `${PORTAL}/dashboard` });
    const res = await callback('twitch', flow, 'c1');
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${PORTAL}/dashboard#token=`)).toBe(true);
    const token = decodeURIComponent(location.split('#token=')[1]!);
    const profile = await call(h.app, 'GET', '/auth/profile', undefined, {
      Authorization: `Bearer ${token}`,
    });
    expect(profile.body.data.user_id).toBe(seen.body.data.uid);
    const tokenCall = twitch.calls('GET', '/users')[0]!;
    expect(tokenCall.headers['client-id']).toBe('twitch-client');
  });

  it('refuses a bad or replayed state and a provider error', async () => {
    twitchUsers.set('c2', { id: '4001', login: 'ibis' });
    const flow = await startFlow('twitch');
    expect((await callback('twitch', { ...flow, state: 'forged' }, 'c2')).status).toBe(400);
    expect(
      (await callback('twitch', { cookie: 'wbot_oauth_state=abc.def', state: flow.state }, 'c2')).status,
    ).toBe(400);
    expect((await callback('twitch', flow, 'unknown-code')).status).toBe(400);
    const noCookie = await h.app.request(`/auth/oauth/twitch/callback?code=c2&state=${flow.state}`);
    expect(noCookie.status).toBe(400);
    expect((await call(h.app, 'GET', '/identity/platform/twitch/4001')).status).toBe(404);
  });

  it('links to the logged-in user and merges a single-identity first-sight user', async () => {
    const kestrel = await registerAndLogin(h, 'kestrel');
    const seen = await call(h.app, 'POST', '/identity/resolve', {
      platform: 'discord',
      platform_user_id: '5150',
      user_name: 'kes',
    });
    discordUsers.set('d1', {
      id: '5150',
      username: 'kes',
      verified: true,
      email: 'kes@example.org',
      avatar: 'abc',
    });
    const flow = await startFlow('discord', { token: kestrel.token });
    expect(flow.location.searchParams.get('scope')).toBe('identify email');
    const res = await callback('discord', flow, 'd1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { user_id: string; token: string; redirect: string } };
    expect(body.data.user_id).toBe(kestrel.userId);
    expect(body.data.redirect).toBe('/dashboard');
    expect((await call(h.app, 'GET', '/identity/platform/discord/5150')).body.data.user_id).toBe(
      kestrel.userId,
    );
    const merged = await eventually(() =>
      h.subscribers.reputation
        .calls('POST', '/internal/user-merged')
        .find((r) => r.json.from_uid === seen.body.data.uid),
    );
    expect(merged.json.into_uid).toBe(kestrel.userId);
  });

  it('links by verified e-mail only; an unverified one makes a new user', async () => {
    const reg = await call(
      h.app,
      'POST',
      '/auth/register',
      { username: 'osprey', email: 'osprey@example.org', password: 'osprey password' },
      json,
    );
    discordUsers.set('d2', {
      id: '6001',
      username: 'fake-osprey',
      verified: false,
      email: 'osprey@example.org',
    });
    const unverified = (await (await callback('discord', await startFlow('discord'), 'd2')).json()) as {
      data: { user_id: string };
    };
    expect(unverified.data.user_id).not.toBe(reg.body.data.user_id);
    discordUsers.set('d3', { id: '6002', username: 'osprey', verified: true, email: 'OSPREY@example.org' });
    const verified = (await (await callback('discord', await startFlow('discord'), 'd3')).json()) as {
      data: { user_id: string };
    };
    expect(verified.data.user_id).toBe(reg.body.data.user_id);
    const fresh = await call(h.app, 'GET', `/identity/user/${unverified.data.user_id}`);
    expect(fresh.body.data.username).toBe('fake-osprey');
    expect(fresh.body.data.identities[0].verification_method).toBe('oauth');
  });
});

const linkUrl = (provider: string, token: string | null, body: Record<string, unknown> = {}) =>
  call(h.app, 'POST', `/auth/oauth/${provider}/link-url`, body, {
    ...json,
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  });

/** The browser arriving back from the provider: no identity cookie, only the query. */
const bareCallback = (provider: string, state: string, code: string) =>
  h.app.request(`/auth/oauth/${provider}/callback?code=${code}&state=${encodeURIComponent(state)}`);

const linkComplete = (provider: string, token: string, linkCode: string) =>
  call(
    h.app,
    'POST',
    `/auth/oauth/${provider}/link-complete`,
    { link_code: linkCode },
    { ...json, Authorization: `Bearer ${token}` },
  );

/** link-url → provider → callback: the link_code the callback hands back to the portal. */
async function linkCodeFor(provider: string, token: string, code: string) {
  const started = await linkUrl(provider, token, { redirect: `${PORTAL}/identity` });
  const res = await bareCallback(provider, new URL(started.body.data.url).searchParams.get('state')!, code);
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(`${PORTAL}/identity`);
  return back.searchParams.get('link_code')!;
}

describe('OAuth linking started server-side (link-url, link-complete)', () => {
  it('needs a JWT, an enabled provider and a portal redirect', async () => {
    const { token } = await registerAndLogin(h, 'grebe');
    const portal = { redirect: `${PORTAL}/identity` };
    expect((await linkUrl('twitch', null, portal)).status).toBe(401);
    expect((await linkUrl('slack', token, portal)).status).toBe(400);
    expect((await linkUrl('twitch', token)).status).toBe(400);
    expect((await linkUrl('twitch', token, { redirect: 'https://evil.example/identity' })).status).toBe(400);
    const ok = await linkUrl('twitch', token, portal);
    expect(ok.status).toBe(200);
    const url = new URL(ok.body.data.url);
    expect(url.searchParams.get('client_id')).toBe('twitch-client');
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(43);
    expect(ok.body.data.expires_in).toBe(600);
  });

  it("links the provider account to the starting user's JWT only, without a cookie, once", async () => {
    const { userId, token } = await registerAndLogin(h, 'curlew');
    const seen = await call(h.app, 'POST', '/identity/resolve', {
      platform: 'twitch',
      platform_user_id: '8100',
      user_name: 'curlew_tv',
    });
    const owner = async () => (await call(h.app, 'GET', '/identity/platform/twitch/8100')).body.data.user_id;
    twitchUsers.set('l1', { id: '8100', login: 'curlew_tv' });
    const started = await linkUrl('twitch', token, { redirect: `${PORTAL}/identity` });
    const state = new URL(started.body.data.url).searchParams.get('state')!;
    const res = await bareCallback('twitch', state, 'l1');
    const linkCode = new URL(res.headers.get('location')!).searchParams.get('link_code')!;
    expect(linkCode.length).toBeGreaterThanOrEqual(43);
    // The state is single-use.
    expect((await bareCallback('twitch', state, 'l1')).status).toBe(400);
    // Nothing is linked until the starting user redeems the code; another user's JWT cannot
    // (a start URL planted in a victim's browser), and the refused attempt burns the code.
    expect(await owner()).toBe(seen.body.data.uid);
    const intruder = await registerAndLogin(h, 'skua');
    expect((await linkComplete('twitch', intruder.token, linkCode)).status).toBe(403);
    expect(await owner()).toBe(seen.body.data.uid);
    expect((await linkComplete('twitch', token, linkCode)).status).toBe(400);

    const code2 = await linkCodeFor('twitch', token, 'l1');
    expect((await linkComplete('discord', token, code2)).status).toBe(400);
    const code3 = await linkCodeFor('twitch', token, 'l1');
    const done = await linkComplete('twitch', token, code3);
    expect(done.status).toBe(200);
    expect(done.body.data).toEqual({ user_id: userId, platform: 'twitch', merged_uid: seen.body.data.uid });
    expect(await owner()).toBe(userId);
    expect((await linkComplete('twitch', token, code3)).status).toBe(400);
    const merged = await eventually(() =>
      h.subscribers.community
        .calls('POST', '/internal/user-merged')
        .find((r) => r.json.from_uid === seen.body.data.uid),
    );
    expect(merged.json.into_uid).toBe(userId);
  });

  it('refuses an account owned by someone else; a provider refusal goes back as link_error', async () => {
    const owner = await registerAndLogin(h, 'dunlin');
    const other = await registerAndLogin(h, 'sanderling');
    discordUsers.set('l2', { id: '8200', username: 'dunlin', verified: true, email: 'x@example.org' });
    expect(
      (await linkComplete('discord', owner.token, await linkCodeFor('discord', owner.token, 'l2'))).status,
    ).toBe(200);
    // A second identity for the owner, so it is not a mergeable single-identity user.
    twitchUsers.set('l3', { id: '8201', login: 'dunlin' });
    expect(
      (await linkComplete('twitch', owner.token, await linkCodeFor('twitch', owner.token, 'l3'))).status,
    ).toBe(200);
    const conflict = await linkComplete(
      'discord',
      other.token,
      await linkCodeFor('discord', other.token, 'l2'),
    );
    expect(conflict.status).toBe(409);
    expect((await call(h.app, 'GET', '/identity/platform/discord/8200')).body.data.user_id).toBe(
      owner.userId,
    );

    const refused = await linkUrl('twitch', other.token, { redirect: `${PORTAL}/identity` });
    const state = new URL(refused.body.data.url).searchParams.get('state')!;
    const denied = await h.app.request(`/auth/oauth/twitch/callback?error=access_denied&state=${state}`);
    expect(denied.headers.get('location')).toBe(`${PORTAL}/identity?link_error=denied`);
  });

  it('a deactivated user cannot sign in through a provider', async () => {
    const seen = await call(h.app, 'POST', '/identity/resolve', {
      platform: 'twitch',
      platform_user_id: '8300',
      user_name: 'shag',
    });
    twitchUsers.set('l4', { id: '8300', login: 'shag' });
    expect((await callback('twitch', await startFlow('twitch'), 'l4')).status).toBe(200);
    const off = await call(h.app, 'PUT', `/identity/users/${seen.body.data.uid}/active`, {
      is_active: false,
    });
    expect(off.status).toBe(200);
    const res = await callback('twitch', await startFlow('twitch'), 'l4');
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('token');
  });
});

describe('merge notifications are retried (§3.6)', () => {
  it('keeps posting to a subscriber answering 500 until it answers 2xx', async () => {
    let failures = 2;
    h.subscribers.labels.on('POST', '/internal/user-merged', () =>
      failures-- > 0
        ? { status: 500, body: { success: false } }
        : { status: 200, body: { success: true, data: { merged: true } } },
    );
    const plover = await registerAndLogin(h, 'plover');
    const seen = await call(h.app, 'POST', '/identity/resolve', {
      platform: 'twitch',
      platform_user_id: '7001',
      user_name: 'plover',
    });
    twitchUsers.set('c7', { id: '7001', login: 'plover' });
    expect((await callback('twitch', await startFlow('twitch', { token: plover.token }), 'c7')).status).toBe(
      200,
    );
    const posts = await eventually(() => {
      const calls = h.subscribers.labels
        .calls('POST', '/internal/user-merged')
        .filter((r) => r.json.from_uid === seen.body.data.uid);
      return calls.length >= 3 ? calls : undefined;
    });
    expect(posts.every((p) => p.json.into_uid === plover.userId)).toBe(true);
    // Delivered: no fourth post follows.
    await new Promise((r) => setTimeout(r, 200));
    expect(
      h.subscribers.labels
        .calls('POST', '/internal/user-merged')
        .filter((r) => r.json.from_uid === seen.body.data.uid),
    ).toHaveLength(3);
  });
});
