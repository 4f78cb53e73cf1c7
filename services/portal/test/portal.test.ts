import { call, serviceHeaders } from '@waddlebot/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalHarness, type PortalHarness } from './portal-harness.js';
import { WebClient } from './web-client.js';

let h: PortalHarness;
let aliceUid: string;
let bobUid: string;
let penguins: number;
let aliceTemp: string;
const ALICE_PASSWORD = 'Penguin-Waddle-42';

beforeAll(async () => {
  h = await startPortalHarness();
  aliceUid = await h.resolve('twitch', '1001', 'alice');
  bobUid = await h.resolve('twitch', '2002', 'bob');
  const alice = { id: '1001', name: 'alice', uid: aliceUid };
  expect((await h.chat(alice, '!community create Penguins')).success).toBe(true);
  penguins = await h.communityIdByName(aliceUid, 'Penguins');
  expect((await h.chat(alice, '!community context Penguins')).success).toBe(true);
  const added = await h.chat(alice, '!community portal login add Alice.Owner@example.org');
  expect(added.success).toBe(true);
  expect(JSON.stringify(added)).not.toMatch(/password:/i);
  aliceTemp = h.tempPasswordIn(h.smtp.mails[0]!.data)!;
  // Bob is a plain member; reputation puts him above the owner.
  expect(
    (await call(h.apps.community, 'PUT', `/communities/${penguins}/members/${bobUid}`, { role: 'member' }))
      .status,
  ).toBe(200);
  for (const [uid, score] of [
    [bobUid, 720],
    [aliceUid, 655],
  ] as const)
    expect(
      (await call(h.apps.reputation, 'PUT', `/reputation/${penguins}/user/${uid}`, { score, reason: 'seed' }))
        .status,
    ).toBe(200);
});
afterAll(async () => {
  await h?.close();
});

