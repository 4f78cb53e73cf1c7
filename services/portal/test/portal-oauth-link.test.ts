import { startFakeServer, type FakeServer } from '@waddlebot/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalHarness, type PortalHarness } from './portal-harness.js';
import { WebClient } from './web-client.js';

let h: PortalHarness;
let twitch: FakeServer;
/** code → the Twitch user the fake provider reports for it. */
const twitchUsers = new Map<string, Record<string, unknown>>();
/** The code the fake provider's consent page hands out next. */
let nextCode = '';

beforeAll(async () => {
  twitch = await startFakeServer();
  // The consent page: a user who agrees is sent straight back to the redirect_uri with code and state.
  twitch.on('GET', '/authorize', (req) => {
    const q = req.query;
    const back = new URL(q.get('redirect_uri')!);
    back.searchParams.set('code', nextCode);
    back.searchParams.set('state', q.get('state')!);
    return { status: 302, headers: { Location: back.toString() }, body: '' };
  });
  twitch.on('POST', '/token', (req) => {
    const code = new URLSearchParams(req.text).get('code') ?? '';
    return twitchUsers.has(code)
      ? { status: 200, body: { access_token: `tok-${code}` } }
      : { status: 400, body: { message: 'invalid code' } };
  });
  twitch.on('GET', '/users', (req) => ({
    status: 200,
    body: { data: [twitchUsers.get(String(req.headers.authorization ?? '').replace('Bearer tok-', ''))] },
  }));
  h = await startPortalHarness({
    TWITCH_OAUTH_CLIENT_ID: 'twitch-client',
    TWITCH_OAUTH_CLIENT_SECRET: 'twitch-client-secret-value',
    TWITCH_AUTH_BASE_URL: twitch.url,
    TWITCH_API_BASE_URL: twitch.url,
    TWITCH_OAUTH_AUTHORIZE_URL: `${twitch.url}/authorize`,
  });
});
afterAll(async () => {
  await h.close();
  await twitch.close();
});

/**
 * The browser's trip: portal → provider consent page → identity's callback → portal. The provider
 * is a real HTTP server; identity and portal are reached in-process by path.
 */
async function connectTwitch(web: WebClient, code: string) {
  nextCode = code;
  const start = await web.get('/identity/connect/twitch');
  expect(start.status).toBe(302);
  expect(start.location!.startsWith(`${twitch.url}/authorize?`)).toBe(true);
  const consent = await fetch(start.location!, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const callback = new URL(consent.headers.get('location')!);
  expect(callback.pathname).toBe('/auth/oauth/twitch/callback');
  // No identity cookie travels: the portal started the flow server-side.
  const back = await h.apps.identity.request(`${callback.pathname}${callback.search}`);
  expect(back.status).toBe(302);
  const portalUrl = new URL(back.headers.get('location')!);
  expect(portalUrl.origin).toBe('http://portal.test');
  return web.follow(await web.get(`${portalUrl.pathname}${portalUrl.search}`));
}

describe('GET /identity/connect/:provider (§7.2, identity §3.4 step 2)', () => {
  it("links the provider account to the logged-in user, merging that account's first-sight user", async () => {
    const { userId, password } = await h.onboard('discord', '5001', 'robin', 'robin@example.net');
    const web = await h.loggedIn('robin@example.net', password, 'Robin-Redbreast-7');
    const firstSight = await h.resolve('twitch', '6001', 'robin_tv');
    expect(firstSight).not.toBe(userId);
    twitchUsers.set('k1', { id: '6001', login: 'robin_tv' });

    const page = await connectTwitch(web, 'k1');
    expect(page.path).toBe('/identity');
    expect(page.text).toContain('Your twitch account is now linked.');
    expect(page.text).toContain('robin_tv');
    expect(await h.resolve('twitch', '6001', 'robin_tv')).toBe(userId);
    // The provider saw the portal's client and the code exchange went through identity.
    expect(twitch.calls('POST', '/token')).toHaveLength(1);
  });

  it('shows why when the account already belongs to another user', async () => {
    const { password } = await h.onboard('discord', '5002', 'wren', 'wren@example.net');
    const web = await h.loggedIn('wren@example.net', password, 'Jenny-Wren-2026');
    const page = await connectTwitch(web, 'k1');
    expect(page.path).toBe('/identity');
    expect(page.text).toContain('That account is already linked to another WaddleBot user.');
    expect(page.text).not.toContain('robin_tv');
  });

  it("a start URL planted in another user's browser links nothing", async () => {
    const attacker = await h.onboard('discord', '5004', 'magpie', 'magpie@example.net');
    const attackerWeb = await h.loggedIn('magpie@example.net', attacker.password, 'Magpie-Thief-2026');
    const victim = await h.onboard('discord', '5005', 'dove', 'dove@example.net');
    const victimWeb = await h.loggedIn('dove@example.net', victim.password, 'Gentle-Dove-2026');
    await h.resolve('twitch', '6005', 'dove_tv');
    twitchUsers.set('k5', { id: '6005', login: 'dove_tv' });
    // The attacker starts a link flow and hands the provider URL to the victim, who consents.
    nextCode = 'k5';
    const planted = (await attackerWeb.get('/identity/connect/twitch')).location!;
    const consent = await fetch(planted, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    const back = new URL(
      (await h.apps.identity.request(`${callback.pathname}${callback.search}`)).headers.get('location')!,
    );
    const page = await victimWeb.follow(await victimWeb.get(`${back.pathname}${back.search}`));
    expect(page.text).toContain('That link was started by another WaddleBot user');
    expect(await h.resolve('twitch', '6005', 'dove_tv')).not.toBe(attacker.userId);
    expect(page.text).not.toContain('magpie');
  });

  it('needs a session and a known provider', async () => {
    expect((await new WebClient(h.apps.portal).get('/identity/connect/twitch')).location).toBe('/auth/login');
    const { password } = await h.onboard('discord', '5003', 'tit', 'tit@example.net');
    const web = await h.loggedIn('tit@example.net', password, 'Blue-Tit-2026!');
    expect((await web.get('/identity/connect/myspace')).status).toBe(404);
    // Slack has no client configured here: identity refuses and the portal says so.
    const slack = await web.follow(await web.get('/identity/connect/slack'));
    expect(slack.path).toBe('/identity');
    expect(slack.text).toContain('Unknown or disabled OAuth provider');
  });
});
