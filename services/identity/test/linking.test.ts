import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from '@waddlebot/core/testing';
import { moduleRequest } from '@waddlebot/core/testing';
import {
  CODE_PATTERN,
  SUBSCRIBERS,
  call,
  codeSentTo,
  eventually,
  json,
  jwtHeaders,
  serviceHeaders,
  startIdentity,
  type Harness,
} from './identity-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(async () => {
  await h.close();
});

const link = (source: { platform: string; id: string; name: string }, target: string, targetName: string) =>
  call(h.app, 'POST', '/identity/link', {
    source_platform: source.platform,
    source_platform_id: source.id,
    source_username: source.name,
    target_platform: target,
    target_username: targetName,
  });
const verify = (platform: string, id: string, name: string, code: string) =>
  call(h.app, 'POST', '/identity/verify', {
    platform,
    platform_id: id,
    platform_username: name,
    verification_code: code,
  });
const resolve = (platform: string, id: string, name: string) =>
  call(h.app, 'POST', '/identity/resolve', { platform, platform_user_id: id, user_name: name });
const resendDiscordCode = (userId: string) =>
  call(h.app, 'POST', '/identity/resend', { target_platform: 'discord' }, jwtHeaders(h, userId));
/** The first outbound DM to `userName` among those the router got after the first `after`. */
const firstDmTo = (userName: string, after: number) =>
  h.router
    .calls('POST', '/router/messages/outbound')
    .slice(after)
    .find((r) => r.json.user_name === userName)!;
const outboundCount = () => h.router.calls('POST', '/router/messages/outbound').length;
const clock = () => h.rt.clock as FakeClock;

