import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signJwt } from '@waddlebot/core';
import { TEST_SECRET_KEY, call, createMemoryLogger } from '@waddlebot/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../src/mailer.js';
import { startPortalHarness, type PortalHarness } from './portal-harness.js';
import { startSmtpStub } from './smtp-stub.js';
import { WebClient } from './web-client.js';

let h: PortalHarness;
let ownerUid: string;
let walrus: number;
const OWNER_PASSWORD = 'Walrus-Tusks-2026';

beforeAll(async () => {
  h = await startPortalHarness({ SESSION_TTL: '3600' }, { marketplace: true });
  ownerUid = await h.resolve('discord', '8080', 'wally');
  const wally = { id: '8080', name: 'wally', uid: ownerUid };
  expect((await h.chat(wally, '!community create Walrus Club', 'discord:77:88')).success).toBe(true);
  walrus = await h.communityIdByName(ownerUid, 'Walrus Club');
  const { password } = await h.onboard('discord', '8080', 'wally', 'wally@example.net');
  await h.loggedIn('wally@example.net', password, OWNER_PASSWORD);
  // 30 members so the member list needs two pages.
  for (let i = 1; i <= 30; i++)
    expect(
      (
        await call(
          h.apps.community,
          'PUT',
          `/communities/${walrus}/members/twitch:m${String(i).padStart(2, '0')}`,
          { role: 'member' },
        )
      ).status,
    ).toBe(200);
  const admin = {
    Authorization: `Bearer ${signJwt({ sub: '1', username: 'root', roles: ['admin'] }, TEST_SECRET_KEY, { now: h.clock.now() })}`,
    'Content-Type': 'application/json',
  };
  const created = await call(
    h.apps.marketplace!,
    'POST',
    '/marketplace/modules',
    {
      module_id: 'trivia',
      display_name: 'Trivia <Night>',
      version: '2.1.0',
      author: 'tests',
      category: 'games',
    },
    admin,
  );
  expect(created.status).toBe(201);
  expect(
    (await call(h.apps.marketplace!, 'PUT', '/marketplace/modules/trivia', { is_published: true }, admin))
      .status,
  ).toBe(200);
});
afterAll(async () => {
  await h?.close();
});

describe('modules through marketplace', () => {
  it('installs, disables, enables and uninstalls a module as the logged-in owner', async () => {
    const web = await h.loggedIn('wally@example.net', OWNER_PASSWORD);
    await web.get(`/community/${walrus}`);
    const bad = await web.post(`/community/${walrus}/modules/install`, { module_id: 'X!' });
    expect((await web.follow(bad)).text).toContain('A module id is 3–100 characters');

    const installed = await web.post(`/community/${walrus}/modules/install`, { module_id: 'trivia' });
    expect(installed.location).toBe(`/community/${walrus}#modules`);
    const page = await web.follow(installed);
    expect(page.text).toContain('Module trivia installed.');
    expect(page.text).toContain('data-module-id="trivia"');
    expect(page.text).toContain('Trivia &lt;Night&gt;');

    const cookie = { Cookie: `wb_session=${web.cookies.get('wb_session')}` };
    const listed = await call(h.apps.portal, 'GET', `/api/community/${walrus}/modules`, undefined, cookie);
    expect(listed.status).toBe(200);
    expect(listed.body.data.marketplace_available).toBe(true);
    expect(listed.body.data.modules.marketplace).toEqual([
      expect.objectContaining({
        id: 'trivia',
        module_type: 'marketplace',
        version: '2.1.0',
        is_active: true,
      }),
    ]);

    const again = await web.post(`/community/${walrus}/modules/install`, { module_id: 'trivia' });
    expect((await web.follow(again)).text).toMatch(/class="flash error"[^>]*>[^<]*already installed/i);

    const off = await web.post(`/community/${walrus}/modules/trivia/toggle`, { enabled: 'false' });
    expect((await web.follow(off)).text).toContain('Module trivia updated.');
    const removed = await web.post(`/community/${walrus}/modules/trivia/uninstall`, {});
    expect((await web.follow(removed)).text).toContain('Module trivia uninstalled.');
    const after = await call(h.apps.portal, 'GET', `/api/community/${walrus}/modules`, undefined, cookie);
    expect(after.body.data.modules.marketplace).toEqual([]);
  });
});

