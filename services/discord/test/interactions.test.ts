import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, discordKeyPair, type FakeServer, type TestRuntime } from '@waddlebot/core/testing';
import { discordDispatch, service } from '../src/service.js';
import {
  itPublishesOpenApi,
  itKeepsSecretsOutOfTheLog,
  itRefusesInvalidSends,
  itRefusesMissingAndWrongServiceKeys,
  itServesServerChannelApi,
  itStartsWithoutPlatformCredentials,
} from '../../../libs/core/test/receiver/receiver-contract.js';
import {
  useReceiverHarness,
  type StartedReceiver,
} from '../../../libs/core/test/receiver/receiver-harness.js';
import { APP_ID, BOT_TOKEN, discordEnv, playDiscord, slashInteraction } from './fixtures.js';

let rt: TestRuntime;
let router: FakeServer;
let discord: FakeServer;
let svc: StartedReceiver<typeof service>;
let idle: () => Promise<void>;
const keys = discordKeyPair();

useReceiverHarness({
  service,
  env: (platform) => discordEnv(platform, keys.publicKeyHex),
  playPlatform: playDiscord,
  seed: async (h) => {
    expect((await call(h.svc.app, 'POST', '/discord/api/channels', { guild_id: '100' })).status).toBe(201);
  },
  started: (h) => ({ rt, router, platform: discord, svc, idle } = h),
});

const nowSeconds = () => String(Math.floor(rt.clock.nowMs() / 1000));

