import { describe, expect, it } from 'vitest';
import { call, type FakeClock, type FakeServer, type TestRuntime } from '@waddlebot/core/testing';
import { discordDispatch, service } from '../src/service.js';
import {
  useReceiverHarness,
  type StartedReceiver,
} from '../../../libs/core/test/receiver/receiver-harness.js';
import { discordEnv, playDiscord } from './fixtures.js';

let rt: TestRuntime;
let router: FakeServer;
let discord: FakeServer;
let svc: StartedReceiver<typeof service>;
let idle: () => Promise<void>;

useReceiverHarness({
  service,
  env: (platform) => discordEnv(platform),
  playPlatform: playDiscord,
  seed: async (h) => {
    await call(h.svc.app, 'POST', '/discord/api/channels', { guild_id: '1', channel_id: '11' });
  },
  started: (h) => ({ rt, router, platform: discord, svc, idle } = h),
});

const dispatch = async (name: string, data: unknown) => {
  await discordDispatch(svc.deps).onDispatch(name, data as Record<string, unknown>);
  await idle();
};
const clock = () => rt.clock as FakeClock;
const events = () => router.calls('POST', '/router/events').map((r) => r.json);

function message(id: string, content: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    channel_id: '11',
    guild_id: '1',
    content,
    author: { id: '555', username: 'alice', global_name: 'Alice' },
    member: { roles: [], nick: null },
    ...extra,
  };
}