describe('another community', () => {
  it("an owner of one community cannot see or change another community's admin pages", async () => {
    const carlUid = await h.resolve('twitch', '6060', 'carl');
    const carl = { id: '6060', name: 'carl', uid: carlUid };
    expect((await h.chat(carl, '!community create Seal Rock', 'twitch:6060')).success).toBe(true);
    const sealRock = await h.communityIdByName(carlUid, 'Seal Rock');
    const web = await h.loggedIn('wally@example.net', OWNER_PASSWORD);
    const page = await web.get(`/community/${sealRock}`);
    expect(page.location).toBe('/dashboard');
    expect((await web.follow(page)).text).toMatch(/access denied/i);
    const install = await web.post(`/community/${sealRock}/modules/install`, { module_id: 'trivia' });
    expect(install.location).toBe('/dashboard');
    const modules = await call(h.apps.marketplace!, 'GET', `/marketplace/community/${sealRock}/modules`);
    expect(modules.body.data.modules.map((m: { module_id: string }) => m.module_id)).not.toContain('trivia');
    const cookie = { Cookie: `wb_session=${web.cookies.get('wb_session')}` };
    for (const path of [
      `/api/community/${sealRock}/members`,
      `/api/community/${sealRock}/modules`,
      `/api/communities/${carlUid}`,
    ])
      expect((await call(h.apps.portal, 'GET', path, undefined, cookie)).status, path).toBe(403);

    // Made an admin of Seal Rock, the same user gets in (§7.1: owner or admin).
    expect(
      (await call(h.apps.community, 'PUT', `/communities/${sealRock}/members/${ownerUid}`, { role: 'admin' }))
        .status,
    ).toBe(200);
    expect((await web.get(`/community/${sealRock}`)).status).toBe(200);
    expect((await web.get('/dashboard')).text).toContain(`href="/community/${sealRock}"`);
  });
});

