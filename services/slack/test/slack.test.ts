import { describe, expect, it } from 'vitest';
import {
  call,
  slackHeaders,
  type FakeClock,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import {
  itKeepsSecretsOutOfTheLog,
  itPublishesOpenApi,
  itRefusesInvalidSends,
  itRefusesMissingAndWrongServiceKeys,
  itServesServerChannelApi,
  itStartsWithoutPlatformCredentials,
} from '../../../libs/core/test/receiver/receiver-contract.js';
import {
  useReceiverHarness,
  type StartedReceiver,
} from '../../../libs/core/test/receiver/receiver-harness.js';
import { BOT_TOKEN, BOT_USER, SIGNING_SECRET, playSlack } from './fixtures.js';

let rt: TestRuntime;
let router: FakeServer;
let slack: FakeServer;
let svc: StartedReceiver<typeof service>;
let idle: () => Promise<void>;

useReceiverHarness({
  service,
  env: (platform) => ({
    SLACK_API_BASE_URL: `${platform.url}/api`,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_BOT_USER_ID: BOT_USER,
    SLACK_RESPONSE_URL_HOSTS: `hooks.slack.com,${new URL(platform.url).host}`,
  }),
  playPlatform: playSlack,
  seed: async (h) => {
    expect((await call(h.svc.app, 'POST', '/slack/api/channels', { team_id: 'T1' })).status).toBe(201);
  },
  started: (h) => ({ rt, router, platform: slack, svc, idle } = h),
});

const nowSeconds = () => Math.floor(rt.clock.nowMs() / 1000);

async function post(
  path: string,
  body: string,
  opts: { contentType?: string; timestamp?: number; headers?: Record<string, string> } = {},
) {
  const headers =
    opts.headers ??
    slackHeaders({
      secret: SIGNING_SECRET,
      body,
      timestamp: opts.timestamp ?? nowSeconds(),
      contentType: opts.contentType,
    });
  const res = await svc.app.request(path, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : '';
  } catch {
    // plain text
  }
  return { status: res.status, body: parsed };
}

let seq = 0;
function messageEnvelope(
  text: string,
  extra: Record<string, unknown> = {},
  envelope: Record<string, unknown> = {},
) {
  seq++;
  return JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    event_id: `Ev${seq}`,
    event_time: Math.floor(Date.parse('2025-11-20T18:00:00Z') / 1000),
    event: { type: 'message', user: 'U555', text, ts: `17000000${seq}.0001`, channel: 'C9', ...extra },
    ...envelope,
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';

describe('scenario 19: URL verification and signing', () => {
  it('signed url_verification → {"challenge"}', async () => {
    const res = await post(
      '/slack/events',
      JSON.stringify({ type: 'url_verification', challenge: 'ch-123', token: 'x' }),
    );
    expect(res).toEqual({ status: 200, body: { challenge: 'ch-123' } });
  });

  it('wrong signature → 403; 6 minutes old → 403; 6 minutes ahead → 403; missing headers → 403', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'x' });
    const wrong = await post('/slack/events', body, {
      headers: slackHeaders({ secret: 'another-secret-entirely', body, timestamp: nowSeconds() }),
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('FORBIDDEN');
    expect((await post('/slack/events', body, { timestamp: nowSeconds() - 360 })).status).toBe(403);
    expect((await post('/slack/events', body, { timestamp: nowSeconds() + 360 })).status).toBe(403);
    expect(
      (await post('/slack/events', body, { headers: { 'Content-Type': 'application/json' } })).status,
    ).toBe(403);
    expect((await post('/slack/events', body, { timestamp: nowSeconds() - 240 })).status).toBe(200);
  });

  it('url_verification without a challenge → 400 VALIDATION_ERROR', async () => {
    for (const body of [{ type: 'url_verification' }, { type: 'url_verification', challenge: 7 }]) {
      const res = await post('/slack/events', JSON.stringify(body));
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    }
  });

  it('signed but unusable → 400 VALIDATION_ERROR naming the field; nothing stored', async () => {
    const before = (await svc.deps.db.selectFrom('slack_events').select('id').execute()).length;
    const cases: [string, string][] = [
      ['{nope', ''],
      ['"text"', ''],
      [JSON.stringify({ type: 'app_rate_limited' }), 'type'],
      [JSON.stringify({ type: 'event_callback', event_id: 'Ev-x', event: { type: 'message' } }), 'team_id'],
      [JSON.stringify({ type: 'event_callback', team_id: 'T1', event: { type: 'message' } }), 'event_id'],
      [JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: 'Ev-y' }), 'event'],
    ];
    for (const [body, path] of cases) {
      const res = await post('/slack/events', body);
      expect([res.status, res.body.error.code, res.body.error.details[0].path]).toEqual([
        400,
        'VALIDATION_ERROR',
        path,
      ]);
    }
    expect((await svc.deps.db.selectFrom('slack_events').select('id').execute()).length).toBe(before);
  });

  it("Slack's documented example request passes /slack/slash with the clock at its timestamp", async () => {
    const example = await rt.add(service, { SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5' });
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = {
      'Content-Type': FORM,
      'X-Slack-Request-Timestamp': '1531420618',
      'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    };
    const clock = rt.clock as FakeClock;
    const restore = clock.nowMs();
    try {
      clock.set(1531420618 * 1000 + 2000);
      const res = await example.app.request('/slack/slash', { method: 'POST', headers, body });
      // Verified: the example's team is not monitored here, so it gets the "not set up" answer.
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        response_type: 'ephemeral',
        text: "WaddleBot isn't set up for this workspace yet.",
      });
      const changed = await example.app.request('/slack/slash', {
        method: 'POST',
        headers,
        body: body.replace('roadrunner', 'roadrunnes'),
      });
      expect(changed.status).toBe(403);
      clock.set(1531420618 * 1000 + 301_000);
      expect((await example.app.request('/slack/slash', { method: 'POST', headers, body })).status).toBe(403);
    } finally {
      clock.set(restore);
    }
  });

  it('mutation: 1,000 correctly signed requests with one changed byte are all rejected', async () => {
    const before = (await svc.deps.db.selectFrom('slack_events').select('id').execute()).length;
    const body = messageEnvelope('!so mutant');
    const headers = slackHeaders({ secret: SIGNING_SECRET, body, timestamp: nowSeconds() });
    const statuses = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      let b = body;
      const h = { ...headers };
      if (i % 3 === 0) {
        const pos = (i * 7919) % b.length;
        b = b.slice(0, pos) + String.fromCharCode(b.charCodeAt(pos) ^ 1) + b.slice(pos + 1);
      } else {
        const name = i % 3 === 1 ? 'X-Slack-Signature' : 'X-Slack-Request-Timestamp';
        const v = h[name]!;
        const pos = name === 'X-Slack-Signature' ? 3 + ((i * 31) % (v.length - 3)) : (i * 31) % v.length;
        const ch = v[pos]!;
        h[name] = v.slice(0, pos) + (ch === '1' ? '2' : ch === 'a' ? 'b' : '1') + v.slice(pos + 1);
      }
      statuses.add((await svc.app.request('/slack/events', { method: 'POST', headers: h, body: b })).status);
    }
    expect([...statuses]).toEqual([403]);
    await idle();
    expect((await svc.deps.db.selectFrom('slack_events').select('id').execute()).length).toBe(before);
    expect(router.requests).toHaveLength(0);
  });
});

