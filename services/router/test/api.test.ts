import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { call, serviceHeaders } from '@waddlebot/core/testing';
import { eventually, startHarness, twitchChat, type Harness } from './harness.js';

let h: Harness;
const BOOTSTRAP_KEY = `wbot_${'b'.repeat(43)}`;
let soId: number;
let interactionKey: string;
let webhookKey: string;
let adminKey: string;
let interactionId: number;

const keyHeaders = (key: string) => ({ 'X-API-Key': key, 'Content-Type': 'application/json' });
const bearer = (key: string) => ({ Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' });
const noKey = { 'Content-Type': 'application/json' };
const wrongKey = {
  'X-Service-Key': 'wrong-key-wrong-key-wrong-key-wrong-key',
  'Content-Type': 'application/json',
};

async function account(type: string, extra: Record<string, unknown> = {}) {
  const res = await h.post('/router/admin/service-accounts', {
    account_name: `${type}-${Math.random()}`,
    account_type: type,
    ...extra,
  });
  expect(res.status).toBe(201);
  expect(res.body.data.api_key).toMatch(/^wbot_[A-Za-z0-9_-]{43}$/);
  return res.body.data as { id: number; api_key: string };
}

beforeAll(async () => {
  h = await startHarness({ ROUTER_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY });
  soId = await h.registerCommand({ command: 'so', rate_limit: 2 });
  const i = await account('interaction');
  interactionKey = i.api_key;
  interactionId = i.id;
  webhookKey = (await account('webhook')).api_key;
  adminKey = (await account('admin')).api_key;
});
afterAll(async () => h.close());
beforeEach(() => {
  for (const f of Object.values(h.fakes)) f.requests.length = 0;
});

describe('scenario 15: router auth and validation on /router/events', () => {
  it('no key → 401 AUTH_REQUIRED, wrong key → 401 INVALID_API_KEY, with request ids', async () => {
    const a = await h.post('/router/events', twitchChat('hi'), noKey);
    expect(a.status).toBe(401);
    expect(a.body.error.code).toBe('AUTH_REQUIRED');
    expect(a.body.error.request_id).toBeTruthy();
    const b = await h.post('/router/events', twitchChat('hi'), wrongKey);
    expect(b.status).toBe(401);
    expect(b.body.error.code).toBe('INVALID_API_KEY');
    const c = await h.post('/router/events', twitchChat('hi'), keyHeaders('wbot_' + 'x'.repeat(43)));
    expect(c.body.error.code).toBe('INVALID_API_KEY');
  });

  it('an external interaction key is 403 FORBIDDEN on a service-only route', async () => {
    const res = await h.post('/router/events', twitchChat('hi'), keyHeaders(interactionKey));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('missing user_id → 400 with details path; unknown type → 400', async () => {
    const { user_id: _u, ...noUser } = twitchChat('hi');
    const res = await h.post('/router/events', noUser);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('user_id');
    const bad = await h.post('/router/events', twitchChat('hi', { message_type: 'foo' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].message).toContain('chatMessage');
    expect(bad.body.error.request_id).toBeTruthy();
    const malformed = await h.post('/router/events', '{nope');
    expect(malformed.status).toBe(400);
  });

  it('a client-supplied entity_id is ignored', async () => {
    const res = await h.post(
      '/router/events',
      twitchChat('!so x', { entity_id: 'discord:EVIL:1', user_id: '11' }),
    );
    expect(res.body.outcome).toBe('executed');
    expect(h.fakes.module.calls('POST', '/shoutout')[0]!.json.entity_id).toBe('twitch:1001');
  });

  it('/api/v1/router aliases the same handlers', async () => {
    const res = await h.post('/api/v1/router/events', twitchChat('hello'));
    expect(res.body.outcome).toBe('not_command');
    expect((await h.post('/api/v1/router/events', twitchChat('hello'), noKey)).status).toBe(401);
  });
});

describe('scenario 25: batch and health', () => {
  it('invalid events are skipped; >100 is 400; not an array is 400', async () => {
    const { server_id: _s, ...broken } = twitchChat('x');
    const res = await h.post('/router/events/batch', {
      events: [twitchChat('hello'), broken, twitchChat('!so b', { user_id: '12' })],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      total_count: 3,
      processed_count: 2,
      successful_count: 2,
      failed_count: 1,
    });
    expect(res.body.results[1]).toMatchObject({ index: 1, success: false });
    expect(res.body.results[2]).toMatchObject({ index: 2, outcome: 'executed', command: 'so' });
    const many = Array.from({ length: 101 }, () => twitchChat('x'));
    expect((await h.post('/router/events/batch', { events: many })).status).toBe(400);
    expect((await h.post('/router/events/batch', { events: 'nope' })).status).toBe(400);
    expect((await h.post('/router/events/batch', { events: [] }, noKey)).status).toBe(401);
  });

  it('a batch over 64 KiB but under 1 MiB is accepted; a single event over 64 KiB is 413', async () => {
    const big = Array.from({ length: 20 }, () => twitchChat('y'.repeat(4000)));
    const res = await h.post('/router/events/batch', { events: big });
    expect(res.status).toBe(200);
    expect(res.body.processed_count).toBe(20);
    const huge = await h.post('/router/events', {
      ...twitchChat('x'),
      metadata: { pad: 'z'.repeat(70_000) },
    });
    expect(huge.status).toBe(413);
  });

  it('openapi.json documents the router paths', async () => {
    const res = await h.get('/openapi.json', noKey);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/router/events', '/router/admin/commands', '/internal/user-merged']),
    );
    // Write endpoints publish their bodies, updates included.
    for (const [path, method] of [
      ['/router/admin/commands/{id}', 'put'],
      ['/router/string-rules/{id}', 'put'],
      ['/router/admin/roles', 'put'],
      ['/router/admin/service-accounts', 'post'],
      ['/router/responses', 'post'],
    ] as const) {
      expect(res.body.paths[path][method].requestBody, `${method} ${path}`).toBeDefined();
    }
  });

  it('readiness fails (503) while the database is unreachable; liveness stays 200', async () => {
    const database = h.rt.shared.database as { ping: () => Promise<void> };
    const ping = database.ping;
    database.ping = () =>
      Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    try {
      const ready = await h.get('/router/health', noKey);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'unhealthy', checks: { database: 'error' } });
      expect((await h.get('/readyz', noKey)).status).toBe(503);
      expect((await h.get('/healthz', noKey)).status).toBe(200);
    } finally {
      database.ping = ping;
    }
  });

  it('health endpoints', async () => {
    expect((await h.get('/healthz', noKey)).status).toBe(200);
    const ready = await h.get('/router/health', noKey);
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database).toBe('ok');
    const metrics = await h.app.request('/metrics');
    const text = await metrics.text();
    expect(text).toContain('router_events_total');
    expect(text).toContain('router_outcomes_total');
  });
});

describe('scenario 14: /router/responses validation and auth', () => {
  let executionId: string;
  let sessionId: string;
  beforeAll(async () => {
    h.fakes.module.on('POST', '/async', { status: 202, body: {} });
    await h.registerCommand({ command: 'async', location_url: `${h.fakes.module.url}/async` });
    const res = await h.post('/router/events', twitchChat('!async', { user_id: '20' }));
    expect(res.body.outcome).toBe('pending');
    executionId = res.body.execution_id;
    sessionId = res.body.session_id;
  });
  const body = (over: Record<string, unknown> = {}) => ({
    execution_id: executionId,
    session_id: sessionId,
    module_name: 'shoutout',
    success: true,
    response_action: 'chat',
    chat_message: 'done',
    ...over,
  });

  it('bad action 400, unknown execution 404, unknown session 404, no key 401', async () => {
    expect((await h.post('/router/responses', body({ response_action: 'banner' }))).status).toBe(400);
    expect(
      (await h.post('/router/responses', body({ execution_id: '00000000-0000-4000-8000-000000000000' })))
        .status,
    ).toBe(404);
    expect((await h.post('/router/responses', body({ execution_id: 'not-a-uuid' }))).status).toBe(404);
    expect(
      (await h.post('/router/responses', body({ session_id: '00000000-0000-4000-8000-000000000000' })))
        .status,
    ).toBe(404);
    const none = await h.post('/router/responses', body(), noKey);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    expect(h.fakes.twitch.requests).toHaveLength(0);
    const rows = await h.db
      .selectFrom('module_responses')
      .selectAll()
      .where('execution_id', '=', executionId)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('a session of another entity is 403', async () => {
    const discord = await h.post('/router/events', {
      ...twitchChat('hello', { platform: 'discord', server_id: 'G1', channel_id: 'C1' }),
    });
    const res = await h.post('/router/responses', body({ session_id: discord.body.session_id }));
    expect(res.status).toBe(403);
  });

  it('expired session is 404', async () => {
    const ev = await h.post('/router/events', twitchChat('!async', { user_id: '21' }));
    await h.rt.shared.state.kv.del(`waddlebot:session:${ev.body.session_id}`);
    const res = await h.post(
      '/router/responses',
      body({ execution_id: ev.body.execution_id, session_id: ev.body.session_id }),
    );
    expect(res.status).toBe(404);
  });

  it('interaction and webhook keys are accepted; an admin key is not', async () => {
    const admin = await h.post('/router/responses', body(), keyHeaders(adminKey));
    expect(admin.status).toBe(403);
    const ok = await h.post('/router/responses', body(), keyHeaders(interactionKey));
    expect(ok.status).toBe(200);
    expect(ok.body.response_id).toBeTruthy();
    const hook = await h.post('/router/responses', body({ chat_message: 'again' }), bearer(webhookKey));
    expect(hook.status).toBe(200);
    expect(h.fakes.twitch.calls('POST', '/twitch/send')).toHaveLength(2);
  });

  it('GET responses: non-UUID 400, /recent before :id, admin-only recent', async () => {
    expect((await h.get('/router/responses/nope')).status).toBe(400);
    const recent = await h.get('/router/responses/recent?limit=5', keyHeaders(adminKey));
    expect(recent.status).toBe(200);
    expect(Array.isArray(recent.body.data)).toBe(true);
    expect((await h.get('/router/responses/recent', keyHeaders(interactionKey))).status).toBe(403);
    const one = await h.get(`/router/responses/${executionId}`, keyHeaders(interactionKey));
    expect(one.body.data.total).toBe(2);
  });
});

describe('scenario 26: outbound messages', () => {
  const chat = (key: string) => ({
    platform: 'twitch',
    entity_id: 'twitch:1001',
    type: 'chat',
    text: '⏰ soon',
    module_name: 'calendar',
    idempotency_key: key,
  });

  it('delivers once per idempotency key', async () => {
    const first = await h.post('/router/messages/outbound', chat('calendar:reminder:1'));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ success: true, duplicate: false });
    const again = await h.post('/router/messages/outbound', chat('calendar:reminder:1'));
    expect(again.body).toMatchObject({ success: true, duplicate: true, outbound_id: first.body.outbound_id });
    const sent = h.fakes.twitch.calls('POST', '/twitch/send');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.json).toEqual({ entity_id: 'twitch:1001', replies: [{ type: 'chat', text: '⏰ soon' }] });
  });

  it('dm by user_name goes to the receiver without an entity', async () => {
    const res = await h.post('/router/messages/outbound', {
      platform: 'twitch',
      type: 'dm',
      user_name: 'alicetv',
      text: 'code',
      module_name: 'identity',
      idempotency_key: 'identity:verification:1',
    });
    expect(res.status).toBe(200);
    expect(h.fakes.twitch.calls('POST', '/twitch/send')[0]!.json).toEqual({
      replies: [{ type: 'dm', text: 'code', user_name: 'alicetv' }],
    });
    expect(h.rt.logLines.some((l) => l.includes('"text":"code"'))).toBe(false);
  });

  it('unknown entity 404, platform mismatch 400, receiver failure 502 then retry delivers', async () => {
    expect(
      (await h.post('/router/messages/outbound', { ...chat('k2'), entity_id: 'twitch:424242' })).status,
    ).toBe(404);
    expect((await h.post('/router/messages/outbound', { ...chat('k3'), platform: 'discord' })).status).toBe(
      400,
    );
    h.fakes.twitch.on('POST', '/twitch/send', { status: 500, body: {} });
    const failed = await h.post('/router/messages/outbound', chat('k4'));
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('UPSTREAM_ERROR');
    h.fakes.twitch.on('POST', '/twitch/send', { status: 200, body: { success: true, delivered: 1 } });
    const retry = await h.post('/router/messages/outbound', chat('k4'));
    expect(retry.body.duplicate).toBe(false);
    expect((await h.post('/router/messages/outbound', chat('k5'), noKey)).status).toBe(401);
    expect((await h.post('/router/messages/outbound', chat('k5'), keyHeaders(adminKey))).status).toBe(403);
  });
});

