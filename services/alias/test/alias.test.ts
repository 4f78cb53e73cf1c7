import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import { chat, fallback, member, mod } from './module-request.js';

let rt: TestRuntime;
let router: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let seeded: Promise<void>;

const routerResult = (texts: string[]) => ({
  success: true,
  session_id: 's2',
  execution_id: 'e2',
  processed: true,
  outcome: 'executed',
  command: 'so',
  replies: texts.map((text) => ({ type: 'chat', text })),
  module_responses: [{ module_name: 'shoutout', success: true, response_action: 'chat' }],
  event_modules_executed: 0,
  error: null,
});

function answerEvents() {
  router.on('POST', '/router/events', { status: 200, body: routerResult(['carol is awesome, go follow!']) });
}

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  answerEvents();
  rt = await createTestRuntime({ env: { ROUTER_URL: router.url, ALIAS_MAX_PER_COMMUNITY: '6' } });
  const svc = await rt.add(service);
  app = svc.app;
  seeded = svc.seeded;
});
afterAll(async () => {
  await rt.close();
  await router.close();
});

const interact = (body: unknown) => call(app, 'POST', '/interaction', body);
const aliasRow = (community: string, alias: string) =>
  rt.db.database
    .forSchema('alias')
    .selectFrom('alias_commands')
    .selectAll()
    .where('community_id', '=', community)
    .where('alias', '=', alias)
    .orderBy('id', 'desc')
    .executeTakeFirst();

describe('start-up', () => {
  it('seeds !alias and the fallback row with its 40 s timeout', async () => {
    await seeded;
    const rows = router.calls('POST', '/router/admin/commands').map((r) => r.json);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.command === 'alias')).toMatchObject({
      trigger_type: 'command',
      location_url: `${rt.env.ALIAS_URL}/interaction`,
      module_name: 'alias',
    });
    expect(rows.find((r) => r.command === 'alias-fallback')).toMatchObject({
      trigger_type: 'fallback',
      timeout: 40,
      location_url: `${rt.env.ALIAS_URL}/interaction`,
    });
    expect(router.calls('POST', '/router/admin/commands')[0]!.headers['x-service-key']).toBe(
      TEST_SERVICE_KEY,
    );
  });
});