describe('scenario 20: messages end to end', () => {
  it('!so bob in C9 → 200 before the router answers; chat.postMessage to C9 without thread_ts', async () => {
    router.reset();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    router.on('POST', '/router/events', async (req) => {
      await gate;
      return {
        status: 200,
        body: {
          success: true,
          processed: true,
          outcome: 'executed',
          replies: [{ type: 'chat', text: 'bob is awesome, go follow!' }],
          module_responses: [],
          event_modules_executed: 0,
          error: null,
          event: req.json.event_id,
        },
      };
    });
    const res = await post('/slack/events', messageEnvelope('!so bob'));
    expect(res.status).toBe(200);
    expect(slack.calls('POST', '/api/chat.postMessage')).toHaveLength(0);
    release();
    await idle();
    const [event] = router.calls('POST', '/router/events');
    expect(event!.json).toMatchObject({
      platform: 'slack',
      server_id: 'T1',
      channel_id: 'C9',
      user_id: 'U555',
      user_name: 'alice',
      display_name: 'Alice',
      message_type: 'chatMessage',
      message_content: '!so bob',
    });
    expect(event!.json.reply_context).toEqual({ channel: 'C9' });
    const [msg] = slack.calls('POST', '/api/chat.postMessage');
    expect(msg!.json).toEqual({ channel: 'C9', text: 'bob is awesome, go follow!' });
    expect(msg!.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
  });

  it('inside a thread the reply carries that thread_ts', async () => {
    await post('/slack/events', messageEnvelope('!so bob', { thread_ts: '1699999999.0001' }));
    await idle();
    expect(slack.calls('POST', '/api/chat.postMessage')[0]!.json).toEqual({
      channel: 'C9',
      text: 'bob is awesome, go follow!',
      thread_ts: '1699999999.0001',
    });
  });

  it('a retry with X-Slack-Retry-Num and the same event_id → 200, not executed again', async () => {
    const body = messageEnvelope('!so bob');
    await post('/slack/events', body);
    const retry = await post('/slack/events', body, {
      headers: {
        ...slackHeaders({ secret: SIGNING_SECRET, body, timestamp: nowSeconds() }),
        'X-Slack-Retry-Num': '1',
        'X-Slack-Retry-Reason': 'http_timeout',
      },
    });
    expect(retry.status).toBe(200);
    await idle();
    expect(router.calls('POST', '/router/events')).toHaveLength(1);
    expect(slack.calls('POST', '/api/chat.postMessage')).toHaveLength(1);
  });

  it('ignores the bot’s own messages, other bots and subtypes', async () => {
    await post('/slack/events', messageEnvelope('!so bob', { user: BOT_USER }));
    await post('/slack/events', messageEnvelope('!so bob', { bot_id: 'B1' }));
    await post('/slack/events', messageEnvelope('!so bob', { subtype: 'message_changed' }));
    await idle();
    expect(router.requests).toHaveLength(0);
  });

  it('an unmonitored team → 200, no row, no router call; a team with channel rows only in those', async () => {
    const body = messageEnvelope('!so bob', {}, { team_id: 'T2' });
    expect((await post('/slack/events', body)).status).toBe(200);
    await call(svc.app, 'POST', '/slack/api/channels', { team_id: 'T3', channel_id: 'C31' });
    await post('/slack/events', messageEnvelope('in', { channel: 'C31' }, { team_id: 'T3' }));
    await idle();
    await post('/slack/events', messageEnvelope('out', { channel: 'C32' }, { team_id: 'T3' }));
    await idle();
    expect(router.calls('POST', '/router/events').map((r) => r.json.message_content)).toEqual(['in']);
    expect(
      await svc.deps.db.selectFrom('slack_events').select('id').where('team_id', '=', 'T2').execute(),
    ).toHaveLength(0);
  });

  it('platform roles from users.info: owner, admin, none; unknown user → User-<id>; users.info cached', async () => {
    await post('/slack/events', messageEnvelope('a', { user: 'UOWNER' }));
    await post('/slack/events', messageEnvelope('b', { user: 'UADMIN' }));
    await post('/slack/events', messageEnvelope('c', { user: 'UGONE' }));
    await idle();
    await post('/slack/events', messageEnvelope('d', { user: 'UOWNER' }));
    await idle();
    const sent = Object.fromEntries(
      router
        .calls('POST', '/router/events')
        .map((r) => [r.json.message_content, [r.json.user_name, r.json.metadata.platform_role ?? null]]),
    );
    expect(sent).toEqual({
      a: ['boss', 'owner'],
      b: ['admin1', 'admin'],
      c: ['User-UGONE', null],
      d: ['boss', 'owner'],
    });
    expect(
      slack.calls('GET', '/api/users.info').filter((r) => r.query.get('user') === 'UOWNER'),
    ).toHaveLength(1);
  });

  it('maps app_mention (mention stripped), reactions, joins, leaves, team_join and file_shared', async () => {
    const ev = async (event: Record<string, unknown>) => {
      await post('/slack/events', messageEnvelope('', event));
      await idle();
    };
    await ev({ type: 'app_mention', user: 'U555', text: '<@UBOT> !so bob please', channel: 'C9', ts: '1.2' });
    await ev({
      type: 'reaction_added',
      user: 'U555',
      reaction: 'tada',
      item: { type: 'message', channel: 'C9', ts: '1.1' },
    });
    await ev({ type: 'member_joined_channel', user: 'U555', channel: 'C9' });
    await ev({ type: 'member_left_channel', user: 'U555', channel: 'C9' });
    await ev({ type: 'team_join', user: { id: 'U555', name: 'alice' } });
    await ev({ type: 'file_shared', user_id: 'U555', channel_id: 'C9', file_id: 'F1' });
    await ev({ type: 'emoji_changed', subtype: 'add' });
    await idle();
    const got = router
      .calls('POST', '/router/events')
      .map((r) => [r.json.message_type, r.json.channel_id, r.json.message_content]);
    expect(got).toEqual([
      ['app_mention', 'C9', '!so bob please'],
      ['reaction', 'C9', 'tada'],
      ['channel_join', 'C9', ''],
      ['member_leave', 'C9', ''],
      ['member_join', '', ''],
      ['file_share', 'C9', ''],
    ]);
    expect(router.calls('POST', '/router/events')[1]!.json.metadata).toMatchObject({
      reaction: 'tada',
      item_ts: '1.1',
    });
    // The app_mention is not answered as a command by this receiver (the router parses only chatMessage/slashCommand).
  });

  it('router down: 200 to Slack, row processed=false', async () => {
    router.reset();
    router.on('POST', '/router/events', { status: 500, body: {} });
    const body = messageEnvelope('!so bob');
    expect((await post('/slack/events', body)).status).toBe(200);
    await idle();
    const id = JSON.parse(body).event_id;
    expect(router.calls('POST', '/router/events')).toHaveLength(3);
    expect(
      (
        await svc.deps.db
          .selectFrom('slack_events')
          .select('processed')
          .where('event_id', '=', id)
          .executeTakeFirstOrThrow()
      ).processed,
    ).toBe(false);
  });
});

describe('scenario 21: slash commands', () => {
  const slash = (fields: Record<string, string>) =>
    form({
      command: '/waddlebot',
      text: 'so bob',
      user_id: 'U555',
      user_name: 'alice',
      team_id: 'T1',
      channel_id: 'C9',
      response_url: `${slack.url}/hooks/commands/T1/1/abc`,
      trigger_id: `trig-${++seq}`,
      ...fields,
    });

  it('/waddlebot so bob → immediate empty 200, then response_url gets the in_channel reply', async () => {
    const res = await post('/slack/slash', slash({}), { contentType: FORM });
    expect(res).toEqual({ status: 200, body: '' });
    await idle();
    const [event] = router.calls('POST', '/router/events');
    expect(event!.json).toMatchObject({
      message_type: 'slashCommand',
      message_content: '!so bob',
      server_id: 'T1',
      channel_id: 'C9',
    });
    expect(event!.json.reply_context.channel).toBe('C9');
    const [hook] = slack.calls('POST', '/hooks/commands/T1/1/abc');
    expect(hook!.json).toEqual({ response_type: 'in_channel', text: 'bob is awesome, go follow!' });
    expect(slack.calls('POST', '/api/chat.postMessage')).toHaveLength(0);
    const row = await svc.deps.db
      .selectFrom('slack_events')
      .selectAll()
      .where('event_type', '=', 'slash_command')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.event_data).toMatchObject({ command: '/waddlebot', text: 'so bob' });
    expect(JSON.stringify(row.event_data)).not.toContain('/hooks/commands');
  });

  it('ephemeral replies go back ephemeral; empty text → !help; /slack/commands is an alias', async () => {
    await post('/slack/commands', slash({ text: 'nope' }), { contentType: FORM });
    await idle();
    await post('/slack/slash', slash({ text: '' }), { contentType: FORM });
    await idle();
    expect(slack.calls('POST', /^\/hooks\//)[0]!.json).toEqual({
      response_type: 'ephemeral',
      text: 'Unknown command !nope',
    });
    expect(router.calls('POST', '/router/events').map((r) => r.json.message_content)).toEqual([
      '!nope',
      '!help',
    ]);
  });

  it('an unconfigured team gets the ephemeral "isn\'t set up" text and no router call; status is answered locally', async () => {
    const res = await post('/slack/slash', slash({ team_id: 'T2' }), { contentType: FORM });
    expect(res.body).toEqual({
      response_type: 'ephemeral',
      text: "WaddleBot isn't set up for this workspace yet.",
    });
    const status = await post('/slack/slash', slash({ text: 'status' }), { contentType: FORM });
    expect(status.body).toEqual({
      response_type: 'ephemeral',
      text: 'WaddleBot is running in this workspace, alice.',
    });
    await idle();
    expect(router.requests).toHaveLength(0);
  });

  it('a response_url answering 429 is retried after Retry-After (at most twice more)', async () => {
    let hits = 0;
    slack.on('POST', /^\/hooks\//, () =>
      ++hits === 1 ? { status: 429, headers: { 'Retry-After': '0' }, body: 'rate_limited' } : { body: 'ok' },
    );
    await post('/slack/slash', slash({}), { contentType: FORM });
    await idle();
    expect(hits).toBe(2);
    expect(slack.calls('POST', /^\/hooks\//)[1]!.json.text).toBe('bob is awesome, go follow!');
    slack.on('POST', /^\/hooks\//, { status: 429, headers: { 'Retry-After': '0' }, body: 'rate_limited' });
    await post('/slack/slash', slash({ text: 'so carol' }), { contentType: FORM });
    await idle();
    expect(slack.calls('POST', /^\/hooks\//).filter((r) => r.json.text.startsWith('carol'))).toHaveLength(3);
  });

  it('a response_url outside SLACK_RESPONSE_URL_HOSTS is never called; the reply goes to the channel instead', async () => {
    await post('/slack/slash', slash({ response_url: 'http://169.254.169.254/latest/meta-data' }), {
      contentType: FORM,
    });
    await idle();
    expect(slack.calls('POST', /^\/hooks\//)).toHaveLength(0);
    expect(slack.calls('POST', '/api/chat.postMessage')[0]!.json).toEqual({
      channel: 'C9',
      text: 'bob is awesome, go follow!',
    });
  });

  it('unsigned slash → 403; malformed → 400', async () => {
    expect((await post('/slack/slash', slash({}), { headers: { 'Content-Type': FORM } })).status).toBe(403);
    const malformed = await post('/slack/slash', form({ text: 'x', command: '/waddlebot', team_id: 'T1' }), {
      contentType: FORM,
    });
    expect([malformed.status, malformed.body.error.details[0].path]).toEqual([400, 'user_id']);
  });
});

describe('POST /slack/actions', () => {
  const action = (payload: unknown) => form({ payload: JSON.stringify(payload) });

  it('block_actions → interaction with custom_id/value/message_ts, ack 200 empty', async () => {
    const res = await post(
      '/slack/actions',
      action({
        type: 'block_actions',
        trigger_id: 'tr-1',
        team: { id: 'T1' },
        user: { id: 'U555', username: 'alice' },
        channel: { id: 'C9' },
        message: { ts: '9.9' },
        response_url: `${slack.url}/hooks/actions/1`,
        actions: [{ action_id: 'vote', value: 'yes', action_ts: '1.0' }],
      }),
      { contentType: FORM },
    );
    expect(res).toEqual({ status: 200, body: '' });
    await idle();
    expect(router.calls('POST', '/router/events')[0]!.json).toMatchObject({
      message_type: 'interaction',
      event_id: 'tr-1',
      message_content: 'vote',
      metadata: { custom_id: 'vote', value: 'yes', trigger_id: 'tr-1', message_ts: '9.9' },
      reply_context: { response_url: `${slack.url}/hooks/actions/1`, channel: 'C9' },
    });
  });

  it('view_submission → values by action_id and private_metadata; shortcut → callback_id', async () => {
    await post(
      '/slack/actions',
      action({
        type: 'view_submission',
        trigger_id: 'tr-2',
        team: { id: 'T1' },
        user: { id: 'U555', username: 'alice' },
        view: {
          callback_id: 'signup',
          private_metadata: 'pm',
          state: {
            values: {
              b1: { nick: { type: 'plain_text_input', value: 'Al' } },
              b2: { size: { selected_option: { value: 'L' } } },
            },
          },
        },
      }),
      { contentType: FORM },
    );
    await idle();
    await post(
      '/slack/actions',
      action({
        type: 'shortcut',
        trigger_id: 'tr-3',
        callback_id: 'quick',
        team: { id: 'T1' },
        user: { id: 'U555', username: 'alice' },
      }),
      { contentType: FORM },
    );
    await idle();
    const [submission, shortcut] = router.calls('POST', '/router/events').map((r) => r.json);
    expect(submission.metadata).toEqual({
      custom_id: 'signup',
      values: { nick: 'Al', size: 'L' },
      private_metadata: 'pm',
    });
    expect(shortcut.metadata).toMatchObject({ custom_id: 'quick' });
  });

  it('a payload type WaddleBot does not handle → 200 and a raw log row only (none without an id)', async () => {
    const ack = await post(
      '/slack/actions',
      action({
        type: 'block_suggestion',
        action_ts: '1700000000.42',
        action_id: 'size',
        value: 'me',
        team: { id: 'T1' },
        user: { id: 'U555', username: 'alice' },
        response_url: `${slack.url}/hooks/actions/9`,
      }),
      { contentType: FORM },
    );
    expect(ack).toEqual({ status: 200, body: '' });
    const closed = await post(
      '/slack/actions',
      action({ type: 'view_closed', team: { id: 'T1' }, user: { id: 'U555' }, view: { id: 'V1' } }),
      { contentType: FORM },
    );
    expect(closed).toEqual({ status: 200, body: '' });
    await idle();
    const row = await svc.deps.db
      .selectFrom('slack_events')
      .selectAll()
      .where('event_id', '=', '1700000000.42')
      .executeTakeFirstOrThrow();
    expect(row.event_type).toBe('block_suggestion');
    expect(JSON.stringify(row.event_data)).not.toContain('/hooks/');
    expect(router.requests).toHaveLength(0);
    expect(slack.requests).toHaveLength(0);
  });

  it("a view submission's response_urls are not kept in the raw log", async () => {
    await post(
      '/slack/actions',
      action({
        type: 'view_submission',
        trigger_id: 'tr-urls',
        team: { id: 'T1' },
        user: { id: 'U555', username: 'alice' },
        view: { callback_id: 'signup', state: { values: {} } },
        response_urls: [{ response_url: `${slack.url}/hooks/views/1`, channel_id: 'C9' }],
      }),
      { contentType: FORM },
    );
    await idle();
    const row = await svc.deps.db
      .selectFrom('slack_events')
      .selectAll()
      .where('event_id', '=', 'tr-urls')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row.event_data)).not.toContain('/hooks/');
  });

  it('malformed payload → 400; unsigned → 403', async () => {
    const paths = async (body: string) => {
      const res = await post('/slack/actions', body, { contentType: FORM });
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
      return res.body.error.details[0].path;
    };
    expect(await paths(form({ payload: '{bad' }))).toBe('payload');
    expect(await paths(form({}))).toBe('payload');
    expect(await paths(form({ payload: JSON.stringify({ team: { id: 'T1' } }) }))).toBe('payload.type');
    expect(await paths(action({ type: 'block_actions', user: { id: 'U1' } }))).toBe('payload.team.id');
    expect(await paths(action({ type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1' } }))).toBe(
      'payload.trigger_id',
    );
    expect(
      (await post('/slack/actions', action({ type: 'shortcut' }), { headers: { 'Content-Type': FORM } }))
        .status,
    ).toBe(403);
  });
});

describe('POST /slack/send', () => {
  it('chat via chat.postMessage, split at 4000 (max 3); response_url when given', async () => {
    expect(
      (
        await call(svc.app, 'POST', '/slack/send', {
          entity_id: 'slack:T1:C9',
          replies: [{ type: 'chat', text: 'later!' }],
        })
      ).body,
    ).toEqual({ success: true, delivered: 1 });
    await call(svc.app, 'POST', '/slack/send', {
      entity_id: 'slack:T1:C9',
      replies: [{ type: 'chat', text: 'long '.repeat(3000) }],
    });
    const posts = slack.calls('POST', '/api/chat.postMessage');
    expect(posts).toHaveLength(4);
    expect(posts.slice(1).every((p) => p.json.text.length <= 4000)).toBe(true);
    await call(svc.app, 'POST', '/slack/send', {
      entity_id: 'slack:T1:C9',
      reply_context: { response_url: `${slack.url}/hooks/x` },
      replies: [{ type: 'chat', text: 'via url', ephemeral: true }],
    });
    expect(slack.calls('POST', '/hooks/x')[0]!.json).toEqual({ response_type: 'ephemeral', text: 'via url' });
  });

  it('dm by user_id and by user_name (slack_users, then users.list); unknown → 404', async () => {
    await call(svc.app, 'POST', '/slack/send', {
      replies: [{ type: 'dm', user_id: 'U1', text: 'Your code: K7QX2M' }],
    });
    expect(slack.calls('POST', '/api/conversations.open')[0]!.json).toEqual({ users: 'U1' });
    expect(slack.calls('POST', '/api/chat.postMessage')[0]!.json).toEqual({
      channel: 'D-U1',
      text: 'Your code: K7QX2M',
    });
    expect(
      (
        await call(svc.app, 'POST', '/slack/send', {
          replies: [{ type: 'dm', user_name: 'carol', text: 'hi' }],
        })
      ).status,
    ).toBe(200);
    expect(slack.calls('POST', '/api/conversations.open')[1]!.json).toEqual({ users: 'UCAROL' });
    slack.reset();
    playSlack(slack);
    expect(
      (
        await call(svc.app, 'POST', '/slack/send', {
          replies: [{ type: 'dm', user_name: 'Carol', text: 'again' }],
        })
      ).status,
    ).toBe(200);
    expect(slack.calls('GET', '/api/users.list')).toHaveLength(0);
    expect(
      (
        await call(svc.app, 'POST', '/slack/send', {
          replies: [{ type: 'dm', user_name: 'nobody', text: 'hi' }],
        })
      ).status,
    ).toBe(404);
  });

  it('form as blocks with text fallback; delete is skipped; 429 honoured; ok:false → 502', async () => {
    let n = 0;
    slack.on('POST', '/api/chat.postMessage', () =>
      ++n === 1
        ? { status: 429, headers: { 'Retry-After': '0' }, body: { ok: false, error: 'ratelimited' } }
        : { body: { ok: true } },
    );
    const res = await call(svc.app, 'POST', '/slack/send', {
      entity_id: 'slack:T1:C9',
      replies: [
        {
          type: 'form',
          title: 'Signup',
          fields: [{ name: 'n', type: 'text', label: 'Name', required: true }],
          submit_url: 'https://x.example/f',
        },
        { type: 'delete', message_id: '1.1' },
      ],
    });
    expect(res.body).toEqual({ success: true, delivered: 1 });
    const sent = slack.calls('POST', '/api/chat.postMessage')[1]!.json;
    expect(sent.text).toBe('Signup\n• Name (text) *\nSubmit: https://x.example/f');
    expect(sent.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Signup' } });
    slack.on('POST', '/api/chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });
    const failed = await call(svc.app, 'POST', '/slack/send', {
      entity_id: 'slack:T1:C9',
      replies: [{ type: 'chat', text: 'x' }],
    });
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('UPSTREAM_ERROR');
  });

  itRefusesInvalidSends(() => svc.app, {
    platform: 'slack',
    entity: 'slack:T1:C9',
    serverWideEntity: 'slack:T1',
    platformApi: () => slack,
    failChat: (api) => api.on('POST', '/api/chat.postMessage', { status: 500, body: {} }),
  });
});

describe('channels API and configuration', () => {
  itServesServerChannelApi(() => svc.app, {
    platform: 'slack',
    serverKey: 'team_id',
    nameKey: 'team_name',
    ids: { server: 'T7', channel: 'C71', otherChannel: 'C72' },
  });

  itStartsWithoutPlatformCredentials(() => rt, service, {
    platform: 'slack',
    unset: ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN'],
    webhooks: ['/slack/events', '/slack/slash', '/slack/commands', '/slack/actions'],
    message: 'slack is not configured: set SLACK_SIGNING_SECRET',
    sendTo: 'slack:T1:C9',
  });
});

describe('every service-key route refuses missing and wrong keys', () => {
  itRefusesMissingAndWrongServiceKeys(
    () => svc.app,
    [
      ['GET', '/slack/api/channels'],
      ['POST', '/slack/api/channels'],
      ['DELETE', '/slack/api/channels/T1'],
      ['POST', '/slack/send'],
    ],
  );
});

describe('secrets', () => {
  itKeepsSecretsOutOfTheLog(() => rt, [BOT_TOKEN, SIGNING_SECRET, '8f742231b10e8888abcd99yyyzzz85a5']);
});

describe('OpenAPI', () => {
  itPublishesOpenApi(
    () => svc.app,
    [
      '/slack/events',
      '/slack/slash',
      '/slack/commands',
      '/slack/actions',
      '/slack/send',
      '/slack/api/channels',
      '/slack/api/channels/{id}',
    ],
  );
});
