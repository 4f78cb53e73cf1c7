import { describe, expect, it } from 'vitest';
import {
  call,
  twitchEventSubHeaders,
  type FakeClock,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import {
  useReceiverHarness,
  type StartedReceiver,
} from '../../../libs/core/test/receiver/receiver-harness.js';
import {
  itKeepsSecretsOutOfTheLog,
  itStartsWithoutPlatformCredentials,
} from '../../../libs/core/test/receiver/receiver-contract.js';
import { BOT_ID, EVENTSUB_SECRET, chatEvent, playTwitch, twitchEnv } from './fixtures.js';

let rt: TestRuntime;
let router: FakeServer;
let twitch: FakeServer;
let svc: StartedReceiver<typeof service>;
let idle: () => Promise<void>;

useReceiverHarness({
  service,
  env: twitchEnv,
  playPlatform: playTwitch,
  seed: async (h) => {
    const added = await call(h.svc.app, 'POST', '/twitch/api/channels', {
      broadcaster_id: '1001',
      channel_name: 'alicetv',
    });
    expect(added.status).toBe(201);
  },
  started: (h) => ({ rt, router, platform: twitch, svc, idle } = h),
});

const clock = () => rt.clock as FakeClock;

function signed(
  payload: unknown,
  opts: {
    type?: 'notification' | 'webhook_callback_verification' | 'revocation';
    messageId?: string;
    timestamp?: string;
  } = {},
) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const subscriptionType = (payload as { subscription?: { type?: string } }).subscription?.type;
  return {
    body,
    headers: twitchEventSubHeaders({
      secret: EVENTSUB_SECRET,
      body,
      timestamp: opts.timestamp ?? clock().now().toISOString(),
      type: opts.type,
      messageId: opts.messageId,
      subscriptionType,
    }),
  };
}