describe('resolve (contracts §14)', () => {
  it('creates a user on first sight, then answers the same uid and follows renames', async () => {
    const first = await resolve('slack', 'U900', 'walrus');
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({ uid: expect.stringMatching(/^\d+$/), created: true });
    const again = await resolve('slack', 'U900', 'walrus_renamed');
    expect(again.body.data).toEqual({ uid: first.body.data.uid, created: false });
    const lookup = await call(h.app, 'GET', '/identity/platform/slack/U900');
    expect(lookup.body.data.platform_username).toBe('walrus_renamed');
    expect(lookup.body.data.username).toBe('slack-walrus');
  });

  it('suffixes clashing usernames and resolves concurrent first sights to one user', async () => {
    const a = await resolve('slack', 'U901', 'Walrus');
    expect((await call(h.app, 'GET', `/identity/user/${a.body.data.uid}`)).body.data.username).toBe(
      'slack-Walrus-2',
    );
    const many = await Promise.all(Array.from({ length: 5 }, () => resolve('discord', '4242', 'racer')));
    expect(new Set(many.map((r) => r.body.data.uid)).size).toBe(1);
    expect(many.filter((r) => r.body.data.created)).toHaveLength(1);
  });

  it('refuses bad input and missing credentials with the envelope', async () => {
    const bad = await call(h.app, 'POST', '/identity/resolve', {
      platform: 'myspace',
      platform_user_id: '1',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.success).toBe(false);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    const malformed = await call(h.app, 'POST', '/identity/resolve', '{nope');
    expect(malformed.status).toBe(400);
    const noKey = await call(
      h.app,
      'POST',
      '/identity/resolve',
      { platform: 'twitch', platform_user_id: '1' },
      json,
    );
    expect(noKey.status).toBe(401);
    const wrongKey = await call(
      h.app,
      'POST',
      '/identity/resolve',
      { platform: 'twitch', platform_user_id: '1' },
      serviceHeaders({ 'X-Service-Key': 'w'.repeat(40) }),
    );
    expect(wrongKey.status).toBe(401);
  });
});

describe('linking by verification code (§8.3 scenarios 1, 6, 2, 3)', () => {
  let U: string;
  let V: string;

  it('scenario 6 start: the Twitch account is seen first and gets its own uid', async () => {
    const first = await resolve('twitch', '999', 'alicetv');
    expect(first.body.data.created).toBe(true);
    V = first.body.data.uid;
    expect((await resolve('twitch', '999', 'alicetv')).body.data).toEqual({ uid: V, created: false });
  });

  it('scenario 1: link sends a code by DM through the router, verify links and merges', async () => {
    const before = outboundCount();
    const res = await link({ platform: 'discord', id: '111', name: 'alice' }, 'twitch', 'AliceTV');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ expires_in_minutes: 10, delivery: 'queued' });
    const dm = await eventually(() => h.router.calls('POST', '/router/messages/outbound')[before]);
    expect(dm.json).toMatchObject({
      platform: 'twitch',
      type: 'dm',
      user_name: 'AliceTV',
      module_name: 'identity',
    });
    expect(dm.json.idempotency_key).toMatch(/^identity:verification:\d+:0$/);
    expect(dm.headers['x-service-key']).toBeTruthy();
    expect(dm.json.text).toContain('alice');
    expect(dm.json.text).toContain('Discord');
    const code = CODE_PATTERN.exec(dm.json.text)![1]!;
    expect(dm.json.text).toContain(`!verify ${code}`);
    // The code never reaches the logs.
    expect(h.rt.logLines.some((l) => l.includes(code))).toBe(false);

    const pending = await eventually(async () => {
      const r = await call(
        h.app,
        'GET',
        `/identity/pending?user_id=${(await resolve('discord', '111', 'alice')).body.data.uid}`,
      );
      return r.body.data.pending[0]?.delivery_status === 'sent' ? r : undefined;
    });
    expect(pending.body.data.pending[0]).toMatchObject({
      target_platform: 'twitch',
      target_username: 'AliceTV',
      resend_count: 0,
    });

    const ok = await verify('twitch', '999', 'alicetv', ` ${code.toLowerCase()} `);
    expect(ok.status).toBe(200);
    U = ok.body.data.user_id;
    expect(U).not.toBe(V);
    expect(ok.body.data).toEqual({ user_id: U, platform: 'twitch', merged_uid: V });
    expect((await call(h.app, 'GET', '/identity/platform/twitch/999')).body.data.user_id).toBe(U);
    expect((await call(h.app, 'GET', '/identity/platform/discord/111')).body.data.user_id).toBe(U);
    expect((await resolve('twitch', '999', 'alicetv')).body.data).toEqual({ uid: U, created: false });
    const user = await call(h.app, 'GET', `/identity/user/${U}`);
    expect(user.body.data.identities.map((i: { platform: string }) => i.platform)).toEqual([
      'discord',
      'twitch',
    ]);
    expect(
      user.body.data.identities.find((i: { platform: string }) => i.platform === 'twitch')
        .verification_method,
    ).toBe('whisper');
    // The retired user is gone.
    expect((await call(h.app, 'GET', `/identity/user/${V}`)).status).toBe(404);
  });

  it('scenario 6: every subscriber is told about the merge', async () => {
    for (const name of SUBSCRIBERS) {
      const got = await eventually(() => h.subscribers[name].calls('POST', '/internal/user-merged')[0]);
      expect(got.json).toEqual({
        from_uid: V,
        into_uid: U,
        identities: [{ platform: 'twitch', platform_user_id: '999' }],
      });
      expect(got.headers['x-service-key']).toBeTruthy();
    }
  });

  it('scenario 2: wrong codes count, the fifth fails the code, and an expired code is refused', async () => {
    const start = outboundCount();
    expect((await link({ platform: 'discord', id: '222', name: 'bob' }, 'slack', 'bobslack')).status).toBe(
      200,
    );
    const code = await codeSentTo(h, 'bobslack', start);
    const wrong = code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    const first = await verify('slack', 'S22', 'bobslack', wrong);
    expect(first.status).toBe(400);
    expect(first.body.error.code).toBe('VALIDATION_ERROR');
    for (let i = 0; i < 4; i++) expect((await verify('slack', 'S22', 'BobSlack', wrong)).status).toBe(400);
    expect((await verify('slack', 'S22', 'bobslack', code)).status).toBe(400);
    expect((await call(h.app, 'GET', '/identity/platform/slack/S22')).status).toBe(404);

    const again = outboundCount();
    expect((await link({ platform: 'discord', id: '222', name: 'bob' }, 'slack', 'bobslack')).status).toBe(
      200,
    );
    const fresh = await codeSentTo(h, 'bobslack', again);
    clock().advance(11 * 60_000);
    expect((await verify('slack', 'S22', 'bobslack', fresh)).status).toBe(400);
  });

  it('scenario 3: an account owned by a user with another identity is refused; same platform is 400', async () => {
    const start = outboundCount();
    expect(
      (await link({ platform: 'discord', id: '333', name: 'mallory' }, 'twitch', 'AliceTV')).status,
    ).toBe(200);
    const code = await codeSentTo(h, 'AliceTV', start);
    const res = await verify('twitch', '999', 'AliceTV', code);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect((await call(h.app, 'GET', '/identity/platform/twitch/999')).body.data.user_id).toBe(U);
    const same = await link({ platform: 'discord', id: '333', name: 'mallory' }, 'discord', 'someone');
    expect(same.status).toBe(400);
    const missing = await call(h.app, 'POST', '/identity/link', {
      source_platform: 'discord',
      source_platform_id: '333',
      target_platform: 'twitch',
    });
    expect(missing.status).toBe(400);
  });

  it('refuses a second account on a platform the user already linked (409)', async () => {
    const res = await link({ platform: 'discord', id: '111', name: 'alice' }, 'twitch', 'AliceAlt');
    expect(res.status).toBe(409);
  });

  it('scenario 5: unlink as the user, never the last identity', async () => {
    const asU = jwtHeaders(h, U);
    const unlinked = await call(h.app, 'DELETE', '/identity/unlink', { platform: 'twitch' }, asU);
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.data).toEqual({ unlinked: 'twitch' });
    expect((await call(h.app, 'GET', '/identity/platform/twitch/999')).status).toBe(404);
    const again = await call(h.app, 'DELETE', '/identity/unlink', { platform: 'twitch' }, asU);
    expect(again.status).toBe(404);
    const last = await call(h.app, 'DELETE', '/identity/unlink', { platform: 'discord' }, asU);
    expect(last.status).toBe(409);
    expect((await call(h.app, 'GET', '/identity/platform/discord/111')).body.data.user_id).toBe(U);
  });
});