async function post(payload: unknown, headers?: Record<string, string>) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const res = await svc.app.request('/discord/interactions', {
    method: 'POST',
    headers: headers ?? keys.headers(body, nowSeconds()),
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('scenario 22: interaction security', () => {
  it('answers a signed PING with {"type":1}', async () => {
    const res = await post({ id: 'p1', type: 1, application_id: APP_ID, token: 't' });
    expect(res).toEqual({ status: 200, body: { type: 1 } });
  });

  it('tampered body → 401; missing timestamp → 401; missing signature → 401; stale → 401', async () => {
    const body = JSON.stringify({ id: 'p2', type: 1 });
    const headers = keys.headers(body, nowSeconds());
    expect((await post(body.replace('p2', 'p3'), headers)).status).toBe(401);
    const { ['X-Signature-Timestamp']: _ts, ...noTs } = headers;
    expect((await post(body, noTs)).status).toBe(401);
    const { ['X-Signature-Ed25519']: _sig, ...noSig } = headers;
    const missing = await post(body, noSig);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('AUTH_REQUIRED');
    const stale = String(Math.floor(rt.clock.nowMs() / 1000) - 301);
    const old = await post(body, keys.headers(body, stale));
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('INVALID_API_KEY');
    const other = discordKeyPair();
    expect((await post(body, other.headers(body, nowSeconds()))).status).toBe(401);
  });

  it('signed but not JSON → 400; no numeric type or no id → 400; nothing stored', async () => {
    const before = (await svc.deps.db.selectFrom('discord_events').select('id').execute()).length;
    const { token: _token, ...noToken } = slashInteraction();
    const noMember = { ...slashInteraction(), member: { roles: [], permissions: '0' } };
    for (const [bad, path] of [
      ['not json', ''],
      ['[1]', ''],
      [{ id: 'x1' }, 'type'],
      [{ id: 'x2', type: '2' }, 'type'],
      [{ type: 9 }, 'id'],
      [noToken, 'token'],
      [noMember, 'member.user.id'],
    ] as const) {
      const res = await post(bad);
      expect([res.status, res.body.error.code, res.body.error.details[0].path]).toEqual([
        400,
        'VALIDATION_ERROR',
        path,
      ]);
    }
    expect((await svc.deps.db.selectFrom('discord_events').select('id').execute()).length).toBe(before);
  });

  it('a signed interaction of a type WaddleBot does not handle → 2xx and a raw log row only', async () => {
    const res = await post({ id: 'ix-future', type: 42, application_id: APP_ID, token: 'secret-tok' });
    expect(res.status).toBe(204);
    await idle();
    const row = await svc.deps.db
      .selectFrom('discord_events')
      .selectAll()
      .where('event_id', '=', 'ix-future')
      .executeTakeFirstOrThrow();
    expect(row.event_type).toBe('INTERACTION_42');
    expect(JSON.stringify(row.event_data)).not.toContain('secret-tok');
    expect(router.requests).toHaveLength(0);
    expect(discord.requests).toHaveLength(0);
  });

  it('mutation: 1,000 correctly signed interactions with one changed byte are all rejected', async () => {
    const before = (await svc.deps.db.selectFrom('discord_events').select('id').execute()).length;
    const body = JSON.stringify(slashInteraction());
    const headers = keys.headers(body, nowSeconds());
    const statuses = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      let b = body;
      const h = { ...headers };
      const kind = i % 3;
      if (kind === 0) {
        const pos = (i * 7919) % b.length;
        b = b.slice(0, pos) + String.fromCharCode(b.charCodeAt(pos) ^ 1) + b.slice(pos + 1);
      } else {
        const name = kind === 1 ? 'X-Signature-Ed25519' : 'X-Signature-Timestamp';
        const v = h[name]!;
        const pos = (i * 31) % v.length;
        const ch = v[pos]!;
        h[name] = v.slice(0, pos) + (ch === '1' ? '2' : ch === 'a' ? 'b' : '1') + v.slice(pos + 1);
      }
      statuses.add(
        (await svc.app.request('/discord/interactions', { method: 'POST', headers: h, body: b })).status,
      );
    }
    expect([...statuses]).toEqual([401]);
    await idle();
    expect((await svc.deps.db.selectFrom('discord_events').select('id').execute()).length).toBe(before);
    expect(router.requests).toHaveLength(0);
  });
});

describe('scenario 23: slash commands', () => {
  it('/command name:so args:bob → {"type":5}, then PATCH @original with the reply', async () => {
    const ix = slashInteraction();
    const res = await post(ix);
    expect(res.body).toEqual({ type: 5 });
    await idle();
    const [event] = router.calls('POST', '/router/events');
    expect(event!.json).toMatchObject({
      platform: 'discord',
      server_id: '100',
      channel_id: '200',
      user_id: '555',
      user_name: 'alice',
      message_content: '!so bob',
      message_type: 'slashCommand',
      event_id: ix.id,
      metadata: { interaction_id: ix.id, command_name: 'command' },
      reply_context: { application_id: APP_ID, interaction_token: ix.token },
    });
    const [edit] = discord.calls('PATCH', `/webhooks/${APP_ID}/${ix.token}/messages/@original`);
    expect(edit!.json).toEqual({ content: 'bob is awesome, go follow!', allowed_mentions: { parse: [] } });
    expect(edit!.headers.authorization).toBeUndefined();
  });

  it('an unknown command deletes the deferred original, then sends an ephemeral follow-up', async () => {
    const ix = slashInteraction({ options: [{ name: 'name', type: 3, value: 'nope' }] });
    await post(ix);
    await idle();
    const order = discord.requests.map((r) => `${r.method} ${r.path}`);
    expect(order).toEqual([
      `DELETE /webhooks/${APP_ID}/${ix.token}/messages/@original`,
      `POST /webhooks/${APP_ID}/${ix.token}`,
    ]);
    expect(discord.requests[1]!.json).toMatchObject({ content: 'Unknown command !nope', flags: 64 });
  });

  it('several replies: the first edits the original, the rest are follow-ups; none → "Done."', async () => {
    const ix = slashInteraction({ options: [{ name: 'name', type: 3, value: 'two' }] });
    await post(ix);
    await idle();
    expect(discord.calls('PATCH', /@original$/)[0]!.json.content).toBe('one');
    expect(discord.calls('POST', `/webhooks/${APP_ID}/${ix.token}`)[0]!.json.content).toBe('two');
    const quiet = slashInteraction({ options: [{ name: 'name', type: 3, value: 'quiet' }] });
    await post(quiet);
    await idle();
    expect(
      discord.calls('PATCH', `/webhooks/${APP_ID}/${quiet.token}/messages/@original`)[0]!.json.content,
    ).toBe('Done.');
  });

  it('maps /waddlebot help → !help, /x opts → !x values, and answers /waddlebot status locally', async () => {
    await post(slashInteraction({ data: { name: 'waddlebot', options: [{ name: 'help', type: 1 }] } }));
    await post(
      slashInteraction({ data: { name: 'so', options: [{ name: 'user', type: 3, value: 'carol' }] } }),
    );
    const status = await post(
      slashInteraction({ data: { name: 'waddlebot', options: [{ name: 'status', type: 1 }] } }),
    );
    expect(status.body).toEqual({
      type: 4,
      data: { content: 'WaddleBot is running in this server.', flags: 64 },
    });
    await idle();
    expect(
      router
        .calls('POST', '/router/events')
        .map((r) => r.json.message_content)
        .sort(),
    ).toEqual(['!help', '!so carol']);
  });

  it('maps member permissions to platform_role: ADMINISTRATOR → admin, MANAGE_MESSAGES → moderator, guild owner → owner', async () => {
    await svc.deps.db
      .updateTable('discord_guilds')
      .set({ owner_id: '9001' })
      .where('guild_id', '=', '100')
      .execute();
    const admin = slashInteraction({ permissions: String(1 << 3) });
    const mod = slashInteraction({ permissions: String(1 << 13) });
    const owner = slashInteraction({ userId: '9001' });
    const member = slashInteraction({ permissions: '2048' });
    for (const ix of [admin, mod, owner, member]) await post(ix);
    await idle();
    const roles = Object.fromEntries(
      router
        .calls('POST', '/router/events')
        .map((r) => [r.json.event_id, r.json.metadata.platform_role ?? null]),
    );
    expect(roles).toEqual({
      [admin.id]: 'admin',
      [mod.id]: 'moderator',
      [owner.id]: 'owner',
      [member.id]: null,
    });
  });

  it('an unmonitored guild gets "isn\'t set up" and nothing is forwarded', async () => {
    const ix = slashInteraction({ guild: '999' });
    expect((await post(ix)).body).toEqual({ type: 5 });
    await idle();
    expect(router.requests).toHaveLength(0);
    expect(discord.calls('PATCH', /@original$/)[0]!.json.content).toBe(
      "WaddleBot isn't set up for this server yet.",
    );
  });

  it('a duplicate interaction id is acknowledged and not forwarded twice', async () => {
    const ix = slashInteraction();
    await post(ix);
    expect((await post(ix)).body).toEqual({ type: 5 });
    await idle();
    expect(router.calls('POST', '/router/events')).toHaveLength(1);
  });

  it('router down: the user is told, ephemerally, instead of a stuck "thinking…"', async () => {
    router.reset();
    router.on('POST', '/router/events', { status: 502, body: {} });
    const ix = slashInteraction();
    await post(ix);
    await idle();
    expect(router.calls('POST', '/router/events')).toHaveLength(3);
    expect(discord.calls('POST', `/webhooks/${APP_ID}/${ix.token}`)[0]!.json.flags).toBe(64);
  });
});

describe('components, modals, autocomplete', () => {
  it('a button → {"type":6}, forwarded as interaction with custom_id/component_type/values; replies are follow-ups', async () => {
    const ix = slashInteraction({ type: 3, data: { custom_id: 'poll:yes', component_type: 2 } });
    expect((await post(ix)).body).toEqual({ type: 6 });
    await idle();
    const [event] = router.calls('POST', '/router/events');
    expect(event!.json).toMatchObject({
      message_type: 'interaction',
      message_content: 'poll:yes',
      metadata: { custom_id: 'poll:yes', component_type: 2, values: [] },
    });
    expect(discord.calls('PATCH', /@original$/)).toHaveLength(0);
  });

  it('a modal submit → {"type":5}, values by input custom_id', async () => {
    const ix = slashInteraction({
      type: 5,
      data: {
        custom_id: 'signup',
        components: [{ type: 1, components: [{ type: 4, custom_id: 'nick', value: 'Al' }] }],
      },
    });
    expect((await post(ix)).body).toEqual({ type: 5 });
    await idle();
    expect(router.calls('POST', '/router/events')[0]!.json.metadata).toMatchObject({
      custom_id: 'signup',
      values: { nick: 'Al' },
    });
  });

  it('autocomplete answers type 8 with registry commands matching the focused prefix', async () => {
    const ix = slashInteraction({
      type: 4,
      data: { name: 'command', options: [{ name: 'name', type: 3, value: 'so', focused: true }] },
    });
    const res = await post(ix);
    expect(res.body).toEqual({
      type: 8,
      data: {
        choices: [
          { name: 'so — Shout out', value: 'so' },
          { name: 'song — Now playing', value: 'song' },
        ],
      },
    });
    expect(router.calls('GET', '/router/commands')[0]!.query.get('entity_id')).toBe('discord:100:200');
  });
});

describe('POST /discord/send', () => {
  it('chat to a channel with message_reference; an interaction token < 15 min old → follow-up', async () => {
    const res = await call(svc.app, 'POST', '/discord/send', {
      entity_id: 'discord:100:200',
      replies: [{ type: 'chat', text: 'later!', reply_to: 'd9' }],
    });
    expect(res.body).toEqual({ success: true, delivered: 1 });
    const [msg] = discord.calls('POST', '/channels/200/messages');
    expect(msg!.json).toMatchObject({
      content: 'later!',
      message_reference: { message_id: 'd9' },
      allowed_mentions: { parse: [] },
    });
    expect(msg!.headers.authorization).toBe(`Bot ${BOT_TOKEN}`);
    const ctx = {
      application_id: APP_ID,
      interaction_token: 'live-tok',
      interaction_id: 'ix-live',
      interaction_created_at: rt.clock.now().toISOString(),
    };
    await call(svc.app, 'POST', '/discord/send', {
      entity_id: 'discord:100:200',
      reply_context: ctx,
      replies: [{ type: 'chat', text: 'async' }],
    });
    expect(discord.calls('PATCH', `/webhooks/${APP_ID}/live-tok/messages/@original`)[0]!.json.content).toBe(
      'async',
    );
    const old = {
      ...ctx,
      interaction_token: 'old-tok',
      interaction_id: 'ix-old',
      interaction_created_at: new Date(rt.clock.nowMs() - 16 * 60_000).toISOString(),
    };
    await call(svc.app, 'POST', '/discord/send', {
      entity_id: 'discord:100:200',
      reply_context: old,
      replies: [{ type: 'chat', text: 'too late for the token' }],
    });
    expect(discord.calls('PATCH', /old-tok/)).toHaveLength(0);
    expect(discord.calls('POST', '/channels/200/messages')).toHaveLength(2);
  });

  it('a hand-built reply_context {interaction_token, application_id} answers the interaction; a refused token falls back to the channel', async () => {
    const sent = await call(svc.app, 'POST', '/discord/send', {
      entity_id: 'discord:100:200',
      reply_context: { interaction_token: 'bare-tok', application_id: APP_ID },
      replies: [
        { type: 'chat', text: 'later!' },
        { type: 'dm', user_id: '111', text: 'Your code: Q4ZT9B' },
      ],
    });
    expect(sent.body).toEqual({ success: true, delivered: 2 });
    expect(discord.calls('PATCH', `/webhooks/${APP_ID}/bare-tok/messages/@original`)[0]!.json.content).toBe(
      'later!',
    );
    expect(discord.calls('POST', '/channels/200/messages')).toHaveLength(0);
    expect(discord.calls('POST', '/channels/dm-111/messages')[0]!.json.content).toBe('Your code: Q4ZT9B');
    // The answered-once flag lives in shared state under a digest, never under the token.
    const digest = createHash('sha256').update('bare-tok').digest('hex');
    expect(await svc.deps.state.kv.get(`discord:interaction:${digest}:answered`)).toBe('1');
    expect(await svc.deps.state.kv.get('discord:interaction:bare-tok:answered')).toBeNull();

    discord.on('PATCH', /\/dead-tok\//, {
      status: 401,
      body: { message: 'Invalid Webhook Token', code: 50027 },
    });
    discord.on('POST', /\/dead-tok$/, { status: 404, body: { message: 'Unknown Webhook', code: 10015 } });
    const fallback = await call(svc.app, 'POST', '/discord/send', {
      entity_id: 'discord:100:200',
      reply_context: { interaction_token: 'dead-tok', application_id: APP_ID },
      replies: [
        { type: 'chat', text: 'first' },
        { type: 'chat', text: 'second' },
      ],
    });
    expect(fallback.body).toEqual({ success: true, delivered: 2 });
    expect(discord.calls('PATCH', /dead-tok/)).toHaveLength(1);
    expect(discord.calls('POST', /dead-tok/)).toHaveLength(0);
    expect(discord.calls('POST', '/channels/200/messages').map((r) => r.json.content)).toEqual([
      'first',
      'second',
    ]);
  });

  it('splits at 2000 characters, at most 3 messages', async () => {
    await call(svc.app, 'POST', '/discord/send', {
      entity_id: 'discord:100:200',
      replies: [{ type: 'chat', text: 'abcd '.repeat(2000) }],
    });
    const msgs = discord.calls('POST', '/channels/200/messages');
    expect(msgs).toHaveLength(3);
    expect(msgs.every((m) => m.json.content.length <= 2000)).toBe(true);
  });

  it('dm by user_id and by exact user_name over monitored guilds; unknown name → 404; blocked DMs → 502', async () => {
    expect(
      (
        await call(svc.app, 'POST', '/discord/send', {
          replies: [{ type: 'dm', user_id: '111', text: 'Your code: K7QX2M' }],
        })
      ).status,
    ).toBe(200);
    expect(discord.calls('POST', '/users/@me/channels')[0]!.json).toEqual({ recipient_id: '111' });
    expect(discord.calls('POST', '/channels/dm-111/messages')[0]!.json.content).toBe('Your code: K7QX2M');
    expect(
      (
        await call(svc.app, 'POST', '/discord/send', {
          replies: [{ type: 'dm', user_name: 'bobby', text: 'hi' }],
        })
      ).status,
    ).toBe(200);
    expect(discord.calls('POST', '/users/@me/channels')[1]!.json).toEqual({ recipient_id: '778' });
    expect(
      (
        await call(svc.app, 'POST', '/discord/send', {
          replies: [{ type: 'dm', user_name: 'ghost', text: 'hi' }],
        })
      ).status,
    ).toBe(404);
    discord.on('POST', '/channels/dm-222/messages', {
      status: 403,
      body: { code: 50007, message: 'Cannot send messages to this user' },
    });
    const blocked = await call(svc.app, 'POST', '/discord/send', {
      replies: [{ type: 'dm', user_id: '222', text: 'hi' }],
    });
    expect(blocked.status).toBe(502);
    expect(blocked.body.error.code).toBe('UPSTREAM_ERROR');
  });

  it('delete, form as text, 429 honoured', async () => {
    let n = 0;
    discord.on('POST', '/channels/200/messages', () =>
      ++n === 1 ? { status: 429, body: { retry_after: 0.01, global: false } } : { body: { id: 'm' } },
    );
    const res = await call(svc.app, 'POST', '/discord/send', {
      entity_id: 'discord:100:200',
      replies: [
        { type: 'delete', message_id: 'bad' },
        { type: 'form', title: 'Signup', fields: [{ name: 'n', type: 'text', label: 'Name' }] },
      ],
    });
    expect(res.body.delivered).toBe(2);
    expect(discord.calls('DELETE', '/channels/200/messages/bad')).toHaveLength(1);
    expect(n).toBe(2);
    expect(discord.calls('POST', '/channels/200/messages')[1]!.json.content).toBe('Signup\n• Name (text)');
  });

  itRefusesInvalidSends(() => svc.app, {
    platform: 'discord',
    entity: 'discord:100:200',
    serverWideEntity: 'discord:100',
    platformApi: () => discord,
    failChat: (api) => api.on('POST', '/channels/200/messages', { status: 500, body: {} }),
  });
});