async function deliver(req: { body: string; headers: Record<string, string> }) {
  const res = await svc.app.request('/twitch/webhook', {
    method: 'POST',
    headers: req.headers,
    body: req.body,
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

async function eventRows(eventId?: string) {
  let q = svc.deps.db.selectFrom('twitch_events').selectAll();
  if (eventId) q = q.where('event_id', '=', eventId);
  return q.execute();
}

describe('POST /twitch/webhook: verification', () => {
  it('scenario 1: answers the challenge as text/plain and enables the subscription row', async () => {
    const payload = {
      challenge: 'abc',
      subscription: {
        id: 'sub-v1',
        type: 'channel.follow',
        version: '2',
        status: 'webhook_callback_verification_pending',
        condition: { broadcaster_user_id: '1001' },
      },
    };
    const res = await deliver(signed(payload, { type: 'webhook_callback_verification' }));
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.text).toBe('abc');
    const row = await svc.deps.db
      .selectFrom('twitch_subscriptions')
      .selectAll()
      .where('subscription_id', '=', 'sub-v1')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('enabled');
    expect(row.channel_id).not.toBeNull();
  });

  it('scenario 2: one altered byte of the signature → 403, nothing stored or forwarded', async () => {
    const req = signed(chatEvent({ text: '!so @bob', messageId: 'bad-sig' }), { messageId: 'bad-sig' });
    const sig = req.headers['Twitch-Eventsub-Message-Signature']!;
    req.headers['Twitch-Eventsub-Message-Signature'] = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    const res = await deliver(req);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).error.code).toBe('FORBIDDEN');
    await idle();
    expect(await eventRows('bad-sig')).toHaveLength(0);
    expect(router.requests).toHaveLength(0);
  });

  it('missing signature headers → 403', async () => {
    const req = signed(chatEvent({ text: 'hi', messageId: 'no-headers' }), { messageId: 'no-headers' });
    delete req.headers['Twitch-Eventsub-Message-Signature'];
    expect((await deliver(req)).status).toBe(403);
    expect(await eventRows('no-headers')).toHaveLength(0);
  });

  it('scenario 3: correctly signed but 11 minutes old → 403; more than 60 s ahead → 403', async () => {
    const old = new Date(clock().nowMs() - 11 * 60_000).toISOString();
    expect(
      (
        await deliver(
          signed(chatEvent({ text: 'hi', messageId: 'stale' }), { messageId: 'stale', timestamp: old }),
        )
      ).status,
    ).toBe(403);
    const ahead = new Date(clock().nowMs() + 90_000).toISOString();
    expect(
      (
        await deliver(
          signed(chatEvent({ text: 'hi', messageId: 'future' }), { messageId: 'future', timestamp: ahead }),
        )
      ).status,
    ).toBe(403);
    const nineMinutes = new Date(clock().nowMs() - 9 * 60_000).toISOString();
    expect(
      (
        await deliver(
          signed(chatEvent({ text: 'hi', messageId: 'nine' }), { messageId: 'nine', timestamp: nineMinutes }),
        )
      ).status,
    ).toBe(204);
    await idle();
    expect(await eventRows('stale')).toHaveLength(0);
    expect(await eventRows('future')).toHaveLength(0);
  });

  it('valid signature over a body that is not usable → 400 VALIDATION_ERROR naming the field; nothing stored', async () => {
    const refused = async (req: { body: string; headers: Record<string, string> }) => {
      const res = await deliver(req);
      const body = JSON.parse(res.text);
      expect([res.status, body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
      return body.error.details.map((d: { path: string }) => d.path);
    };
    expect(await refused(signed('{not json', { messageId: 'garbled' }))).toEqual(['']);
    expect(await refused(signed('[1,2]', { messageId: 'array' }))).toEqual(['']);
    const weird = signed(chatEvent({ text: 'x', messageId: 'weird' }), { messageId: 'weird' });
    weird.headers['Twitch-Eventsub-Message-Type'] = 'surprise';
    expect(await refused(weird)).toEqual(['Twitch-Eventsub-Message-Type']);
    expect(await refused(signed({ event: {} }, { messageId: 'no-sub' }))).toEqual(['subscription.id']);
    const noEvent = { subscription: chatEvent({ text: 'x' }).subscription };
    expect(await refused(signed(noEvent, { messageId: 'no-event' }))).toEqual(['event']);
    expect(
      await refused(signed(noEvent, { messageId: 'no-challenge', type: 'webhook_callback_verification' })),
    ).toEqual(['challenge']);
    for (const id of ['garbled', 'array', 'weird', 'no-sub', 'no-event'])
      expect(await eventRows(id)).toEqual([]);
    await idle();
    expect(router.requests).toHaveLength(0);
  });

  it('revocation sets the row status from the payload', async () => {
    await deliver(
      signed(
        {
          challenge: 'x',
          subscription: {
            id: 'sub-rev',
            type: 'stream.online',
            status: 'x',
            condition: { broadcaster_user_id: '1001' },
          },
        },
        { type: 'webhook_callback_verification' },
      ),
    );
    const res = await deliver(
      signed(
        {
          subscription: {
            id: 'sub-rev',
            type: 'stream.online',
            status: 'authorization_revoked',
            condition: { broadcaster_user_id: '1001' },
          },
        },
        { type: 'revocation' },
      ),
    );
    expect(res.status).toBe(204);
    const row = await svc.deps.db
      .selectFrom('twitch_subscriptions')
      .select('status')
      .where('subscription_id', '=', 'sub-rev')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('authorization_revoked');
  });
});

describe('POST /twitch/webhook: notifications', () => {
  it('scenario 5: !so @bob is acknowledged 204, forwarded as a RouterEvent and answered in Helix chat', async () => {
    const res = await deliver(
      signed(chatEvent({ text: '!so @bob', messageId: 'm1', badges: ['subscriber', 'vip'] }), {
        messageId: 'm1',
      }),
    );
    expect(res.status).toBe(204);
    await idle();
    const forwarded = router.calls('POST', '/router/events');
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]!.headers['x-service-key']).toBeDefined();
    expect(forwarded[0]!.json).toMatchObject({
      platform: 'twitch',
      server_id: '1001',
      channel_id: '',
      user_id: '555',
      user_name: 'alice',
      display_name: 'Alice',
      message_content: '!so @bob',
      message_type: 'chatMessage',
      event_id: 'm1',
      metadata: {
        message_id: 'm1',
        broadcaster_login: 'alicetv',
        platform_role: 'vip',
        badges: ['subscriber', 'vip'],
      },
      reply_context: { broadcaster_id: '1001', message_id: 'm1' },
    });
    const posts = twitch.calls('POST', '/helix/chat/messages');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.json).toEqual({
      broadcaster_id: '1001',
      sender_id: BOT_ID,
      message: 'bob is awesome, go follow!',
      reply_parent_message_id: 'm1',
    });
    expect(posts[0]!.headers.authorization).toMatch(/^Bearer app-token-/);
    expect(posts[0]!.headers['client-id']).toBe('cid');
    const [row] = await eventRows('m1');
    expect(row).toMatchObject({
      event_type: 'channel.chat.message',
      broadcaster_user_id: '1001',
      user_id: '555',
      processed: true,
    });
  });

  it('scenario 4: a replayed message id → both 204, one row, one router call, one chat post', async () => {
    const req = signed(chatEvent({ text: '!so @carol', messageId: 'replay-1' }), { messageId: 'replay-1' });
    expect((await deliver(req)).status).toBe(204);
    expect((await deliver(req)).status).toBe(204);
    await idle();
    expect(await eventRows('replay-1')).toHaveLength(1);
    expect(router.calls('POST', '/router/events')).toHaveLength(1);
    expect(twitch.calls('POST', '/helix/chat/messages')).toHaveLength(1);
  });

  it('the unique event row still catches a replay after the dedup key expired', async () => {
    const req = signed(chatEvent({ text: 'hello', messageId: 'replay-2' }), { messageId: 'replay-2' });
    await deliver(req);
    await idle();
    await svc.deps.state.kv.del('waddlebot:twitch:delivery:replay-2');
    expect((await deliver(req)).status).toBe(204);
    await idle();
    expect(router.calls('POST', '/router/events')).toHaveLength(1);
  });

  it('maps badges to the ladder: broadcaster → owner, founder → subscriber, none → omitted', async () => {
    await deliver(
      signed(chatEvent({ text: 'a', messageId: 'b1', badges: ['broadcaster', 'moderator'] }), {
        messageId: 'b1',
      }),
    );
    await deliver(
      signed(chatEvent({ text: 'b', messageId: 'b2', badges: ['founder'] }), { messageId: 'b2' }),
    );
    await deliver(signed(chatEvent({ text: 'c', messageId: 'b3' }), { messageId: 'b3' }));
    await idle();
    const roles = Object.fromEntries(
      router
        .calls('POST', '/router/events')
        .map((r) => [r.json.event_id, r.json.metadata.platform_role ?? null]),
    );
    expect(roles).toEqual({ b1: 'owner', b2: 'subscriber', b3: null });
  });

  it('ignores the bot’s own chat messages but logs them', async () => {
    await deliver(
      signed(chatEvent({ text: '!so @bob', messageId: 'own', chatter: BOT_ID }), { messageId: 'own' }),
    );
    await idle();
    expect(await eventRows('own')).toHaveLength(1);
    expect(router.requests).toHaveLength(0);
  });

  it('acknowledges and logs events of a broadcaster that is not monitored, without forwarding', async () => {
    await deliver(
      signed(chatEvent({ text: '!so @bob', messageId: 'other', broadcaster: '2002' }), {
        messageId: 'other',
      }),
    );
    await idle();
    expect(await eventRows('other')).toHaveLength(1);
    expect(router.requests).toHaveLength(0);
  });

  it('router down: the platform still gets 204, three attempts, the row stays processed=false', async () => {
    router.reset();
    router.on('POST', '/router/events', { status: 503, body: { success: false } });
    expect(
      (await deliver(signed(chatEvent({ text: '!so @bob', messageId: 'down' }), { messageId: 'down' })))
        .status,
    ).toBe(204);
    await idle();
    expect(router.calls('POST', '/router/events')).toHaveLength(3);
    expect((await eventRows('down'))[0]!.processed).toBe(false);
    expect(twitch.calls('POST', '/helix/chat/messages')).toHaveLength(0);
  });

  it('a router 4xx is not retried', async () => {
    router.reset();
    router.on('POST', '/router/events', { status: 400, body: { success: false } });
    await deliver(signed(chatEvent({ text: 'x', messageId: 'refused' }), { messageId: 'refused' }));
    await idle();
    expect(router.calls('POST', '/router/events')).toHaveLength(1);
  });

  it('splits long replies at word boundaries into at most 3 chunks of ≤ 490 chars', async () => {
    await deliver(signed(chatEvent({ text: '!long', messageId: 'long' }), { messageId: 'long' }));
    await idle();
    const posts = twitch.calls('POST', '/helix/chat/messages');
    expect(posts.length).toBeGreaterThan(1);
    expect(posts.length).toBeLessThanOrEqual(3);
    for (const p of posts) {
      expect(p.json.message.length).toBeLessThanOrEqual(490);
      expect(p.json.message).not.toMatch(/^\s|\s$/);
    }
    expect(posts.map((p) => p.json.message).join(' ')).toBe('word '.repeat(240).trim());
  });

  it('caches the app token, and a Helix 401 refreshes it once and retries', async () => {
    await deliver(signed(chatEvent({ text: '!so @a', messageId: 'tok1' }), { messageId: 'tok1' }));
    await deliver(signed(chatEvent({ text: '!so @b', messageId: 'tok2' }), { messageId: 'tok2' }));
    await idle();
    const grants = () =>
      twitch.calls('POST', '/oauth2/token').filter((r) => r.text.includes('client_credentials'));
    const before = grants().length;
    expect(twitch.calls('POST', '/helix/chat/messages')).toHaveLength(2);
    let first = true;
    twitch.on('POST', '/helix/chat/messages', () => {
      if (first) {
        first = false;
        return { status: 401, body: { message: 'invalid token' } };
      }
      return { body: { data: [{ message_id: 'z', is_sent: true }] } };
    });
    await deliver(signed(chatEvent({ text: '!so @c', messageId: 'tok3' }), { messageId: 'tok3' }));
    await idle();
    expect(grants().length).toBe(before + 1);
    const posts = twitch.calls('POST', '/helix/chat/messages');
    expect(posts).toHaveLength(4);
    expect(posts[3]!.headers.authorization).not.toBe(posts[2]!.headers.authorization);
  });

  it('honours 429 with Ratelimit-Reset and retries at most twice', async () => {
    let calls = 0;
    twitch.on('POST', '/helix/chat/messages', () => {
      calls++;
      return calls === 1
        ? {
            status: 429,
            headers: { 'Ratelimit-Reset': String(Math.floor(Date.now() / 1000)) },
            body: { message: 'slow' },
          }
        : { body: { data: [{ message_id: 'y', is_sent: true }] } };
    });
    await deliver(signed(chatEvent({ text: '!so @rl', messageId: 'rl' }), { messageId: 'rl' }));
    await idle();
    expect(calls).toBe(2);
    twitch.on('POST', '/helix/chat/messages', {
      status: 429,
      headers: { 'Retry-After': '0' },
      body: { message: 'slow' },
    });
    await deliver(signed(chatEvent({ text: '!so @rl2', messageId: 'rl2' }), { messageId: 'rl2' }));
    await idle();
    expect(
      twitch.calls('POST', '/helix/chat/messages').filter((r) => r.json.message.startsWith('rl2')),
    ).toHaveLength(3);
  });
});