describe('unknown paths', () => {
  it('are an HTML page for browsers and an envelope for API clients', async () => {
    const page = await h.apps.portal.request('/no/such/page', { headers: { Accept: 'text/html,*/*' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('There is no such page.');
    const api = await call(h.apps.portal, 'GET', '/api/nothing');
    expect(api.status).toBe(404);
    expect(api.body.error.code).toBe('NOT_FOUND');
  });
});

describe('members tab', () => {
  it('pages 25 at a time and searches by user id', async () => {
    const web = await h.loggedIn('wally@example.net', OWNER_PASSWORD);
    const first = await web.get(`/community/${walrus}`);
    expect([...first.text.matchAll(/class="member" /g)]).toHaveLength(25);
    expect(first.text.replace(/\s+/g, ' ')).toContain('Page 1 of 2 (31 members)');
    const second = await web.get(`/community/${walrus}?page=2`);
    expect([...second.text.matchAll(/class="member" /g)]).toHaveLength(6);
    const found = await web.get(`/community/${walrus}?q=m1`);
    const ids = [...found.text.matchAll(/class="member" data-user-id="([^"]+)"/g)].map((m) => m[1]).sort();
    expect(ids).toEqual([
      'twitch:m10',
      'twitch:m11',
      'twitch:m12',
      'twitch:m13',
      'twitch:m14',
      'twitch:m15',
      'twitch:m16',
      'twitch:m17',
      'twitch:m18',
      'twitch:m19',
    ]);
    const hostile = await web.get(`/community/${walrus}?q=${encodeURIComponent('"><script>x</script>')}`);
    expect(hostile.text).not.toContain('<script>x</script>');
    expect(hostile.text).toContain('&quot;&gt;&lt;script&gt;');
  });
});

describe('sessions', () => {
  it('end after SESSION_TTL', async () => {
    const web = await h.loggedIn('wally@example.net', OWNER_PASSWORD);
    expect((await web.get('/dashboard')).status).toBe(200);
    h.clock.advance(3600_000 + 1000);
    expect((await web.get('/dashboard')).location).toBe('/auth/login');
  });

  it('an OAuth callback hands the token over by a CSRF-protected POST', async () => {
    const web = new WebClient(h.apps.portal);
    const page = await web.get('/auth/oauth_callback/discord');
    expect(page.status).toBe(200);
    expect(page.text).toContain('action="/auth/oauth_callback/discord"');
    const forged = await web.post('/auth/oauth_callback/discord', { token: 'not-a-jwt' });
    expect(forged.location).toBe('/auth/login');
    expect(web.cookies.has('wb_session')).toBe(false);
    await web.get('/auth/oauth_callback/discord');
    const token = signJwt({ sub: ownerUid, username: 'wally', roles: [] }, TEST_SECRET_KEY, {
      now: h.clock.now(),
    });
    const done = await web.post('/auth/oauth_callback/discord', { token });
    expect(done.location).toBe('/dashboard');
    expect((await web.follow(done)).text).toContain('Walrus Club');
    const refused = await web.get('/auth/oauth_callback/discord?error=access_denied');
    expect(refused.location).toBe('/auth/login');
    expect((await new WebClient(h.apps.portal).get('/auth/oauth/myspace')).status).toBe(404);
  });

  it('a platform admin reaches /admin/users and any community page', async () => {
    const web = new WebClient(h.apps.portal);
    await web.get('/auth/oauth_callback/twitch');
    const rootUid = await h.resolve('slack', 'T1-U1', 'root');
    const token = signJwt({ sub: rootUid, username: 'root', roles: ['admin'] }, TEST_SECRET_KEY, {
      now: h.clock.now(),
    });
    await web.post('/auth/oauth_callback/twitch', { token });
    const admin = await web.get('/admin/users');
    expect(admin.status).toBe(200);
    expect(admin.text).toContain('wally@example.net');
    expect((await web.get(`/community/${walrus}`)).status).toBe(200);
  });

  it('/admin/users lists and searches users through identity and toggles them with CSRF-protected forms', async () => {
    const web = new WebClient(h.apps.portal);
    await web.get('/auth/oauth_callback/twitch');
    const rootUid = await h.resolve('slack', 'T1-U2', 'root2');
    const token = signJwt({ sub: rootUid, username: 'root2', roles: ['admin'] }, TEST_SECRET_KEY, {
      now: h.clock.now(),
    });
    await web.post('/auth/oauth_callback/twitch', { token });
    const { password } = await h.onboard('discord', '9191', 'tusky', 'tusky@example.net');
    const found = await web.get('/admin/users?q=TUSKY%40example');
    expect(found.status).toBe(200);
    const rows = found.text.match(/<tr class="user">/g) ?? [];
    expect(rows).toHaveLength(1);
    expect(found.text).toContain('tusky@example.net');
    expect(found.text).not.toContain('wally@example.net');
    const tuskyUid = /<td>(\d+)<\/td>\s*<td>discord-tusky<\/td>/.exec(found.text)?.[1];
    expect(tuskyUid).toBeDefined();

    const forged = await web.post(`/admin/users/${tuskyUid}/active`, { is_active: 'false' }, { csrf: false });
    expect(forged.status).toBe(403);
    expect((await web.get('/admin/users?q=tusky')).text).toContain('Deactivate');

    const off = await web.post(`/admin/users/${tuskyUid}/active`, { is_active: 'false' });
    expect(off.location).toBe('/admin/users');
    const after = await web.get('/admin/users?q=tusky');
    expect(after.text).toContain(`User ${tuskyUid} updated.`);
    expect(after.text).toContain('Activate</button>');
    // Deactivated at identity: the mailed temporary password no longer logs in.
    const login = await call(h.apps.identity, 'POST', '/auth/login', {
      username: 'tusky@example.net',
      password,
    });
    expect(login.status).toBe(401);

    await web.get('/admin/users?q=tusky');
    await web.post(`/admin/users/${tuskyUid}/active`, { is_active: 'true' });
    const self = await web.follow(await web.post(`/admin/users/${rootUid}/active`, { is_active: 'false' }));
    expect(self.text).toContain('You cannot deactivate your own account.');
    expect((await call(h.apps.identity, 'GET', '/identity/users?search=root2')).body.data[0].is_active).toBe(
      true,
    );
    const back = await call(h.apps.identity, 'POST', '/auth/login', {
      username: 'tusky@example.net',
      password,
    });
    expect(back.status).toBe(200);
  });

  it('/admin/users pages 25 users at a time', async () => {
    for (let i = 0; i < 30; i++) await h.resolve('twitch', `pg${i}`, `pager${String(i).padStart(2, '0')}`);
    const web = new WebClient(h.apps.portal);
    await web.get('/auth/oauth_callback/twitch');
    const rootUid = await h.resolve('slack', 'T1-U3', 'root3');
    await web.post('/auth/oauth_callback/twitch', {
      token: signJwt({ sub: rootUid, username: 'root3', roles: ['admin'] }, TEST_SECRET_KEY, {
        now: h.clock.now(),
      }),
    });
    const first = await web.get('/admin/users?q=pager');
    expect(first.text.match(/<tr class="user">/g)).toHaveLength(25);
    expect(first.text).toContain('30 users');
    expect(first.text).toContain('href="/admin/users?q=pager&amp;page=2"');
    const second = await web.get('/admin/users?q=pager&page=2');
    expect(second.text.match(/<tr class="user">/g)).toHaveLength(5);
    expect(second.text).toContain('twitch-pager29');
  });
});

describe('mailer', () => {
  it('refuses to send over a server without STARTTLS when SMTP_TLS is on', async () => {
    const stub = await startSmtpStub();
    const logger = createMemoryLogger();
    try {
      const mailer = createMailer({
        logger: logger.logger,
        outboxDir: null,
        smtp: {
          host: '127.0.0.1',
          port: stub.port,
          tls: true,
          from: 'p@example.net',
          timeoutMs: 5000,
          username: 'u',
          password: 'smtp-secret-pw',
        },
      });
      expect(await mailer.send({ to: 'a@example.net', subject: 's', text: 'Temporary password: abc' })).toBe(
        false,
      );
      expect(stub.mails).toHaveLength(0);
      const plain = createMailer({
        logger: logger.logger,
        outboxDir: null,
        smtp: { host: '127.0.0.1', port: stub.port, tls: false, from: 'p@example.net', timeoutMs: 5000 },
      });
      expect(await plain.send({ to: 'a@example.net', subject: 's', text: '.leading dot\nline two' })).toBe(
        true,
      );
      expect(stub.mails[0]!.data).toContain('\r\n.leading dot\r\nline two');
    } finally {
      await stub.close();
    }
  });

  it('without SMTP_HOST writes the mail to the development outbox, not the log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portal-outbox-'));
    const logger = createMemoryLogger();
    const mailer = createMailer({ logger: logger.logger, outboxDir: dir, smtp: null });
    expect(
      await mailer.send({
        to: 'b@example.net',
        subject: 'Hello',
        text: 'Temporary password: Zq8-very-secret',
      }),
    ).toBe(true);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(await readFile(join(dir, files[0]!), 'utf8')).toContain('Zq8-very-secret');
    expect(JSON.stringify(logger.lines)).not.toContain('Zq8-very-secret');
  });
});
