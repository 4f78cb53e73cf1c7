import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discordKeyPair,
  slackHeaders,
  startFakeServer,
  twitchEventSubHeaders,
  type FakeServer,
} from '@waddlebot/core/testing';
import { selectServices } from '../scripts/launcher.js';
import {
  CHAT_E2E_PORT_OFFSET,
  killPlatformProcesses,
  startPlatform,
  type PlatformProcess,
} from './support/platform-process.js';

/**
 * What a new user does after `npm start`: chat on Twitch, Discord and Slack reaches the local
 * receivers, travels receiver → router → module inside the one process, and every reply arrives
 * at the configured platform base URL (here recording fakes of Helix, Discord REST and Slack).
 */
const EVENTSUB_SECRET = 'e2e-eventsub-secret-0123';
const SLACK_SECRET = 'e2e-slack-signing-secret';
const DISCORD_APP = '4242';
const BROADCASTER = '1001';
const VIEWER = '555';
const needed = [
  'router',
  'twitch',
  'discord',
  'slack',
  'inventory',
  'memories',
  'alias',
  'shoutout',
  'calendar',
  'community',
];
const present = selectServices({});
const runnable = needed.every((n) => present.includes(n));

let platform: PlatformProcess;
let twitch: FakeServer;
let discord: FakeServer;
let slack: FakeServer;
let serviceKey: string;
const discordKeys = discordKeyPair();

beforeAll(async () => {
  if (!runnable) return;
  [twitch, discord, slack] = await Promise.all([startFakeServer(), startFakeServer(), startFakeServer()]);
  twitch.on('POST', '/oauth2/token', {
    body: { access_token: 'app-token', expires_in: 3600, token_type: 'bearer' },
  });
  twitch.on('POST', '/helix/chat/messages', { body: { data: [{ message_id: 'sent', is_sent: true }] } });
  twitch.on('GET', '/helix/users', (req) => {
    const login = req.query.get('login') ?? 'someone';
    return { body: { data: [{ id: String(login.length * 1000 + 7), login, display_name: login }] } };
  });
  twitch.on('GET', '/helix/channels', (req) => ({
    body: {
      data: [{ broadcaster_id: req.query.get('broadcaster_id'), game_name: 'Celeste', title: 'speedruns' }],
    },
  }));
  twitch.on('POST', '/helix/eventsub/subscriptions', (req) => ({
    status: 202,
    body: {
      data: [{ id: 'sub', status: 'enabled', type: req.json.type, version: '1', condition: {}, cost: 0 }],
    },
  }));
  discord.on('PATCH', /^\/webhooks\/.+\/messages\/@original$/, { body: { id: 'orig' } });
  discord.on('POST', /^\/webhooks\/[^/]+\/[^/]+$/, { body: { id: 'followup' } });
  discord.on('POST', /^\/channels\/[^/]+\/messages$/, { body: { id: 'msg' } });
  discord.on('PUT', /^\/applications\/.+\/commands$/, (req) => ({
    body: (req.json as { name: string }[]).map((c, i) => ({ id: String(i + 1), name: c.name })),
  }));
  slack.on('POST', '/api/chat.postMessage', (req) => ({
    body: { ok: true, channel: req.json?.channel, ts: '1.1' },
  }));
  slack.on('POST', '/api/users.info', {
    body: { ok: true, user: { id: 'U555', name: 'sam', real_name: 'Sam' } },
  });
  slack.on('POST', '/api/conversations.info', { body: { ok: true, channel: { id: 'C9', name: 'general' } } });
  slack.on('POST', '/api/team.info', { body: { ok: true, team: { id: 'T1', name: 'Pond' } } });

  const dataDir = mkdtempSync(path.join(tmpdir(), 'wb-e2e-'));
  platform = startPlatform({
    dataDir,
    portOffset: CHAT_E2E_PORT_OFFSET,
    env: {
      TWITCH_API_BASE_URL: `${twitch.url}/helix`,
      TWITCH_AUTH_BASE_URL: `${twitch.url}/oauth2`,
      TWITCH_CLIENT_ID: 'e2e-client',
      TWITCH_CLIENT_SECRET: 'e2e-client-secret',
      TWITCH_EVENTSUB_SECRET: EVENTSUB_SECRET,
      TWITCH_WEBHOOK_CALLBACK_URL: 'https://bot.example/twitch/webhook',
      TWITCH_BOT_USER_ID: '999',
      DISCORD_API_BASE_URL: discord.url,
      DISCORD_PUBLIC_KEY: discordKeys.publicKeyHex,
      DISCORD_BOT_TOKEN: 'e2e-discord-bot-token',
      DISCORD_APPLICATION_ID: DISCORD_APP,
      DISCORD_GATEWAY_ENABLED: 'false',
      SLACK_API_BASE_URL: `${slack.url}/api`,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-e2e-token',
      SLACK_BOT_USER_ID: 'UBOT',
    },
  });
  expect(await platform.waitReady(needed, 120_000), platform.output()).toEqual([]);
  serviceKey = readFileSync(path.join(dataDir, 'service-api-key'), 'utf8').trim();
  const added = await api('twitch', 'POST', '/twitch/api/channels', {
    broadcaster_id: BROADCASTER,
    channel_name: 'pondtv',
  });
  expect(added.status, JSON.stringify(added.body)).toBeLessThan(300);
  expect((await api('discord', 'POST', '/discord/api/channels', { guild_id: '100' })).status).toBe(201);
  expect((await api('slack', 'POST', '/slack/api/channels', { team_id: 'T1' })).status).toBe(201);
}, 180_000);