describe('§5.2 notification mapping', () => {
  const sub = (type: string, version = '1') => ({
    id: `sub-${type}`,
    type,
    version,
    status: 'enabled',
    condition: { broadcaster_user_id: '1001' },
  });
  const b = {
    broadcaster_user_id: '1001',
    broadcaster_user_login: 'alicetv',
    broadcaster_user_name: 'AliceTV',
  };
  const u = { user_id: '42', user_login: 'bob', user_name: 'Bob' };
  const cases: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'channel.follow',
      '2',
      { ...b, ...u, followed_at: '2025-11-20T17:00:00Z' },
      { message_type: 'follow', user_id: '42', metadata: { followed_at: '2025-11-20T17:00:00Z' } },
    ],
    [
      'channel.subscribe',
      '1',
      { ...b, ...u, tier: '1000', is_gift: false },
      { message_type: 'subscription', metadata: { tier: '1000', is_gift: false } },
    ],
    [
      'channel.subscription.gift',
      '1',
      {
        ...b,
        user_id: null,
        user_login: null,
        user_name: null,
        tier: '1000',
        total: 5,
        cumulative_total: null,
        is_anonymous: true,
      },
      {
        message_type: 'subgift',
        user_id: 'anonymous',
        user_name: 'anonymous',
        metadata: { total: 5, is_anonymous: true },
      },
    ],
    [
      'channel.subscription.message',
      '1',
      { ...b, ...u, message: { text: 'love it' }, cumulative_months: 7, tier: '2000' },
      { message_type: 'resub', message_content: 'love it', metadata: { cumulative_months: 7 } },
    ],
    [
      'channel.cheer',
      '1',
      { ...b, ...u, is_anonymous: false, message: 'cheer100 gg', bits: 100 },
      { message_type: 'cheer', message_content: 'cheer100 gg', metadata: { bits: 100 } },
    ],
    [
      'channel.raid',
      '1',
      {
        from_broadcaster_user_id: '77',
        from_broadcaster_user_login: 'raider',
        from_broadcaster_user_name: 'Raider',
        to_broadcaster_user_id: '1001',
        to_broadcaster_user_login: 'alicetv',
        viewers: 12,
      },
      {
        message_type: 'raid',
        server_id: '1001',
        user_id: '77',
        user_name: 'raider',
        metadata: { viewers: 12, broadcaster_login: 'alicetv' },
      },
    ],
    [
      'channel.ban',
      '1',
      { ...b, ...u, reason: 'spam', moderator_user_login: 'mod1', is_permanent: true },
      { message_type: 'ban', metadata: { reason: 'spam', moderator_user_login: 'mod1', is_permanent: true } },
    ],
    [
      'stream.online',
      '1',
      { ...b, id: 's1', type: 'live', started_at: '2025-11-20T17:59:00Z' },
      {
        message_type: 'stream_online',
        user_id: '1001',
        metadata: { started_at: '2025-11-20T17:59:00Z', type: 'live' },
      },
    ],
    ['stream.offline', '1', { ...b }, { message_type: 'stream_offline', user_id: '1001' }],
  ];
  for (const [type, version, event, expected] of cases) {
    it(`${type} → ${expected.message_type}`, async () => {
      const id = `map-${type}`;
      const res = await deliver(signed({ subscription: sub(type, version), event }, { messageId: id }));
      expect(res.status).toBe(204);
      await idle();
      const [sent] = router.calls('POST', '/router/events');
      expect(sent!.json).toMatchObject({
        platform: 'twitch',
        server_id: '1001',
        channel_id: '',
        event_id: id,
        ...expected,
      });
      expect(sent!.json.metadata.broadcaster_login).toBe('alicetv');
    });
  }

  it('an unlisted subscription type gets a raw log row only', async () => {
    const res = await deliver(
      signed(
        { subscription: sub('channel.poll.begin'), event: { ...b, title: 'poll' } },
        { messageId: 'poll-1' },
      ),
    );
    expect(res.status).toBe(204);
    await idle();
    expect(await eventRows('poll-1')).toHaveLength(1);
    expect(router.requests).toHaveLength(0);
  });
});

