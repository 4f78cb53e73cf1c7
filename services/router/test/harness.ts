import {
  call,
  createTestRuntime,
  serviceHeaders,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { RouterDB } from '../src/db.js';
import { service } from '../src/service.js';

export interface Fakes {
  module: FakeServer;
  identity: FakeServer;
  labels: FakeServer;
  reputation: FakeServer;
  browser: FakeServer;
  twitch: FakeServer;
  discord: FakeServer;
  community: FakeServer;
  alias: FakeServer;
}

export const SHOUTOUT_ANSWER = {
  success: true,
  response_action: 'chat',
  chat_message: 'bob is awesome, go follow!',
  additional_responses: [{ response_action: 'general', content: '<div>bob</div>', duration: 15 }],
};

export interface Harness {
  rt: TestRuntime;
  app: Awaited<ReturnType<TestRuntime['add']>>['app'];
  db: Kysely<RouterDB>;
  fakes: Fakes;
  identityDown: Set<string>;
  post(path: string, body: unknown, headers?: Record<string, string>): ReturnType<typeof call>;
  get(path: string, headers?: Record<string, string>): ReturnType<typeof call>;
  put(path: string, body: unknown, headers?: Record<string, string>): ReturnType<typeof call>;
  del(path: string, headers?: Record<string, string>): ReturnType<typeof call>;
  registerCommand(body: Record<string, unknown>): Promise<number>;
  /** The `command_executions` row of a RouterResult's execution id. */
  execution(executionId: string): Promise<Selectable<RouterDB['command_executions']>>;
  /**
   * Plays the community service's tables (core-and-admin §4.1) for the router's read-only
   * access: entity groups and community roles, then clears the router's caches.
   */
  playCommunity(rows: {
    groups?: { entity_id: string; community_id: number }[];
    roles?: { community_id: number; user_id: string; role: string }[];
  }): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const names = [
    'module',
    'identity',
    'labels',
    'reputation',
    'browser',
    'twitch',
    'discord',
    'community',
    'alias',
  ] as const;
  const servers = await Promise.all(names.map(() => startFakeServer()));
  const fakes = Object.fromEntries(names.map((n, i) => [n, servers[i]!])) as unknown as Fakes;
  const identityDown = new Set<string>();
  fakes.identity.on('POST', '/identity/resolve', (req) => {
    const id = String(req.json?.platform_user_id);
    if (identityDown.has(id)) return { status: 500, body: { success: false } };
    return { status: 200, body: { success: true, data: { uid: `9${id}`, created: false } } };
  });
  fakes.labels.on('GET', /^\/entity\/user\/.+\/labels$/, { status: 200, body: { success: true, data: [] } });
  fakes.reputation.on('POST', '/reputation/process', { status: 200, body: { success: true } });
  fakes.browser.on('POST', '/browser/source/display', { status: 200, body: { success: true } });
  fakes.twitch.on('POST', '/twitch/send', { status: 200, body: { success: true, delivered: 1 } });
  fakes.discord.on('POST', '/discord/send', { status: 200, body: { success: true, delivered: 1 } });
  fakes.module.on('POST', '/shoutout', { status: 200, body: SHOUTOUT_ANSWER });

  const rt = await createTestRuntime({
    env: {
      IDENTITY_URL: fakes.identity.url,
      LABELS_URL: fakes.labels.url,
      REPUTATION_URL: fakes.reputation.url,
      BROWSER_SOURCE_URL: fakes.browser.url,
      TWITCH_URL: fakes.twitch.url,
      DISCORD_URL: fakes.discord.url,
      COMMUNITY_URL: fakes.community.url,
      SHOUTOUT_URL: fakes.module.url,
      ALIAS_URL: fakes.alias.url,
      ROUTER_MAX_RETRIES: '1',
      ROUTER_RETRY_BACKOFF_MS: '20',
      ...env,
    },
  });
  const { app } = await rt.add(service);
  const db = rt.db.database.forSchema<RouterDB>('router');
  const h: Harness = {
    rt,
    app,
    db,
    fakes,
    identityDown,
    post: (path, body, headers = serviceHeaders()) => call(app, 'POST', path, body, headers),
    get: (path, headers = serviceHeaders()) => call(app, 'GET', path, undefined, headers),
    put: (path, body, headers = serviceHeaders()) => call(app, 'PUT', path, body, headers),
    del: (path, headers = serviceHeaders()) => call(app, 'DELETE', path, undefined, headers),
    async registerCommand(body) {
      const res = await h.post('/router/admin/commands', {
        module_name: 'shoutout',
        location_url: `${fakes.module.url}/shoutout`,
        ...body,
      });
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`register failed ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.data.id as number;
    },
    execution: (executionId) =>
      db
        .selectFrom('command_executions')
        .selectAll()
        .where('execution_id', '=', executionId)
        .executeTakeFirstOrThrow(),
    async playCommunity({ groups = [], roles = [] }) {
      const root = rt.db.database.root;
      await sql`create schema if not exists community`.execute(root);
      await sql`create table if not exists community.entity_groups (id serial primary key, name text, platform text, server_id text, entity_ids jsonb not null default '[]', community_id int not null, is_active boolean not null default true)`.execute(
        root,
      );
      await sql`create table if not exists community.community_rbac (id serial primary key, community_id int not null, user_id text not null, role text not null default 'member', permissions jsonb not null default '[]', is_active boolean not null default true)`.execute(
        root,
      );
      for (const g of groups) {
        await sql`insert into community.entity_groups (name, entity_ids, community_id) values (${g.entity_id}, ${JSON.stringify([g.entity_id])}::jsonb, ${g.community_id})`.execute(
          root,
        );
      }
      for (const r of roles) {
        await sql`insert into community.community_rbac (community_id, user_id, role) values (${r.community_id}, ${r.user_id}, ${r.role})`.execute(
          root,
        );
      }
      await h.post('/router/admin/cache/clear', {});
    },
    async close() {
      await rt.close();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
  return h;
}

let seq = 0;
/** A Twitch chat RouterEvent with a fresh event id. */
export function twitchChat(text: string, over: Record<string, unknown> = {}) {
  const id = `m${++seq}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    platform: 'twitch',
    server_id: '1001',
    channel_id: '',
    user_id: '555',
    user_name: 'alice',
    display_name: 'Alice',
    message_content: text,
    message_type: 'chatMessage',
    event_id: id,
    metadata: { message_id: id },
    reply_context: { broadcaster_id: '1001', message_id: id },
    ...over,
  };
}

export function twitchEvent(type: string, over: Record<string, unknown> = {}) {
  return { ...twitchChat('', over), message_type: type, ...over };
}

/** Polls a read until it yields a value (fire-and-forget writes); gives up after ~5 s. */
export async function eventually<T>(
  read: () => Promise<T | undefined>,
  ok: (v: T) => boolean = () => true,
): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 250; i++) {
    last = await read();
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`condition not met; last value ${JSON.stringify(last)}`);
}