describe('admin endpoints and channels API', () => {
  itServesServerChannelApi(() => svc.app, {
    platform: 'discord',
    serverKey: 'guild_id',
    nameKey: 'guild_name',
    ids: { server: '300', channel: '301', otherChannel: '302' },
  });

  it('registers any contracts §3 segment (the acceptance fixtures use G1/C1), with names', async () => {
    const added = await call(svc.app, 'POST', '/discord/api/channels', {
      guild_id: 'G7',
      channel_id: 'C7',
      guild_name: 'Guild Seven',
      channel_name: 'general',
    });
    expect(added.status).toBe(201);
    expect(added.body.data).toEqual({
      server_id: 'G7',
      name: 'Guild Seven',
      is_active: true,
      channels: [{ channel_id: 'C7', channel_name: 'general' }],
    });
    const dispatch = discordDispatch(svc.deps);
    const message = (id: string, channel: string) => ({
      id,
      guild_id: 'G7',
      channel_id: channel,
      content: '!so bob',
      author: { id: '555', username: 'alice' },
      member: { roles: [] },
    });
    await dispatch.onDispatch('MESSAGE_CREATE', message('g7-in', 'C7'));
    await dispatch.onDispatch('MESSAGE_CREATE', message('g7-out', 'C8'));
    await idle();
    expect(router.calls('POST', '/router/events').map((r) => r.json.event_id)).toEqual(['g7-in']);
    expect(discord.calls('POST', '/channels/C7/messages')[0]!.json.message_reference).toEqual({
      message_id: 'g7-in',
      fail_if_not_exists: false,
    });
  });

  it('status (no credential, like health), guilds and command sync (service key)', async () => {
    const status = await call(svc.app, 'GET', '/discord/status', undefined, {});
    expect(status.status).toBe(200);
    expect(status.body.success).toBe(true);
    expect(status.body.data).toMatchObject({ gateway_connected: false });
    expect(status.body.data.guild_count).toBeGreaterThanOrEqual(1);
    expect(
      (await call(svc.app, 'GET', '/discord/guilds')).body.data.map((g: { guild_id: string }) => g.guild_id),
    ).toContain('100');
    const sync = await call(svc.app, 'POST', '/discord/commands/sync');
    expect(sync.body.data.commands.map((c: { name: string }) => c.name)).toEqual(['waddlebot', 'command']);
    const put = discord.calls('PUT', `/applications/${APP_ID}/commands`)[0]!;
    expect(put.headers.authorization).toBe(`Bot ${BOT_TOKEN}`);
    discord.on('PUT', `/applications/${APP_ID}/commands`, { status: 500, body: {} });
    expect((await call(svc.app, 'POST', '/discord/commands/sync')).status).toBe(502);
    for (const [m, p] of [
      ['GET', '/discord/guilds'],
      ['POST', '/discord/commands/sync'],
    ] as const) {
      expect((await call(svc.app, m, p, undefined, {})).status).toBe(401);
    }
  });

  itStartsWithoutPlatformCredentials(() => rt, service, {
    platform: 'discord',
    unset: ['DISCORD_PUBLIC_KEY', 'DISCORD_BOT_TOKEN'],
    webhooks: ['/discord/interactions'],
    message: 'discord is not configured: set DISCORD_PUBLIC_KEY',
    sendTo: 'discord:100:200',
  });
});