describe('acceptance §10 alias', () => {
  beforeEach(() => {
    router.reset();
    answerEvents();
  });

  it('1: text alias with variables, resolve counts a use, fallback answers or skips', async () => {
    const added = await interact(mod('!alias add !hello "Hello {user}, welcome! {all_args}"'));
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ success: true, response_action: 'chat', module_name: 'alias' });
    expect(added.body.chat_message).toContain('Created alias !hello');

    const resolved = await call(app, 'POST', '/api/v1/aliases/resolve', {
      community_id: '7',
      alias: 'hello',
      args: ['x', 'y'],
      user: { name: 'bob' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toEqual({
      success: true,
      data: { found: true, alias_type: 'text', expanded: 'Hello bob, welcome! x y' },
    });
    expect((await aliasRow('7', 'hello'))!.usage_count).toBe(1);

    const run = await interact(fallback('!hello there'));
    expect(run.body).toMatchObject({
      success: true,
      response_action: 'chat',
      chat_message: 'Hello bob, welcome! there',
    });
    const row = await aliasRow('7', 'hello');
    expect(row!.usage_count).toBe(2);
    expect(row!.last_used).not.toBeNull();

    const nope = await interact(fallback('!nope'));
    expect(nope.body).toMatchObject({
      success: true,
      response_action: null,
      skipped: true,
      reason: 'not_found',
    });
  });

  it('2: command alias re-dispatches to the router as the same user and relays its chat reply', async () => {
    await interact(mod('!alias add !user "!so {arg1}"'));
    const resolved = await call(app, 'POST', '/api/v1/aliases/resolve', {
      community_id: '7',
      alias: 'user',
      args: ['carol'],
      user: { name: 'bob' },
    });
    expect(resolved.body.data).toEqual({ found: true, alias_type: 'command', expanded: '!so carol' });
    const anonymous = await call(app, 'POST', '/api/v1/aliases/resolve', {
      community_id: 7,
      alias: '!USER',
      args: ['dave'],
    });
    expect(anonymous.body.data).toEqual({ found: true, alias_type: 'command', expanded: '!so dave' });

    const req = fallback('!user carol', { platformRole: 'subscriber', role: 'subscriber' });
    const res = await interact(req);
    expect(res.body).toMatchObject({
      success: true,
      response_action: 'chat',
      chat_message: 'carol is awesome, go follow!',
    });
    const sent = router.calls('POST', '/router/events');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers['x-service-key']).toBe(TEST_SERVICE_KEY);
    expect(sent[0]!.json).toMatchObject({
      platform: 'twitch',
      server_id: '1',
      channel_id: '',
      user_id: '777',
      user_name: 'bob',
      display_name: 'Bob',
      message_type: 'chatMessage',
      message_content: '!so carol',
      alias_depth: 1,
      event_id: `alias:${req.execution_id}`,
      metadata: { platform_role: 'subscriber' },
    });
  });

  it('2b: further chat replies go to additional_responses; no replies → response_action null', async () => {
    await interact(mod('!alias add !multi "!so {args}"'));
    router.reset();
    router.on('POST', '/router/events', { status: 200, body: routerResult(['one', 'two', 'three']) });
    const many = await interact(fallback('!multi dave'));
    expect(many.body).toMatchObject({ success: true, chat_message: 'one' });
    expect(many.body.additional_responses).toEqual([
      { response_action: 'chat', chat_message: 'two' },
      { response_action: 'chat', chat_message: 'three' },
    ]);
    router.reset();
    router.on('POST', '/router/events', {
      status: 200,
      body: { ...routerResult([]), outcome: 'unknown_command', success: false },
    });
    const none = await interact(fallback('!multi dave'));
    expect(none.body).toMatchObject({ success: true, response_action: null });
    expect(none.body.skipped).toBeUndefined();
  });

  it('3: cycles and self-reference are rejected; depth 3 answers LOOP without re-dispatching', async () => {
    expect((await interact(mod('!alias add !a "!b"'))).body.success).toBe(true);
    const cycle = await interact(mod('!alias add !b "!a"'));
    expect(cycle.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(cycle.body.chat_message).toMatch(/loop/i);
    expect(await aliasRow('7', 'b')).toBeUndefined();
    const self = await interact(mod('!alias add !c "!c x"'));
    expect(self.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(await aliasRow('7', 'c')).toBeUndefined();

    const loop = await interact(fallback('!a', { aliasDepth: 3 }));
    expect(loop.body).toMatchObject({
      success: false,
      error_code: 'LOOP',
      chat_message: 'Alias recursion limit reached',
    });
    expect(router.calls('POST', '/router/events')).toHaveLength(0);
    expect((await aliasRow('7', 'a'))!.usage_count).toBe(0);
  });

  it('3b: a longer cycle through existing aliases is found', async () => {
    await interact(mod('!alias add !p1 "!p2"', { community: '20' }));
    await interact(mod('!alias add !p2 "!p3 {args}"', { community: '20' }));
    const res = await interact(mod('!alias add !p3 "!p1"', { community: '20' }));
    expect(res.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    const ok = await interact(mod('!alias add !p3 "!so {arg1}"', { community: '20' }));
    expect(ok.body.success).toBe(true);
  });

  it('4: members cannot add, duplicates and built-in names are refused', async () => {
    const forbidden = await interact(member('!alias add !x hi'));
    expect(forbidden.status).toBe(200);
    expect(forbidden.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    expect(await aliasRow('7', 'x')).toBeUndefined();
    expect((await interact(mod('!alias add !x hi'))).body.success).toBe(true);
    const dup = await interact(mod('!alias add !x hi again'));
    expect(dup.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(dup.body.chat_message).toContain('already exists');
    const shadow = await interact(mod('!alias add !so hi'));
    expect(shadow.body).toMatchObject({ success: false });
    expect(shadow.body.chat_message).toContain('cannot shadow a built-in command');
    const aliasCall = await interact(mod('!alias add !z "!alias remove x"'));
    expect(aliasCall.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(await aliasRow('7', 'z')).toBeUndefined();
    expect((await interact(member('!alias remove x'))).body.error_code).toBe('FORBIDDEN');
    expect((await aliasRow('7', 'x'))!.is_active).toBe(true);
  });

  it('5: remove soft-deletes and frees the name', async () => {
    const removed = await interact(mod('!alias remove !hello'));
    expect(removed.body).toMatchObject({ success: true, chat_message: 'Removed alias !hello' });
    expect((await aliasRow('7', 'hello'))!.is_active).toBe(false);
    const resolved = await call(app, 'POST', '/api/v1/aliases/resolve', {
      community_id: '7',
      alias: 'hello',
      args: [],
      user: { name: 'bob' },
    });
    expect(resolved.body.data).toEqual({ found: false });
    expect((await interact(mod('!alias add !hello hi'))).body.success).toBe(true);
    const rows = await rt.db.database
      .forSchema('alias')
      .selectFrom('alias_commands')
      .selectAll()
      .where('alias', '=', 'hello')
      .execute();
    expect(rows.map((r) => r.is_active).sort()).toEqual([false, true]);
    const unknown = await interact(mod('!alias rm nothere'));
    expect(unknown.body).toMatchObject({
      success: false,
      error_code: 'NOT_FOUND',
      chat_message: 'No alias named !nothere',
    });
    // A name no alias could have is just as unknown.
    const impossible = await interact(mod('!alias remove !Bad$Name'));
    expect(impossible.body).toMatchObject({
      success: false,
      error_code: 'NOT_FOUND',
      chat_message: 'No alias named !Bad$Name',
    });
  });
});

describe('chat commands', () => {
  it('lists aliases sorted by name, or says there are none', async () => {
    await interact(mod('!alias add !zeta "z text"', { community: '30' }));
    await interact(mod('!alias add !alpha "a text"', { community: '30' }));
    const list = await interact(member('!alias list', { community: '30' }));
    expect(list.body.chat_message).toBe('Aliases: !alpha → a text | !zeta → z text');
    const empty = await interact(member('!alias list', { community: '31' }));
    expect(empty.body.chat_message).toBe('This community has no aliases yet');
  });

  it('answers usage for a missing or bad subcommand and a bad name', async () => {
    const none = await interact(member('!alias'));
    expect(none.body).toMatchObject({ success: false, error_code: 'USAGE' });
    expect(none.body.chat_message).toContain('Usage: !alias');
    const bad = await interact(member('!alias frobnicate'));
    expect(bad.body.chat_message).toContain("'frobnicate'");
    const short = await interact(mod('!alias add !lonely'));
    expect(short.body.error_code).toBe('USAGE');
    const badName = await interact(mod('!alias add !Bad$Name hi'));
    expect(badName.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    const long = await interact(mod(`!alias add !longone ${'x'.repeat(401)}`));
    expect(long.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
  });

  it('keeps a multi-word template as typed and leaves unknown placeholders alone', async () => {
    await interact(mod('!alias add !greet Hi {user}, meet {arg2} and {unknown}', { community: '32' }));
    const row = await aliasRow('32', 'greet');
    expect(row!.template).toBe('Hi {user}, meet {arg2} and {unknown}');
    expect(row!.created_by).toBe('311');
    const run = await interact(fallback('!greet one', { community: '32' }));
    expect(run.body.chat_message).toBe('Hi bob, meet  and {unknown}');
    const injected = await interact(fallback('!greet {user} {user_id}', { community: '32' }));
    expect(injected.body.chat_message).toBe('Hi bob, meet {user_id} and {unknown}');
  });

  it('stops at the per-community limit', async () => {
    for (let i = 0; i < 6; i++)
      expect((await interact(mod(`!alias add !lim${i} t${i}`, { community: '33' }))).body.success).toBe(true);
    const over = await interact(mod('!alias add !lim6 t6', { community: '33' }));
    expect(over.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(over.body.chat_message).toContain('already has 6 aliases');
    const rest = await call(app, 'POST', '/api/v1/aliases/33', { alias: 'lim6', template: 't6' });
    expect(rest.status).toBe(400);
    expect(rest.body.error.code).toBe('VALIDATION_ERROR');
    expect(await aliasRow('33', 'lim6')).toBeUndefined();
    // A removed alias frees its place.
    await interact(mod('!alias remove lim0', { community: '33' }));
    expect((await interact(mod('!alias add !lim6 t6', { community: '33' }))).body.success).toBe(true);
  });

  it('relays the router refusing the depth as LOOP, and a router failure as UPSTREAM', async () => {
    await interact(mod('!alias add !deep "!so {arg1}"', { community: '34' }));
    router.reset();
    router.on('POST', '/router/events', {
      status: 400,
      body: { success: false, error: { code: 'LOOP_DETECTED', message: 'loop', request_id: 'r' } },
    });
    const loop = await interact(fallback('!deep x', { community: '34', aliasDepth: 2 }));
    expect(loop.body, JSON.stringify(loop.body)).toMatchObject({ success: false, error_code: 'LOOP' });
    expect(router.calls('POST', '/router/events')[0]!.json.alias_depth).toBe(3);
    router.reset();
    router.on('POST', '/router/events', {
      status: 500,
      body: { success: false, error: { code: 'INTERNAL_ERROR', message: 'x' } },
    });
    const failed = await interact(fallback('!deep x', { community: '34' }));
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ success: false, error_code: 'UPSTREAM' });
    expect(router.calls('POST', '/router/events')).toHaveLength(1);
    answerEvents();
  });

  it('tries once more when the router could not have run the event (503), under the same event_id', async () => {
    await interact(mod('!alias add !again "!so {arg1}"', { community: '35' }));
    router.reset();
    let attempts = 0;
    router.on('POST', '/router/events', () =>
      ++attempts === 1
        ? { status: 503, body: { success: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'x' } } }
        : { status: 200, body: routerResult(['carol is awesome, go follow!']) },
    );
    const req = fallback('!again carol', { community: '35' });
    const res = await interact(req);
    expect(res.body).toMatchObject({ success: true, chat_message: 'carol is awesome, go follow!' });
    const sent = router.calls('POST', '/router/events');
    expect(sent.map((r) => r.json.event_id)).toEqual([
      `alias:${req.execution_id}`,
      `alias:${req.execution_id}`,
    ]);
    answerEvents();
  });

  it('serves the legacy /alias path too', async () => {
    const res = await call(app, 'POST', '/alias', member('!alias list', { community: '31' }));
    expect(res.body.chat_message).toBe('This community has no aliases yet');
  });
});

describe('community scoping', () => {
  it('never shows, runs or changes another community’s aliases', async () => {
    await interact(mod('!alias add !secret "community 40 only"', { community: '40' }));
    expect((await interact(fallback('!secret', { community: '41' }))).body).toMatchObject({
      skipped: true,
      reason: 'not_found',
    });
    expect((await interact(member('!alias list', { community: '41' }))).body.chat_message).toBe(
      'This community has no aliases yet',
    );
    expect((await interact(mod('!alias remove secret', { community: '41' }))).body.error_code).toBe(
      'NOT_FOUND',
    );
    const list = await call(app, 'GET', '/api/v1/aliases/41');
    expect(list.body.data).toEqual({ aliases: [], total: 0 });
    expect((await call(app, 'PUT', '/api/v1/aliases/41/secret', { template: 'hijack' })).status).toBe(404);
    expect((await call(app, 'DELETE', '/api/v1/aliases/41/secret')).status).toBe(404);
    const resolved = await call(app, 'POST', '/api/v1/aliases/resolve', {
      community_id: '41',
      alias: 'secret',
      args: [],
      user: { name: 'x' },
    });
    expect(resolved.body.data).toEqual({ found: false });
    const row = await aliasRow('40', 'secret');
    expect(row).toMatchObject({ template: 'community 40 only', is_active: true, usage_count: 0 });
    // The same name is free in another community.
    expect((await interact(mod('!alias add !secret mine', { community: '41' }))).body.success).toBe(true);
  });
});

describe('REST', () => {
  it('creates, lists, updates and deletes', async () => {
    const created = await call(app, 'POST', '/api/v1/aliases/50', { alias: '!Rules', template: 'Be nice' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      alias: 'rules',
      alias_type: 'text',
      template: 'Be nice',
      usage_count: 0,
    });
    const list = await call(app, 'GET', '/api/v1/aliases/50');
    expect(list.body).toMatchObject({ success: true, data: { total: 1, aliases: [{ alias: 'rules' }] } });
    const updated = await call(app, 'PUT', '/api/v1/aliases/50/rules', { template: '!so {arg1}' });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ alias_type: 'command', template: '!so {arg1}' });
    const deleted = await call(app, 'DELETE', '/api/v1/aliases/50/rules');
    expect(deleted.status).toBe(204);
    expect((await call(app, 'GET', '/api/v1/aliases/50')).body.data.total).toBe(0);
    expect((await call(app, 'DELETE', '/api/v1/aliases/50/rules')).body.error.code).toBe('NOT_FOUND');
    expect((await call(app, 'PUT', '/api/v1/aliases/50/rules', { template: 'x' })).status).toBe(404);
    for (const method of ['PUT', 'DELETE']) {
      const odd = await call(app, method, '/api/v1/aliases/50/no%20such%24name', { template: 'x' });
      expect(odd.status, method).toBe(404);
      expect(odd.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('answers 409 for duplicates and 400 for invalid input, changing nothing', async () => {
    await call(app, 'POST', '/api/v1/aliases/51', { alias: 'dup', template: 'one' });
    const dup = await call(app, 'POST', '/api/v1/aliases/51', { alias: 'dup', template: 'two' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
    const cases = [
      { alias: 'so', template: 'x' },
      { alias: 'bad name', template: 'x' },
      { alias: 'ok', template: '' },
      { alias: 'ok', template: 'y'.repeat(401) },
      { alias: 'selfish', template: '!selfish' },
      { template: 'x' },
    ];
    for (const body of cases) {
      const res = await call(app, 'POST', '/api/v1/aliases/51', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await call(app, 'GET', '/api/v1/aliases/abc')).status).toBe(400);
    const cyclic = await call(app, 'PUT', '/api/v1/aliases/51/dup', { template: '!dup' });
    expect(cyclic.status).toBe(400);
    const list = await call(app, 'GET', '/api/v1/aliases/51');
    expect(
      list.body.data.aliases.map((a: { alias: string; template: string }) => [a.alias, a.template]),
    ).toEqual([['dup', 'one']]);
  });

  it('refuses writes for an acting member with 403 and allows a moderator', async () => {
    const asMember = {
      'X-Service-Key': TEST_SERVICE_KEY,
      'Content-Type': 'application/json',
      'X-WaddleBot-User-Id': '900',
      'X-WaddleBot-User-Role': 'member',
    };
    const denied = await call(app, 'POST', '/api/v1/aliases/52', { alias: 'm', template: 'x' }, asMember);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    expect((await call(app, 'GET', '/api/v1/aliases/52')).body.data.total).toBe(0);
    const asMod = { ...asMember, 'X-WaddleBot-User-Role': 'moderator', 'X-WaddleBot-User-Name': 'Maud' };
    const created = await call(app, 'POST', '/api/v1/aliases/52', { alias: 'm', template: 'x' }, asMod);
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ created_by: '900', created_by_name: 'Maud' });
    expect((await call(app, 'DELETE', '/api/v1/aliases/52/m', undefined, asMember)).status).toBe(403);
  });

  it('requires the service key on every route', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v1/aliases/7'],
      ['POST', '/api/v1/aliases/7', { alias: 'k', template: 'x' }],
      ['PUT', '/api/v1/aliases/7/x', { template: 'y' }],
      ['DELETE', '/api/v1/aliases/7/x'],
      ['POST', '/api/v1/aliases/resolve', { community_id: '7', alias: 'x', user: { name: 'a' } }],
      ['POST', '/interaction', chat('!alias list')],
      ['POST', '/alias', chat('!alias list')],
      ['POST', '/internal/user-merged', { from_uid: '1', into_uid: '2', identities: [] }],
    ];
    for (const [method, path, body] of routes) {
      const none = await call(app, method, path, body, { 'Content-Type': 'application/json' });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.body.error.code).toBe('AUTH_REQUIRED');
      const wrong = await call(app, method, path, body, {
        'Content-Type': 'application/json',
        'X-Service-Key': 'wrong-key-wrong-key-wrong-key-wrong',
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('INVALID_API_KEY');
    }
    expect((await aliasRow('7', 'x'))!.template).toBe('hi');
  });

  it('publishes its REST routes in /openapi.json', async () => {
    const doc = await call(app, 'GET', '/openapi.json', undefined, {});
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/aliases/{community_id}',
        '/api/v1/aliases/{community_id}/{alias}',
        '/api/v1/aliases/resolve',
        '/internal/user-merged',
      ]),
    );
  });

  it('rejects a malformed ModuleRequest with 400', async () => {
    const res = await call(app, 'POST', '/interaction', { command: 'alias' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('POST /internal/user-merged', () => {
  it('re-keys the creator from the old uid and platform keys, idempotently', async () => {
    await interact(
      mod('!alias add !mine one', { community: '60', user: { id: '42', name: 'ann', uid: '500' } }),
    );
    await interact(
      mod('!alias add !mine2 two', { community: '60', user: { id: '43', name: 'ann2', uid: null } }),
    );
    await interact(
      mod('!alias add !theirs three', { community: '60', user: { id: '44', name: 'zed', uid: '999' } }),
    );
    const body = {
      from_uid: '500',
      into_uid: '600',
      identities: [{ platform: 'twitch', platform_user_id: '43' }],
    };
    const res = await call(app, 'POST', '/internal/user-merged', body);
    expect(res.body).toEqual({ success: true, data: { merged: true } });
    expect((await call(app, 'POST', '/internal/user-merged', body)).status).toBe(200);
    expect((await aliasRow('60', 'mine'))!.created_by).toBe('600');
    expect((await aliasRow('60', 'mine2'))!.created_by).toBe('600');
    expect((await aliasRow('60', 'theirs'))!.created_by).toBe('999');
    expect((await call(app, 'POST', '/internal/user-merged', { from_uid: '', into_uid: '2' })).status).toBe(
      400,
    );
  });
});