afterAll(async () => {
  if (platform) await platform.stop();
  killPlatformProcesses();
  await Promise.all([twitch, discord, slack].filter(Boolean).map((f) => f.close()));
});

async function api(service: string, method: string, route: string, body?: unknown) {
  const res = await fetch(`${platform.url(service)}${route}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'X-Service-Key': serviceKey },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

let seq = 0;
/** A signed EventSub chat notification; the broadcaster carries the broadcaster badge. */
async function twitchChat(text: string, chatter = BROADCASTER) {
  seq++;
  const body = JSON.stringify({
    subscription: {
      id: 'sub-chat',
      type: 'channel.chat.message',
      version: '1',
      status: 'enabled',
      condition: { broadcaster_user_id: BROADCASTER, user_id: '999' },
    },
    event: {
      broadcaster_user_id: BROADCASTER,
      broadcaster_user_login: 'pondtv',
      broadcaster_user_name: 'PondTV',
      chatter_user_id: chatter,
      chatter_user_login: chatter === BROADCASTER ? 'pondtv' : 'viewer',
      chatter_user_name: chatter === BROADCASTER ? 'PondTV' : 'Viewer',
      message_id: `e2e-${seq}`,
      message: { text, fragments: [] },
      badges: chatter === BROADCASTER ? [{ set_id: 'broadcaster', id: '1', info: '' }] : [],
    },
  });
  const res = await fetch(`${platform.url('twitch')}/twitch/webhook`, {
    method: 'POST',
    headers: twitchEventSubHeaders({ secret: EVENTSUB_SECRET, body }),
    body,
  });
  expect(res.status).toBeLessThan(300);
}

/** Waits for the next chat message the bot sends to Helix and returns its text. */
async function nextHelixReply(): Promise<string> {
  const seen = twitch.calls('POST', '/helix/chat/messages').length;
  return waitFor(() => twitch.calls('POST', '/helix/chat/messages')[seen]?.json.message);
}

async function say(text: string, chatter = BROADCASTER): Promise<string> {
  const reply = nextHelixReply();
  await twitchChat(text, chatter);
  return reply;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out; platform output:\n${platform.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!runnable)('chat through one npm start process', () => {
  it('Twitch: inventory, quote, alias, shoutout and calendar replies arrive at Helix', async () => {
    expect(await say('!inventory add "HDMI cable" 3')).toBe("Added 'HDMI cable' (qty 3)");
    expect(await say('!inventory checkout "HDMI cable" @viewer')).toMatch(
      /'HDMI cable' lent to viewer \(2 of 3 left\)/,
    );

    expect(await say('!memories add quote "Waddle on, friends" Pingu')).toMatch(
      /^Quote #\d+ added: "Waddle on, friends" — Pingu$/,
    );
    expect(await say('!memories quotes')).toContain('Waddle on, friends');

    expect(await say('!alias add hype "Let\'s go {user}!"')).toMatch(/^Created alias !hype/);
    expect(await say('!hype', VIEWER)).toBe("Let's go viewer!");

    expect(await say('!so @riverduck')).toMatch(/riverduck/i);

    const created = await say('!calendar create "Co-op Night" "2031-03-01 19:30" "Bring snacks" Stage 6');
    expect(created).toMatch(/^Event #\d+ created \(approved\)/);
    expect(await say('!calendar list')).toContain('Co-op Night');
  });

  it('community: create, add the channel and a role change through the API decide data and role for the next message', async () => {
    expect(await say('!inventory add Tripod 1', VIEWER)).toMatch(/permission|moderator/i);
    expect(await say('!community create Pond Crew')).toMatch(/Pond Crew/);
    expect(await say(`!community add entity twitch:${BROADCASTER}`)).toMatch(/twitch:1001/);

    // The channel now belongs to Pond Crew: the Global community's items are not its items.
    expect(await say('!inventory list')).not.toContain('HDMI cable');
    expect(await say('!inventory add Tripod 1', VIEWER)).toMatch(/permission|moderator/i);

    // Roles and memberships are keyed by the user's uid, which identity gave each chatter (contracts §14).
    const userKey = async (id: string, name: string) => {
      const res = await api('identity', 'POST', '/identity/resolve', {
        platform: 'twitch',
        platform_user_id: id,
        user_name: name,
      });
      expect(res.body?.data?.created, JSON.stringify(res.body)).toBe(false);
      return String(res.body.data.uid);
    };
    const owner = await userKey(BROADCASTER, 'pondtv');
    const viewer = await userKey(VIEWER, 'viewer');
    const info = await api('community', 'GET', `/users/${owner}/communities`);
    const crew = (info.body?.data ?? []).find((c: { name: string }) => c.name === 'Pond Crew');
    expect(crew, JSON.stringify(info.body)).toBeDefined();
    const role = await api('router', 'PUT', '/router/admin/roles', {
      user_id: viewer,
      role: 'moderator',
      community_id: crew.id,
      assigned_by: owner,
    });
    expect(role.status, JSON.stringify(role.body)).toBe(200);
    expect(await say('!inventory add Tripod 1', VIEWER)).toBe("Added 'Tripod' (qty 1)");
    expect(await say('!inventory list')).toContain('Tripod');
  });

  it('Discord: a signed slash command reaches a module and the reply edits the interaction', async () => {
    const body = JSON.stringify({
      id: 'ix-e2e',
      application_id: DISCORD_APP,
      type: 2,
      token: 'tok-e2e',
      version: 1,
      channel_id: '200',
      guild_id: '100',
      member: {
        user: { id: '777', username: 'duck', global_name: 'Duck' },
        roles: [],
        permissions: '0',
        nick: null,
      },
      data: {
        id: 'cmd',
        name: 'command',
        type: 1,
        options: [
          { name: 'name', type: 3, value: 'memories' },
          { name: 'args', type: 3, value: 'list' },
        ],
      },
    });
    const res = await fetch(`${platform.url('discord')}/discord/interactions`, {
      method: 'POST',
      headers: discordKeys.headers(body),
      body,
    });
    expect(res.status).toBe(200);
    const edit = await waitFor(
      () => discord.calls('PATCH', `/webhooks/${DISCORD_APP}/tok-e2e/messages/@original`)[0]?.json.content,
    );
    // Unassigned channels on every platform share the Global community, so Twitch's quote is here.
    expect(edit).toContain('"Waddle on, friends" — Pingu');
  });

  it('Slack: a signed channel message reaches a module and the reply is posted to the channel', async () => {
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T1',
      event_id: 'EvE2E1',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'message',
        user: 'U555',
        text: '!inventory stats',
        ts: '1700000000.0001',
        channel: 'C9',
      },
    });
    const res = await fetch(`${platform.url('slack')}/slack/events`, {
      method: 'POST',
      headers: slackHeaders({ secret: SLACK_SECRET, body }),
      body,
    });
    expect(res.status).toBe(200);
    const post = await waitFor(() => slack.calls('POST', '/api/chat.postMessage')[0]?.json);
    expect(post.channel).toBe('C9');
    // Global's one item (the HDMI cable); Pond Crew's tripod stays in Pond Crew.
    expect(post.text).toMatch(/^Items: 1, checked out: 1,/);
  });
});