describe('outbound idempotency under concurrency', () => {
  it('two simultaneous requests with one key deliver once; both answer 200', async () => {
    h.fakes.twitch.on('POST', '/twitch/send', {
      status: 200,
      body: { success: true, delivered: 1 },
      delayMs: 150,
    });
    const body = {
      platform: 'twitch',
      entity_id: 'twitch:1001',
      type: 'chat',
      text: 'raffle closes soon',
      module_name: 'calendar',
      idempotency_key: 'calendar:reminder:concurrent',
    };
    const [a, b] = await Promise.all([
      h.post('/router/messages/outbound', body),
      h.post('/router/messages/outbound', body),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.duplicate, b.body.duplicate].sort()).toEqual([false, true]);
    expect(a.body.outbound_id).toBe(b.body.outbound_id);
    expect(h.fakes.twitch.calls('POST', '/twitch/send')).toHaveLength(1);
    h.fakes.twitch.on('POST', '/twitch/send', { status: 200, body: { success: true, delivered: 1 } });
  });

  it('a key whose delivery failed is free again for the next attempt', async () => {
    h.fakes.twitch.on('POST', '/twitch/send', { status: 502, body: { success: false } });
    const body = {
      platform: 'twitch',
      type: 'dm',
      user_id: '777',
      text: 'hello',
      module_name: 'spotify',
      idempotency_key: 'spotify:connect:777',
    };
    expect((await h.post('/router/messages/outbound', body)).status).toBe(502);
    // The router does not retry the receiver itself: callers retry with the same key.
    expect(h.fakes.twitch.calls('POST', '/twitch/send')).toHaveLength(1);
    h.fakes.twitch.on('POST', '/twitch/send', { status: 200, body: { success: true, delivered: 1 } });
    const retry = await h.post('/router/messages/outbound', body);
    expect(retry.status).toBe(200);
    expect(retry.body.duplicate).toBe(false);
  });
});