describe('raw event log', () => {
  it('keeps the interaction but never its token', async () => {
    const ix = slashInteraction();
    await post(ix);
    await idle();
    const row = await svc.deps.db
      .selectFrom('discord_events')
      .selectAll()
      .where('event_id', '=', ix.id)
      .executeTakeFirstOrThrow();
    expect(row.event_data).toMatchObject({ id: ix.id, type: 2 });
    expect(JSON.stringify(row.event_data)).not.toContain(ix.token);
    expect(row.processed).toBe(true);
    const metrics = await svc.app.request('/metrics');
    expect(await metrics.text()).toMatch(/receiver_events_total\{[^}]*stage="forwarded"[^}]*\} [1-9]/);
  });
});

describe('every service-key route refuses missing and wrong keys', () => {
  itRefusesMissingAndWrongServiceKeys(
    () => svc.app,
    [
      ['GET', '/discord/api/channels'],
      ['POST', '/discord/api/channels'],
      ['DELETE', '/discord/api/channels/100'],
      ['GET', '/discord/guilds'],
      ['POST', '/discord/commands/sync'],
      ['POST', '/discord/send'],
    ],
  );
});

describe('secrets', () => {
  itKeepsSecretsOutOfTheLog(() => rt, [BOT_TOKEN, /\btok-\d+/, /(live|bare|dead|secret)-tok/]);
});

describe('OpenAPI', () => {
  itPublishesOpenApi(
    () => svc.app,
    [
      '/discord/interactions',
      '/discord/send',
      '/discord/api/channels',
      '/discord/api/channels/{id}',
      '/discord/status',
      '/discord/guilds',
      '/discord/commands/sync',
    ],
  );
});