describe('mutation: 1,000 correctly signed requests with one changed byte are all rejected', () => {
  it('rejects every mutation and stores or forwards nothing', async () => {
    const before = (await eventRows()).length;
    const base = signed(chatEvent({ text: '!so @mutant', messageId: 'mutant' }), { messageId: 'mutant' });
    const headerNames = [
      'Twitch-Eventsub-Message-Id',
      'Twitch-Eventsub-Message-Timestamp',
      'Twitch-Eventsub-Message-Signature',
    ] as const;
    const statuses = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const headers = { ...base.headers };
      let body = base.body;
      const kind = i % 4;
      if (kind === 0 || kind === 3) {
        const pos = (i * 7919) % body.length;
        const ch = body.charCodeAt(pos);
        body = body.slice(0, pos) + String.fromCharCode(ch === 0x7a ? 0x79 : ch + 1) + body.slice(pos + 1);
      } else {
        const name = headerNames[i % 3]!;
        const value = headers[name]!;
        const pos = (i * 31) % value.length;
        const ch = value.charCodeAt(pos);
        headers[name] =
          value.slice(0, pos) + String.fromCharCode(ch === 0x39 ? 0x38 : ch + 1) + value.slice(pos + 1);
      }
      const res = await svc.app.request('/twitch/webhook', { method: 'POST', headers, body });
      statuses.add(res.status);
    }
    expect([...statuses]).toEqual([403]);
    await idle();
    expect((await eventRows()).length).toBe(before);
    expect(router.requests).toHaveLength(0);
  });
});