describe('service accounts and external keys', () => {
  it('ROUTER_BOOTSTRAP_ADMIN_KEY becomes an admin account stored as a hash', async () => {
    expect((await h.get('/router/admin/service-accounts', keyHeaders(BOOTSTRAP_KEY))).status).toBe(200);
    const rows = await h.db.selectFrom('service_accounts').select(['account_name', 'api_key_hash']).execute();
    expect(rows.find((r) => r.account_name === 'bootstrap-admin')?.api_key_hash).toHaveLength(64);
    expect(JSON.stringify(rows)).not.toContain(BOOTSTRAP_KEY);
  });

  it('keys are stored as sha256 only and listed without keys', async () => {
    const list = await h.get('/router/admin/service-accounts');
    expect(list.status).toBe(200);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(interactionKey);
    expect(text).not.toContain('api_key_hash');
    const row = await h.db
      .selectFrom('service_accounts')
      .selectAll()
      .where('id', '=', interactionId)
      .executeTakeFirstOrThrow();
    expect(row.api_key_hash).toHaveLength(64);
    expect(row.api_key_hash).not.toContain(interactionKey);
    expect(h.rt.logLines.some((l) => l.includes(interactionKey))).toBe(false);
  });

  it('duplicate name 409; bad type 400', async () => {
    const name = `dup-${Math.random()}`;
    expect(
      (await h.post('/router/admin/service-accounts', { account_name: name, account_type: 'admin' })).status,
    ).toBe(201);
    expect(
      (await h.post('/router/admin/service-accounts', { account_name: name, account_type: 'admin' })).status,
    ).toBe(409);
    expect(
      (await h.post('/router/admin/service-accounts', { account_name: 'x', account_type: 'collector' }))
        .status,
    ).toBe(400);
  });

  it('admin key reaches admin routes, interaction key does not; revoke and regenerate', async () => {
    expect((await h.get('/router/admin/service-accounts', keyHeaders(adminKey))).status).toBe(200);
    expect((await h.get('/router/admin/service-accounts', keyHeaders(interactionKey))).status).toBe(403);
    expect((await h.get('/router/admin/service-accounts', noKey)).status).toBe(401);
    expect((await h.get('/router/admin/service-accounts', wrongKey)).status).toBe(401);
    const acct = await account('interaction');
    expect((await h.get('/router/commands', keyHeaders(acct.api_key))).status).toBe(200);
    const regen = await h.post(`/router/admin/service-accounts/${acct.id}/regenerate`, {});
    expect(regen.status).toBe(200);
    expect((await h.get('/router/commands', keyHeaders(acct.api_key))).body.error.code).toBe(
      'INVALID_API_KEY',
    );
    expect((await h.get('/router/commands', keyHeaders(regen.body.data.api_key))).status).toBe(200);
    expect((await h.post(`/router/admin/service-accounts/${acct.id}/revoke`, {})).status).toBe(200);
    expect((await h.get('/router/commands', keyHeaders(regen.body.data.api_key))).status).toBe(401);
    expect((await h.post('/router/admin/service-accounts/99999/revoke', {})).status).toBe(404);
  });

  it('expired keys are refused; permission patterns restrict endpoints; hourly quota → 429', async () => {
    const expired = await account('interaction', { expires_at: '2020-01-01T00:00:00Z' });
    expect((await h.get('/router/commands', keyHeaders(expired.api_key))).body.error.code).toBe(
      'INVALID_API_KEY',
    );
    const narrow = await account('interaction', { permissions: ['GET router/entities'] });
    expect((await h.get('/router/entities', keyHeaders(narrow.api_key))).status).toBe(200);
    expect((await h.get('/router/commands', keyHeaders(narrow.api_key))).status).toBe(403);
    const limited = await account('interaction', { rate_limit: 2 });
    expect((await h.get('/router/entities', keyHeaders(limited.api_key))).status).toBe(200);
    expect((await h.get('/router/entities', keyHeaders(limited.api_key))).status).toBe(200);
    const over = await h.get('/router/entities', keyHeaders(limited.api_key));
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('usage is recorded per account', async () => {
    await h.get('/router/entities', keyHeaders(interactionKey));
    await eventually(() =>
      h.db
        .selectFrom('api_usage')
        .select('id')
        .where('service_account_id', '=', interactionId)
        .executeTakeFirst(),
    );
    const usage = await h.get(`/router/admin/api-usage?account_id=${interactionId}`);
    expect(usage.status).toBe(200);
    expect(usage.body.data.total_requests).toBeGreaterThan(0);
    expect(usage.body.data.top_endpoints[0].endpoint).toMatch(/^\/router\//);
    const row = await eventually(
      () =>
        h.db
          .selectFrom('service_accounts')
          .select(['usage_count', 'last_used'])
          .where('id', '=', interactionId)
          .executeTakeFirst(),
      (r) => r.usage_count > 0,
    );
    expect(row.usage_count).toBeGreaterThan(0);
    expect(row.last_used).not.toBeNull();
  });
});

describe('read-outs: commands, entities, metrics', () => {
  it('GET /router/commands lists with prefix; enabled only with entity_id', async () => {
    const all = await h.get('/router/commands');
    expect(all.body.data.commands.some((c: { command: string }) => c.command === '!so')).toBe(true);
    expect(all.body.data.commands[0].enabled).toBeUndefined();
    await h.put(`/router/admin/commands/${soId}/entities/twitch:7007`, { is_enabled: false });
    const scoped = await h.get('/router/commands?entity_id=twitch:7007');
    expect(scoped.body.data.commands.find((c: { command: string }) => c.command === '!so').enabled).toBe(
      false,
    );
    const other = await h.get('/router/commands?entity_id=twitch:1001');
    expect(other.body.data.commands.find((c: { command: string }) => c.command === '!so').enabled).toBe(true);
    expect((await h.get('/router/commands?prefix=%3F')).status).toBe(400);
    expect((await h.get('/router/commands', noKey)).status).toBe(401);
  });

  it('GET /router/entities and /router/metrics', async () => {
    const ents = await h.get('/router/entities');
    expect(
      ents.body.data.entities.some(
        (e: { entity_id: string; owner: string }) => e.entity_id === 'twitch:1001' && e.owner === 'system',
      ),
    ).toBe(true);
    const m = await h.get('/router/metrics', keyHeaders(adminKey));
    expect(m.status).toBe(200);
    expect(m.body.data.processor.commands_processed).toBeGreaterThan(0);
    expect(m.body.data.database.total_commands).toBeGreaterThan(0);
    expect((await h.get('/router/metrics', keyHeaders(interactionKey))).status).toBe(403);
  });
});

describe('communities, roles and cache clear', () => {
  beforeAll(async () => {
    await h.playCommunity({
      groups: [{ entity_id: 'twitch:8001', community_id: 7 }],
      roles: [{ community_id: 7, user_id: '930', role: 'admin' }],
    });
  });

  it('an entity in a group belongs to its community; community roles apply only there', async () => {
    h.fakes.module.on('POST', '/ban', { status: 200, body: { success: true, chat_message: 'banned' } });
    await h.registerCommand({
      command: 'ban',
      location_url: `${h.fakes.module.url}/ban`,
      required_permission: 'users.ban',
    });
    const inCommunity = await h.post(
      '/router/events',
      twitchChat('!ban x', { server_id: '8001', user_id: '30' }),
    );
    expect(inCommunity.body.outcome).toBe('executed');
    expect(h.fakes.module.calls('POST', '/ban')[0]!.json).toMatchObject({
      community_id: '7',
      user_context: { role: 'admin' },
    });
    const elsewhere = await h.post(
      '/router/events',
      twitchChat('!ban x', { server_id: '8002', user_id: '30' }),
    );
    expect(elsewhere.body.outcome).toBe('forbidden');
  });

  it('a community-specific command row overrides the global one there only', async () => {
    h.fakes.module.on('POST', '/so7', { status: 200, body: { success: true, chat_message: 'community so' } });
    await h.post('/router/admin/commands', {
      command: 'so',
      community_id: 7,
      module_name: 'shoutout',
      location_url: `${h.fakes.module.url}/so7`,
    });
    expect(
      (await h.post('/router/events', twitchChat('!so a', { server_id: '8001', user_id: '31' }))).body
        .replies[0].text,
    ).toBe('community so');
    expect(
      (await h.post('/router/events', twitchChat('!so a', { server_id: '8003', user_id: '31' }))).body
        .replies[0].text,
    ).toBe('bob is awesome, go follow!');
  });

  it('cache clear picks up a role change made by the community service', async () => {
    const db = h.rt.db.database.root;
    expect(
      (await h.post('/router/events', twitchChat('!ban x', { server_id: '8001', user_id: '32' }))).body
        .outcome,
    ).toBe('forbidden');
    await sql`insert into community.community_rbac (community_id, user_id, role) values (7, '932', 'owner')`.execute(
      db,
    );
    const cleared = await h.post('/router/admin/cache/clear', { entity_id: 'twitch:8001' });
    expect(cleared.status).toBe(200);
    expect(
      (await h.post('/router/events', twitchChat('!ban x', { server_id: '8001', user_id: '32' }))).body
        .outcome,
    ).toBe('executed');
    expect((await h.post('/router/admin/cache/clear', { entity_id: 5 })).status).toBe(400);
    expect((await h.post('/router/admin/cache/clear', {}, noKey)).status).toBe(401);
  });

  it('permission read-out', async () => {
    const res = await h.get('/router/admin/users/930/permissions?community_id=7');
    expect(res.body.data).toMatchObject({ user_id: '930', role: 'admin', community_id: 7 });
    expect(res.body.data.permissions).toContain('users.ban');
    const global = await h.get('/router/admin/users/930/permissions');
    expect(global.body.data.role).toBe('member');
  });
});

describe('/internal/user-merged', () => {
  it('re-keys entity_roles (higher role wins) and drops cached uids', async () => {
    await h.put('/router/admin/roles', { user_id: '9400', role: 'moderator', entity_id: 'twitch:1001' });
    await h.put('/router/admin/roles', { user_id: '9401', role: 'vip', entity_id: 'twitch:1001' });
    await h.put('/router/admin/roles', { user_id: '9400', role: 'admin', entity_id: 'twitch:9009' });
    const res = await h.post('/internal/user-merged', {
      from_uid: '9400',
      into_uid: '9401',
      identities: [{ platform: 'twitch', platform_user_id: '400' }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { merged: true } });
    const rows = await h.db
      .selectFrom('entity_roles')
      .selectAll()
      .where('is_active', '=', true)
      .where('user_id', 'in', ['9400', '9401'])
      .execute();
    expect(rows.map((r) => [r.entity_id, r.user_id, r.role]).sort()).toEqual([
      ['twitch:1001', '9401', 'moderator'],
      ['twitch:9009', '9401', 'admin'],
    ]);
    expect((await h.post('/internal/user-merged', { from_uid: 'a', into_uid: 'b' }, noKey)).status).toBe(401);
    expect((await h.post('/internal/user-merged', { from_uid: '' })).status).toBe(400);
  });
});

describe('coordination', () => {
  it('claims under the caller container id, heartbeats, reports, releases', async () => {
    await h.db
      .insertInto('coordination')
      .values([
        { platform: 'discord', server_id: 'G1', channel_id: '', entity_id: 'discord:G1' },
        { platform: 'discord', server_id: 'G2', channel_id: '', entity_id: 'discord:G2' },
      ] as never)
      .execute();
    const a = await h.post('/router/coordination/claim', {
      platform: 'discord',
      container_id: 'A',
      max_claims: 1,
    });
    expect(a.body.data).toMatchObject({ claimed_count: 1, container_id: 'A' });
    const b = await h.post('/router/coordination/claim', {
      platform: 'discord',
      container_id: 'B',
      max_claims: 5,
    });
    expect(b.body.data.claimed_count).toBe(1);
    expect(b.body.data.claimed_entities[0]).not.toBe(a.body.data.claimed_entities[0]);
    const hb = await h.post('/router/coordination/heartbeat', { container_id: 'B' });
    expect(hb.body.data.claimed_count).toBe(1);
    const ent = b.body.data.claimed_entities[0];
    expect(
      (await h.post('/router/coordination/status', { container_id: 'B', entity_id: ent, is_live: true }))
        .status,
    ).toBe(200);
    for (let i = 0; i < 3; i++)
      await h.post('/router/coordination/error', { container_id: 'B', entity_id: ent, error_message: 'x' });
    const list = await h.get('/router/coordination/entities?claimed_by=B', keyHeaders(adminKey));
    expect(list.body.data[0]).toMatchObject({ status: 'error', error_count: 3 });
    expect((await h.post('/router/coordination/status', { container_id: 'A', entity_id: ent })).status).toBe(
      404,
    );
    const rel = await h.post('/router/coordination/release', { container_id: 'A' });
    expect(rel.body.data.released_count).toBe(1);
    expect((await h.get('/router/coordination/stats', keyHeaders(adminKey))).status).toBe(200);
    expect(
      (
        await h.post(
          '/router/coordination/claim',
          { platform: 'discord', container_id: 'A' },
          keyHeaders(adminKey),
        )
      ).status,
    ).toBe(403);
  });
});

describe('string rules auth', () => {
  it('no key 401, interaction key 403, admin key 201', async () => {
    const rule = { string: 'x', action: 'warn' };
    expect((await h.post('/router/string-rules', rule, noKey)).status).toBe(401);
    expect((await h.post('/router/string-rules', rule, keyHeaders(interactionKey))).status).toBe(403);
    expect((await h.post('/router/string-rules', rule, keyHeaders(adminKey))).status).toBe(201);
    expect((await h.get('/router/string-rules?entity_id=twitch:1', serviceHeaders())).status).toBe(200);
  });
});

describe('cache invalidation across replicas', () => {
  it('an admin write on one replica clears the other replica’s command cache', async () => {
    const { service } = await import('../src/service.js');
    const replica = await h.rt.add(service);
    h.fakes.module.on('POST', '/rep', { status: 200, body: { success: true, chat_message: 'replica' } });
    const id = await h.registerCommand({ command: 'rep', location_url: `${h.fakes.module.url}/rep` });
    const viaReplica = async (user: string) =>
      (await call(replica.app, 'POST', '/router/events', twitchChat('!rep', { user_id: user }))).body as {
        outcome: string;
      };
    expect((await viaReplica('50')).outcome).toBe('executed');
    // Deactivated through the first replica; the second had the row cached.
    expect((await h.del(`/router/admin/commands/${id}`)).status).toBe(200);
    expect((await viaReplica('51')).outcome).toBe('unknown_command');
  });
});