describe('pending and resend', () => {
  it('resends a new code after the cooldown, per user only', async () => {
    const owner = (await resolve('twitch', '5001', 'carol')).body.data.uid;
    const other = (await resolve('twitch', '5002', 'dave')).body.data.uid;
    const start = outboundCount();
    expect(
      (
        await call(
          h.app,
          'POST',
          '/identity/link',
          { target_platform: 'discord', target_username: 'carol#1' },
          jwtHeaders(h, owner),
        )
      ).status,
    ).toBe(200);
    const firstCode = await codeSentTo(h, 'carol#1', start);
    const dm = firstDmTo('carol#1', start);
    expect(dm.json.text).toContain('WaddleBot user twitch-carol');

    const early = await resendDiscordCode(owner);
    expect(early.status).toBe(429);
    expect(early.headers.get('Retry-After')).toBeTruthy();
    clock().advance(61_000);
    const none = await resendDiscordCode(other);
    expect(none.status).toBe(404);
    const before = outboundCount();
    const resent = await resendDiscordCode(owner);
    expect(resent.status).toBe(200);
    expect(resent.body.data).toEqual({ expires_in_minutes: 10 });
    const secondCode = await codeSentTo(h, 'carol#1', before);
    const second = firstDmTo('carol#1', before);
    expect(second.json.idempotency_key).toMatch(/:1$/);

    const mine = await call(h.app, 'GET', '/identity/pending', undefined, jwtHeaders(h, owner));
    expect(mine.body.data.pending).toHaveLength(1);
    expect(mine.body.data.pending[0].resend_count).toBe(1);
    const theirs = await call(h.app, 'GET', '/identity/pending', undefined, jwtHeaders(h, other));
    expect(theirs.body.data.pending).toEqual([]);
    const svcNoUser = await call(h.app, 'GET', '/identity/pending');
    expect(svcNoUser.status).toBe(400);

    if (firstCode !== secondCode)
      expect((await verify('discord', '7007', 'carol#1', firstCode)).status).toBe(400);
    const done = await verify('discord', '7007', 'carol#1', secondCode);
    expect(done.status).toBe(200);
    expect(done.body.data.user_id).toBe(owner);
    expect(done.body.data.merged_uid).toBeUndefined();
  });

  it('marks a DM the router cannot deliver as failed', async () => {
    h.router.on('POST', '/router/messages/outbound', (req) =>
      req.json?.user_name === 'ghost'
        ? {
            status: 404,
            body: { success: false, error: { code: 'NOT_FOUND', message: 'DM recipient not found' } },
          }
        : { status: 200, body: { success: true, outbound_id: 'o2', duplicate: false } },
    );
    const uid = (await resolve('discord', '8008', 'eve')).body.data.uid;
    expect((await link({ platform: 'discord', id: '8008', name: 'eve' }, 'twitch', 'ghost')).status).toBe(
      200,
    );
    const failed = await eventually(async () => {
      const r = await call(h.app, 'GET', `/identity/pending?user_id=${uid}`);
      return r.body.data.pending[0]?.delivery_status === 'failed' ? r : undefined;
    });
    expect(failed.body.data.pending[0].target_username).toBe('ghost');
    expect(
      h.router.calls('POST', '/router/messages/outbound').filter((r) => r.json.user_name === 'ghost'),
    ).toHaveLength(1);
  });
});