describe('scenario 24: gateway MESSAGE_CREATE', () => {
  it('!so bob in a monitored channel → chatMessage forwarded, reply with message_reference', async () => {
    await dispatch('MESSAGE_CREATE', message('d1', '!so bob'));
    expect(events()[0]).toMatchObject({
      platform: 'discord',
      server_id: '1',
      channel_id: '11',
      user_id: '555',
      user_name: 'alice',
      display_name: 'Alice',
      message_type: 'chatMessage',
      message_content: '!so bob',
      event_id: 'd1',
      metadata: { message_id: 'd1' },
      reply_context: { channel_id: '11', message_id: 'd1' },
    });
    const [post] = discord.calls('POST', '/channels/11/messages');
    expect(post!.json.content).toBe('bob is awesome, go follow!');
    expect(post!.json.message_reference.message_id).toBe('d1');
    expect(post!.json.allowed_mentions).toEqual({ parse: [] });
  });

  it('forwards every message, not only commands; ignores bots, webhooks and empty content', async () => {
    await dispatch('MESSAGE_CREATE', message('d2', 'hello everyone'));
    await dispatch(
      'MESSAGE_CREATE',
      message('d3', '!so bob', { author: { id: '9', username: 'otherbot', bot: true } }),
    );
    await dispatch('MESSAGE_CREATE', message('d4', '!so bob', { webhook_id: 'w' }));
    await dispatch('MESSAGE_CREATE', message('d5', '   '));
    expect(events().map((e) => e.event_id)).toEqual(['d2']);
    expect(discord.requests).toHaveLength(0);
  });

  it('ignores guilds that are not monitored, and channels outside a guild’s channel list', async () => {
    await dispatch('MESSAGE_CREATE', message('d6', '!so bob', { guild_id: '2' }));
    await dispatch('MESSAGE_CREATE', message('d7', '!so bob', { channel_id: '12' }));
    expect(router.requests).toHaveLength(0);
    const rows = await svc.deps.db
      .selectFrom('discord_events')
      .select('event_id')
      .where('event_id', 'in', ['d6', 'd7'])
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('DMs are ignored unless DISCORD_ALLOW_DMS', async () => {
    await dispatch('MESSAGE_CREATE', message('d8', '!so bob', { guild_id: undefined, member: undefined }));
    expect(router.requests).toHaveLength(0);
  });

  it('the same message twice is forwarded once', async () => {
    await dispatch('MESSAGE_CREATE', message('d9', 'hi'));
    await dispatch('MESSAGE_CREATE', message('d9', 'hi'));
    expect(events()).toHaveLength(1);
  });
});

describe('platform roles from the guild role cache', () => {
  it('owner from GUILD_CREATE, admin/moderator from the OR of @everyone and member roles', async () => {
    await dispatch('GUILD_CREATE', {
      id: '1',
      name: 'Guild One',
      owner_id: '9001',
      member_count: 10,
      roles: [
        { id: '1', permissions: '0' },
        { id: 'r-admin', permissions: String(1 << 3) },
        { id: 'r-mod', permissions: String((1 << 13) | (1 << 10)) },
      ],
    });
    await dispatch('MESSAGE_CREATE', message('r1', 'a', { author: { id: '9001', username: 'own' } }));
    await dispatch('MESSAGE_CREATE', message('r2', 'b', { member: { roles: ['r-admin'] } }));
    await dispatch('MESSAGE_CREATE', message('r3', 'c', { member: { roles: ['r-mod'] } }));
    await dispatch('MESSAGE_CREATE', message('r4', 'd', { member: { roles: [] } }));
    await dispatch('GUILD_ROLE_UPDATE', { guild_id: '1', role: { id: '1', permissions: String(1 << 13) } });
    await dispatch('MESSAGE_CREATE', message('r5', 'e', { member: { roles: [] } }));
    await dispatch('GUILD_ROLE_DELETE', { guild_id: '1', role_id: 'r-admin' });
    await dispatch('GUILD_ROLE_UPDATE', { guild_id: '1', role: { id: '1', permissions: '0' } });
    await dispatch('MESSAGE_CREATE', message('r6', 'f', { member: { roles: ['r-admin'] } }));
    const roles = Object.fromEntries(events().map((e) => [e.event_id, e.metadata.platform_role ?? null]));
    expect(roles).toEqual({ r1: 'owner', r2: 'admin', r3: 'moderator', r4: null, r5: 'moderator', r6: null });
  });

  it('GUILD_CREATE of a new guild monitors it; after an operator removes it a reconnect does not re-add it', async () => {
    await dispatch('GUILD_CREATE', { id: '77', name: 'New', owner_id: '1', roles: [] });
    await dispatch('MESSAGE_CREATE', message('g1', 'hi', { guild_id: '77' }));
    expect(events()).toHaveLength(1);
    expect((await call(svc.app, 'DELETE', '/discord/api/channels/77')).status).toBe(200);
    await dispatch('GUILD_CREATE', { id: '77', name: 'New', owner_id: '1', roles: [] });
    await dispatch('MESSAGE_CREATE', message('g2', 'hi', { guild_id: '77' }));
    expect(events()).toHaveLength(1);
  });
});

describe('other dispatches (§6.2)', () => {
  it('reaction, member join/leave, ban', async () => {
    await dispatch('MESSAGE_REACTION_ADD', {
      user_id: '555',
      channel_id: '11',
      message_id: 'd1',
      guild_id: '1',
      emoji: { id: null, name: '🔥' },
      member: { user: { id: '555', username: 'alice' }, roles: [] },
    });
    await dispatch('GUILD_MEMBER_ADD', {
      guild_id: '1',
      user: { id: '600', username: 'newbie' },
      joined_at: '2025-11-20T18:00:00Z',
      roles: [],
    });
    await dispatch('GUILD_MEMBER_REMOVE', { guild_id: '1', user: { id: '601', username: 'leaver' } });
    await dispatch('GUILD_BAN_ADD', { guild_id: '1', user: { id: '602', username: 'troll' } });
    await dispatch('MESSAGE_REACTION_ADD', {
      user_id: '8',
      channel_id: '11',
      message_id: 'd1',
      guild_id: '1',
      emoji: { name: 'x' },
      member: { user: { id: '8', username: 'b', bot: true } },
    });
    const got = events().map((e) => [e.message_type, e.user_id, e.channel_id]);
    expect(got).toEqual([
      ['reaction', '555', '11'],
      ['member_join', '600', ''],
      ['member_leave', '601', ''],
      ['ban', '602', ''],
    ]);
    expect(events()[0].metadata).toMatchObject({ emoji: '🔥', message_id: 'd1' });
    expect(events()[1].event_id).toBe(`GUILD_MEMBER_ADD:1:600:${clock().nowMs()}`);
  });

  it('voice: join, then leave → voice_leave and voice_time with whole minutes', async () => {
    await dispatch('VOICE_STATE_UPDATE', {
      guild_id: '1',
      channel_id: '11',
      user_id: '555',
      member: { user: { id: '555', username: 'alice' } },
    });
    clock().advance(125_000);
    await dispatch('VOICE_STATE_UPDATE', {
      guild_id: '1',
      channel_id: null,
      user_id: '555',
      member: { user: { id: '555', username: 'alice' } },
    });
    const got = events().map((e) => [e.message_type, e.channel_id, e.metadata.minutes ?? null]);
    expect(got).toEqual([
      ['voice_join', '11', null],
      ['voice_leave', '11', null],
      ['voice_time', '11', 2],
    ]);
    expect(new Set(events().map((e) => e.event_id)).size).toBe(3);
  });

  it('boost when premium_since goes from unset to set; not again on a later update', async () => {
    const since = clock().now().toISOString();
    await dispatch('GUILD_MEMBER_UPDATE', {
      guild_id: '1',
      user: { id: '700', username: 'booster' },
      premium_since: null,
      roles: [],
    });
    await dispatch('GUILD_MEMBER_UPDATE', {
      guild_id: '1',
      user: { id: '700', username: 'booster' },
      premium_since: since,
      roles: [],
    });
    clock().advance(1000);
    await dispatch('GUILD_MEMBER_UPDATE', {
      guild_id: '1',
      user: { id: '700', username: 'booster' },
      premium_since: since,
      roles: ['x'],
    });
    expect(events().map((e) => e.message_type)).toEqual(['boost']);
  });
});

describe('gateway leader lease (§6.2)', () => {
  it('only one replica connects; when it stops, a standby takes over; dispatches reach onDispatch', async () => {
    const { runGateway, GATEWAY_LEADER_KEY } = await import('../src/gateway-connection.js');
    const { discordReceiver } = await import('../src/receiver.js');
    const connected: string[] = [];
    const emitters: Record<string, (name: string, data: Record<string, unknown>) => void> = {};
    const connector =
      (name: string) =>
      async (events: {
        dispatch(n: string, d: Record<string, unknown>): void;
        connected(up: boolean): void;
      }) => {
        connected.push(name);
        emitters[name] = events.dispatch;
        events.connected(true);
        return { close: async () => void connected.splice(connected.indexOf(name), 1) };
      };
    const handler = discordDispatch(svc.deps);
    const receiver = discordReceiver(svc.deps);
    const stopA = runGateway(svc.deps, receiver, handler, { connector: connector('a'), renewMs: 10 });
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(ok()).toBe(true);
    };
    await until(() => connected.includes('a'));
    const stopB = runGateway(svc.deps, receiver, handler, { connector: connector('b'), renewMs: 10 });
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 5));
    expect(connected).toEqual(['a']);
    expect(await svc.deps.state.kv.get(GATEWAY_LEADER_KEY)).not.toBeNull();
    emitters.a!('MESSAGE_CREATE', message('lease-1', 'via the gateway'));
    await until(() => router.calls('POST', '/router/events').length === 1);
    await stopA();
    await until(() => connected.includes('b'));
    expect(connected).toEqual(['b']);
    await stopB();
    expect(await svc.deps.state.kv.get(GATEWAY_LEADER_KEY)).toBeNull();
    expect(receiver.gatewayState.connected).toBe(false);
  });
});