describe('§8.7.1 anonymous access', () => {
  it('pages redirect to the login page and the service API needs the key', async () => {
    const web = new WebClient(h.apps.portal);
    for (const path of [
      '/dashboard',
      `/community/${penguins}`,
      '/profile',
      '/identity',
      '/api_keys',
      '/admin/users',
    ]) {
      const res = await web.get(path);
      expect(res.status, path).toBe(302);
      expect(res.location).toBe('/auth/login');
    }
    expect((await web.get('/')).location).toBe('/auth/login');
    const noKey = await call(
      h.apps.portal,
      'POST',
      '/api/create_user',
      { platform: 'twitch', platform_user_id: '9', email: 'x@example.org' },
      { 'Content-Type': 'application/json' },
    );
    expect(noKey.status).toBe(401);
    expect(noKey.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await call(
      h.apps.portal,
      'POST',
      '/api/create_user',
      { platform: 'twitch', platform_user_id: '9', email: 'x@example.org' },
      serviceHeaders({ 'X-Service-Key': 'k'.repeat(40) }),
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_API_KEY');
  });

  it('the login page sets an httpOnly SameSite CSRF cookie and a failed login is 401', async () => {
    const web = new WebClient(h.apps.portal);
    const page = await web.get('/auth/login');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="csrf_token"');
    expect(page.setCookies.join('\n')).toMatch(/wb_csrf=.*HttpOnly/i);
    expect(page.setCookies.join('\n')).toMatch(/SameSite=Lax/i);
    const bad = await web.post('/auth/login', {
      login: 'alice.owner@example.org',
      password: 'not-the-password',
    });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('Invalid username/e-mail or password');
    expect(web.cookies.has('wb_session')).toBe(false);
  });

  it('a login form without the CSRF token is refused', async () => {
    const web = new WebClient(h.apps.portal);
    await web.get('/auth/login');
    const res = await web.post(
      '/auth/login',
      { login: 'alice.owner@example.org', password: aliceTemp },
      { csrf: false },
    );
    expect(res.status).toBe(403);
    expect(web.cookies.has('wb_session')).toBe(false);
  });
});

describe('§8.7.2 temporary-password onboarding', () => {
  it('mails one temporary password and never returns it', async () => {
    expect(h.smtp.mails).toHaveLength(1);
    const mail = h.smtp.mails[0]!;
    expect(mail.to).toEqual(['Alice.Owner@example.org']);
    expect(mail.data).toContain('Subject: WaddleBot Community Portal - Temporary Password');
    expect(mail.data).toContain(`User id: ${aliceUid}`);
    expect(mail.data).toContain('http://portal.test');
    expect(aliceTemp).toMatch(/^\S{16}$/);
    expect(h.rt.logLines.join('\n')).not.toContain(aliceTemp);
  });

  it('forces a password change before anything else, then lists the community', async () => {
    const web = new WebClient(h.apps.portal);
    await web.get('/auth/login');
    const login = await web.post('/auth/login', { login: 'alice.owner@example.org', password: aliceTemp });
    expect(login.status).toBe(302);
    expect(login.location).toBe('/auth/change-password');
    const session = login.setCookies.find((l) => l.startsWith('wb_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    for (const path of ['/dashboard', `/community/${penguins}`, '/api_keys'])
      expect((await web.get(path)).location, path).toBe('/auth/change-password');
    expect(
      (
        await call(h.apps.portal, 'GET', `/api/communities/${aliceUid}`, undefined, {
          Cookie: `wb_session=${web.cookies.get('wb_session')}`,
        })
      ).status,
    ).toBe(401);

    await web.get('/auth/change-password');
    const short = await web.post('/auth/change-password', {
      current_password: aliceTemp,
      new_password: 'short',
      confirm_password: 'short',
    });
    expect(short.status).toBe(400);
    expect((await web.get('/dashboard')).location).toBe('/auth/change-password');
    const changed = await web.post('/auth/change-password', {
      current_password: aliceTemp,
      new_password: ALICE_PASSWORD,
      confirm_password: ALICE_PASSWORD,
    });
    expect(changed.location).toBe('/dashboard');
    const dash = await web.follow(changed);
    expect(dash.status).toBe(200);
    expect(dash.text).toContain(`href="/community/${penguins}"`);
    expect(dash.text).toContain('Penguins');
    expect(dash.text).toContain('Your password was changed.');
    expect(h.rt.logLines.join('\n')).not.toContain(ALICE_PASSWORD);
  });

  it('an unused temporary password fails after 24 hours', async () => {
    const dave = await h.onboard('discord', '4004', 'dave', 'dave@example.org');
    expect(dave.password).toBeTruthy();
    h.clock.advance(24 * 3600_000 + 60_000);
    const web = new WebClient(h.apps.portal);
    await web.get('/auth/login');
    const res = await web.post('/auth/login', { login: 'dave@example.org', password: dave.password });
    expect(res.status).toBe(401);
    expect(web.cookies.has('wb_session')).toBe(false);
  });

  it('create_user passes display_name through to identity', async () => {
    const r = await call(h.apps.portal, 'POST', '/api/create_user', {
      platform: 'discord',
      platform_user_id: '7373',
      platform_username: 'puffin',
      email: 'puffin@example.org',
      display_name: 'Captain Puffin',
    });
    expect(r.status).toBe(201);
    const user = await call(h.apps.identity, 'GET', `/identity/user/${r.body.data.user_id}`);
    expect(user.body.data.display_name).toBe('Captain Puffin');
    expect(user.body.data.email).toBe('puffin@example.org');
  });

  it('create_user validates the e-mail and refuses an account that already has its own password', async () => {
    const bad = await call(h.apps.portal, 'POST', '/api/create_user', {
      platform: 'twitch',
      platform_user_id: '1001',
      platform_username: 'alice',
      email: 'not-an-email',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    const again = await call(h.apps.portal, 'POST', '/api/create_user', {
      platform: 'twitch',
      platform_user_id: '1001',
      platform_username: 'alice',
      email: 'Alice.Owner@example.org',
    });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).not.toMatch(/temp_password/);
  });
});

describe('§8.7.3 community page', () => {
  let alice: WebClient;
  let bob: WebClient;
  beforeAll(async () => {
    alice = await h.loggedIn('alice.owner@example.org', ALICE_PASSWORD);
    const b = await h.onboard('twitch', '2002', 'bob', 'bob@example.org');
    bob = await h.loggedIn('bob@example.org', b.password, 'Bobs-Own-Password-1');
  });

  it('shows members by reputation and the three browser-source URLs as browser-source returns them', async () => {
    const page = await alice.get(`/community/${penguins}`);
    expect(page.status).toBe(200);
    const order = [...page.text.matchAll(/class="member" data-user-id="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual([bobUid, aliceUid]);
    const urls = (await call(h.apps.browserSource, 'GET', `/browser/source/api/communities/${penguins}/urls`))
      .body.data.urls;
    expect(Object.keys(urls).sort()).toEqual(['general', 'media', 'ticker']);
    for (const u of Object.values(urls) as { url: string }[])
      expect(page.text).toContain(`<code class="secret overlay-url">${u.url}</code>`);
    expect(page.text).toContain('1920×100');
    const ticker = new URL(urls.ticker.url);
    expect((await h.apps.browserSource.request(ticker.pathname)).status).toBe(200);
    expect(page.text).toContain('The marketplace is not available');
  });

  it('regenerating a URL replaces it at browser-source', async () => {
    const before = (
      await call(h.apps.browserSource, 'GET', `/browser/source/api/communities/${penguins}/urls`)
    ).body.data.urls;
    await alice.get(`/community/${penguins}`);
    const res = await alice.post(`/community/${penguins}/browser-sources/media/regenerate`, {});
    expect(res.location).toBe(`/community/${penguins}#browser-sources`);
    const after = (
      await call(h.apps.browserSource, 'GET', `/browser/source/api/communities/${penguins}/urls`)
    ).body.data.urls;
    expect(after.media.url).not.toBe(before.media.url);
    expect(after.ticker.url).toBe(before.ticker.url);
    const page = await alice.follow(res);
    expect(page.text).toContain(after.media.url);
  });

  it('a mere member is sent back to the dashboard with "access denied" and cannot post either', async () => {
    const res = await bob.get(`/community/${penguins}`);
    expect(res.status).toBe(302);
    expect(res.location).toBe('/dashboard');
    const dash = await bob.follow(res);
    expect(dash.text).toMatch(/access denied/i);
    expect(dash.text).not.toContain(`href="/community/${penguins}"`);
    const before = (
      await call(h.apps.browserSource, 'GET', `/browser/source/api/communities/${penguins}/urls`)
    ).body.data.urls;
    const post = await bob.post(`/community/${penguins}/browser-sources/ticker/regenerate`, {});
    expect(post.location).toBe('/dashboard');
    const after = (
      await call(h.apps.browserSource, 'GET', `/browser/source/api/communities/${penguins}/urls`)
    ).body.data.urls;
    expect(after.ticker.url).toBe(before.ticker.url);
  });

  it('an unknown community is a 404 page', async () => {
    const res = await alice.get('/community/987654');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect((await alice.get('/community/abc')).status).toBe(404);
    expect((await alice.get('/community/0')).status).toBe(404);
  });

  it('state-changing posts need the CSRF token', async () => {
    const before = (
      await call(h.apps.browserSource, 'GET', `/browser/source/api/communities/${penguins}/urls`)
    ).body.data.urls;
    const res = await alice.post(
      `/community/${penguins}/browser-sources/general/regenerate`,
      { csrf_token: 'forged' },
      { csrf: false },
    );
    expect(res.status).toBe(403);
    const after = (
      await call(h.apps.browserSource, 'GET', `/browser/source/api/communities/${penguins}/urls`)
    ).body.data.urls;
    expect(after.general.url).toBe(before.general.url);
  });

  it('the JSON API: owner reads members by score; another user gets 403', async () => {
    const cookie = { Cookie: `wb_session=${alice.cookies.get('wb_session')}` };
    const members = await call(h.apps.portal, 'GET', `/api/community/${penguins}/members`, undefined, cookie);
    expect(members.status).toBe(200);
    expect(members.body.data.members.map((m: { user_id: string }) => m.user_id)).toEqual([bobUid, aliceUid]);
    expect(members.body.data.members[0].reputation.current_score).toBe(720);
    const bobCookie = { Cookie: `wb_session=${bob.cookies.get('wb_session')}` };
    const denied = await call(
      h.apps.portal,
      'GET',
      `/api/community/${penguins}/members`,
      undefined,
      bobCookie,
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    expect(
      (await call(h.apps.portal, 'GET', `/api/communities/${aliceUid}`, undefined, bobCookie)).status,
    ).toBe(403);
    const mine = await call(h.apps.portal, 'GET', `/api/communities/${aliceUid}`, undefined, cookie);
    expect(mine.body.data.communities.map((c: { name: string }) => c.name)).toEqual(['Penguins']);
    expect((await call(h.apps.portal, 'GET', '/api/community/987654/members')).status).toBe(404);
    const modules = await call(h.apps.portal, 'GET', `/api/community/${penguins}/modules`);
    expect(modules.status).toBe(200);
    expect(modules.body.data).toMatchObject({
      modules: { core: [], marketplace: [] },
      marketplace_available: false,
    });
  });
});

describe('§8.7.4 API keys', () => {
  it('a new key is shown once, listed by name afterwards, and revoking it makes identity refuse it', async () => {
    const web = await h.loggedIn('alice.owner@example.org', ALICE_PASSWORD);
    await web.get('/api_keys');
    const created = await web.post('/api_keys/create', { name: 'Stream <deck>', expires_in_days: '30' });
    expect(created.status).toBe(201);
    const key = /class="secret new-api-key">([^<]+)</.exec(created.text)![1]!;
    expect(key).toMatch(/^wbot_user_/);
    expect(created.text).toContain('Stream &lt;deck&gt;');
    expect(created.headers.get('cache-control')).toBe('no-store');
    const listing = await web.get('/api_keys');
    expect(listing.text).toContain('Stream &lt;deck&gt;');
    expect(listing.text).not.toContain(key);
    expect(
      (await call(h.apps.identity, 'GET', `/identity/user/${aliceUid}`, undefined, { 'X-API-Key': key }))
        .status,
    ).toBe(200);
    const keyId = /class="api-key" data-key-id="(\d+)"/.exec(listing.text)![1]!;
    const revoked = await web.post(`/api_keys/${keyId}/revoke`, {});
    expect(revoked.location).toBe('/api_keys');
    const after = await web.follow(revoked);
    expect(after.text).not.toContain('Stream &lt;deck&gt;');
    expect(
      (await call(h.apps.identity, 'GET', `/identity/user/${aliceUid}`, undefined, { 'X-API-Key': key }))
        .status,
    ).toBe(401);
    expect(h.rt.logLines.join('\n')).not.toContain(key);
  });

  it('bad input is refused with a message and creates nothing', async () => {
    const web = await h.loggedIn('alice.owner@example.org', ALICE_PASSWORD);
    await web.get('/api_keys');
    const res = await web.post('/api_keys/create', { name: 'x', expires_in_days: '99999' });
    expect(res.location).toBe('/api_keys');
    const page = await web.follow(res);
    expect(page.text).toContain('Expiry must be 1 to 3650 days.');
    expect(page.text).not.toContain('class="api-key"');
  });
});

describe('§8.7.5 health and platform admin', () => {
  it('/health answers without touching the database', async () => {
    const res = await h.apps.portal.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'healthy' });
    expect((await h.apps.portal.request('/healthz')).status).toBe(200);
  });

  it('/admin/users is 403 for a community owner who is not a platform admin', async () => {
    const web = await h.loggedIn('alice.owner@example.org', ALICE_PASSWORD);
    const res = await web.get('/admin/users');
    expect(res.status).toBe(403);
  });
});

describe('profile, identities and logout', () => {
  it('saves the profile through identity and escapes what it shows', async () => {
    const web = await h.loggedIn('alice.owner@example.org', ALICE_PASSWORD);
    await web.get('/profile');
    const saved = await web.post('/profile', {
      first_name: 'Alice',
      last_name: 'Penguin',
      display_name: '<img src=x onerror=alert(1)>',
    });
    expect(saved.location).toBe('/profile');
    const page = await web.follow(saved);
    expect(page.text).toContain('value="&lt;img src=x onerror=alert(1)&gt;"');
    expect(page.text).not.toContain('<img src=x');
    const long = await web.post('/profile', { display_name: 'x'.repeat(129) });
    expect(long.status).toBe(400);
  });

  it('lists linked identities and relays link requests to identity', async () => {
    const web = await h.loggedIn('alice.owner@example.org', ALICE_PASSWORD);
    const page = await web.get('/identity');
    expect(page.status).toBe(200);
    expect(page.text).toContain('class="identity"');
    expect(page.text).toContain('alice');
    expect(page.text).not.toMatch(/verification_code|name="code"/);
    const link = await web.post('/identity/link', {
      target_platform: 'discord',
      target_username: 'AliceDiscord',
    });
    expect(link.location).toBe('/identity');
    const after = await web.follow(link);
    expect(after.text).toContain('type !verify CODE on discord');
    expect(after.text).toContain('AliceDiscord');
    const unlinkLast = await web.post('/identity/unlink', { platform: 'twitch' });
    const shown = await web.follow(unlinkLast);
    expect(shown.text).toMatch(/class="flash error"/);
    const bogus = await web.post('/identity/link', { target_platform: 'myspace', target_username: 'x' });
    expect((await web.follow(bogus)).text).toContain('Choose Twitch, Discord or Slack.');
  });

  it('logout clears the session', async () => {
    const web = await h.loggedIn('alice.owner@example.org', ALICE_PASSWORD);
    const out = await web.get('/auth/logout');
    expect(out.location).toBe('/auth/login');
    expect(web.cookies.has('wb_session')).toBe(false);
    expect((await web.get('/dashboard')).location).toBe('/auth/login');
  });

  it('no password, JWT or service key ever reaches the logs', async () => {
    const logs = h.rt.logLines.join('\n');
    expect(logs).not.toContain(aliceTemp);
    expect(logs).not.toContain(ALICE_PASSWORD);
    expect(logs).not.toContain('eyJhbGciOi');
    expect(logs).not.toContain(serviceHeaders()['X-Service-Key']);
  });

  it('a tampered session cookie is ignored', async () => {
    const web = await h.loggedIn('alice.owner@example.org', ALICE_PASSWORD);
    const value = web.cookies.get('wb_session')!;
    web.cookies.set(
      'wb_session',
      value.replace(/^./, (ch) => (ch === 'a' ? 'b' : 'a')),
    );
    expect((await web.get('/dashboard')).location).toBe('/auth/login');
  });
});