describe('chat commands (§3.5)', () => {
  const chat = (platform: string, id: string, name: string, message: string) =>
    call(
      h.app,
      'POST',
      '/router/command',
      moduleRequest(message, {
        entity: platform === 'twitch' ? 'twitch:1' : platform === 'discord' ? 'discord:G1:C1' : 'slack:T1:C1',
        user: { id, name, uid: null },
      }),
    );

  it('links, verifies, reports status and whoami', async () => {
    const hint = await chat('slack', 'UA1', 'frank', '!identity link twitch');
    expect(hint.body).toMatchObject({ success: false, error_code: 'USAGE', module_name: 'identity' });
    const unknown = await chat('slack', 'UA1', 'frank', '!identity link myspace frank');
    expect(unknown.body.success).toBe(false);

    const alone = await chat('slack', 'UA1', 'frank', '!whoami');
    expect(alone.body.chat_message).toContain('not linked yet');

    const start = outboundCount();
    const linked = await chat('slack', 'UA1', 'frank', '!identity link twitch FrankTV');
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ success: true, response_action: 'chat' });
    expect(linked.body.chat_message).toContain('10 min');
    const code = await codeSentTo(h, 'FrankTV', start);

    const status = await chat('slack', 'UA1', 'frank', '!identity status');
    expect(status.body.chat_message).toContain('Slack (frank)');
    expect(status.body.chat_message).toContain('Twitch (FrankTV)');

    const wrong = await chat('twitch', '6006', 'franktv', '!verify ZZZZZZ');
    expect(wrong.body).toMatchObject({ success: false });
    expect(wrong.body.chat_message).toContain('invalid or expired');
    const right = await chat('twitch', '6006', 'franktv', `!verify ${code.toLowerCase()}`);
    expect(right.body.success).toBe(true);
    expect(right.body.chat_message).toContain('Verified');

    const who = await chat('twitch', '6006', 'franktv', '!whoami');
    expect(who.body.chat_message).toContain('Slack (frank)');
    expect(who.body.chat_message).toContain('Twitch (franktv)');

    const unlinked = await chat('twitch', '6006', 'franktv', '!identity unlink slack');
    expect(unlinked.body.success).toBe(true);
    const last = await chat('twitch', '6006', 'franktv', '!identity unlink twitch');
    expect(last.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
  });

  it('answers a usage hint and refuses requests without the service key', async () => {
    expect((await chat('twitch', '1', 'x', '!identity')).body.error_code).toBe('USAGE');
    expect((await chat('twitch', '1', 'x', '!verify')).body.error_code).toBe('USAGE');
    const noKey = await call(h.app, 'POST', '/router/command', moduleRequest('!whoami'), json);
    expect(noKey.status).toBe(401);
    const bad = await call(h.app, 'POST', '/router/command', { command: 'whoami' });
    expect(bad.status).toBe(400);
  });

  it('seeds !identity, !verify and !whoami with the router', async () => {
    const rows = await eventually(() => {
      const calls = h.router.calls('POST', '/router/admin/commands');
      return calls.length >= 3 ? calls : undefined;
    });
    expect(rows.map((r) => r.json.command).sort()).toEqual(['identity', 'verify', 'whoami']);
    for (const r of rows) {
      expect(r.json.location_url).toMatch(/\/router\/command$/);
      expect(r.json).toMatchObject({ module_name: 'identity', location: 'internal', type: 'container' });
    }
  });
});

describe('stats', () => {
  it('counts users, identities and pending codes (service key only)', async () => {
    const res = await call(h.app, 'GET', '/identity/stats');
    expect(res.status).toBe(200);
    expect(res.body.data.total_users).toBeGreaterThan(3);
    expect(res.body.data.multi_platform_users).toBeGreaterThanOrEqual(1);
    expect(Object.keys(res.body.data.platforms).sort()).toEqual(['discord', 'slack', 'twitch']);
    expect((await call(h.app, 'GET', '/identity/stats', undefined, jwtHeaders(h, '1'))).status).toBe(401);
  });
});

describe('readiness', () => {
  it('reports an unreachable router as degraded, never unready', async () => {
    const res = await call(h.app, 'GET', '/readyz', undefined, {});
    expect(res.status).toBe(200);
    expect(res.body.checks).toMatchObject({ database: 'ok', router: 'degraded' });
    expect((await call(h.app, 'GET', '/health', undefined, {})).status).toBe(200);
  });
});