describe('not configured', () => {
  itStartsWithoutPlatformCredentials(() => rt, service, {
    platform: 'twitch',
    unset: ['TWITCH_EVENTSUB_SECRET', 'TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET'],
    webhooks: ['/twitch/webhook'],
    message: 'twitch is not configured: set TWITCH_EVENTSUB_SECRET',
    sendTo: 'twitch:1001',
  });

  it('/readyz of the configured receiver says ok', async () => {
    const ready = await call(svc.app, 'GET', '/readyz', undefined, {});
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ database: 'ok', platform: 'ok' });
  });
});

describe('the twitch_api crate vector (twitch-rs/twitch_api src/eventsub/mod.rs) over HTTP', () => {
  it('its exact headers and 458-byte body pass POST /twitch/webhook with the clock at its timestamp', async () => {
    const vectorService = await rt.add(service, { TWITCH_EVENTSUB_SECRET: 'secretabcd' });
    const body =
      '{"subscription":{"id":"ae2ff348-e102-16be-a3eb-6830c1bf38d2","status":"enabled","type":"channel.follow","version":"1","condition":{"broadcaster_user_id":"44429626"},"transport":{"method":"webhook","callback":"null"},"created_at":"2021-02-19T23:47:00.7621315Z"},"event":{"user_id":"28408015","user_login":"testFromUser","user_name":"testFromUser","broadcaster_user_id":"44429626","broadcaster_user_login":"44429626","broadcaster_user_name":"testBroadcaster"}}';
    const headers = {
      'Content-Length': '458',
      'Content-Type': 'application/json',
      'Twitch-Eventsub-Message-Id': 'ae2ff348-e102-16be-a3eb-6830c1bf38d2',
      'Twitch-Eventsub-Message-Retry': '0',
      'Twitch-Eventsub-Message-Signature':
        'sha256=d10f5bd9474b7ac7bd7105eb79c2d52768b4d0cd2a135982c3bf5a1d59a78823',
      'Twitch-Eventsub-Message-Timestamp': '2021-02-19T23:47:00.8091512Z',
      'Twitch-Eventsub-Message-Type': 'notification',
      'Twitch-Eventsub-Subscription-Type': 'channel.follow',
      'Twitch-Eventsub-Subscription-Version': '1',
    };
    const restore = clock().nowMs();
    try {
      clock().set('2021-02-19T23:47:05Z');
      const post = (h: Record<string, string>) =>
        vectorService.app.request('/twitch/webhook', { method: 'POST', headers: h, body });
      expect((await post(headers)).status).toBe(204);
      const tampered = { ...headers, 'Twitch-Eventsub-Message-Id': 'ae2ff348-e102-16be-a3eb-6830c1bf38d3' };
      expect((await post(tampered)).status).toBe(403);
      clock().set('2021-02-19T23:57:01Z');
      const stale = await post({ ...headers, 'Twitch-Eventsub-Message-Retry': '1' });
      expect(stale.status).toBe(403);
    } finally {
      clock().set(restore);
    }
    const row = await svc.deps.db
      .selectFrom('twitch_events')
      .selectAll()
      .where('event_id', '=', 'ae2ff348-e102-16be-a3eb-6830c1bf38d2')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      event_type: 'channel.follow',
      broadcaster_user_id: '44429626',
      user_id: '28408015',
      user_name: 'testFromUser',
    });
  });
});

describe('secrets', () => {
  itKeepsSecretsOutOfTheLog(() => rt, [EVENTSUB_SECRET, 'client-secret-xyz', /app-token-\d/]);
});
