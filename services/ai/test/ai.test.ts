import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  serviceHeaders,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import type { FakeClock } from '@waddlebot/core';
import { service } from '../src/service.js';
import { lastMessages, startFakeOllama } from './fake-llm.js';
import { chat, eventRequest } from './module-request.js';

let rt: TestRuntime;
let router: FakeServer;
let ollama: Awaited<ReturnType<typeof startFakeOllama>>;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let seeded: Promise<void>;
const clock = () => rt.clock as FakeClock;

const ALICE = { id: '4242', name: 'alice', display_name: 'AliceInChains', uid: '901' };
const alice = (text: string, opts: Parameters<typeof chat>[1] = {}) =>
  chat(text, { role: 'member', user: ALICE, ...opts });

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  ollama = await startFakeOllama();
  rt = await createTestRuntime({
    env: {
      ROUTER_URL: router.url,
      OLLAMA_BASE_URL: ollama.url,
      // A hanging fake times out after this; generous so a busy test machine never trips it elsewhere.
      AI_TIMEOUT_MS: '2000',
    },
  });
  const svc = await rt.add(service);
  app = svc.app;
  seeded = svc.seeded;
});
afterAll(async () => {
  await rt?.close();
  await router?.close();
  await ollama?.close();
});
beforeEach(() => {
  ollama.requests.length = 0;
  ollama.answer('ok');
});

const interact = (body: unknown) => call(app, 'POST', '/interaction', body);
const rest = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(app, method, path, body, serviceHeaders(headers));

describe('start-up', () => {
  it('seeds !ai (alias !ask, priority 50, rate limit 6) and one event row per EVENT_RESPONSE_TYPES entry', async () => {
    await seeded;
    const rows = router.calls('POST', '/router/admin/commands').map((r) => r.json);
    const ai = rows.find((r) => r.command === 'ai');
    expect(ai).toMatchObject({
      aliases: ['ask'],
      priority: 50,
      rate_limit: 6,
      trigger_type: 'command',
      module_name: 'ai',
      location_url: `${rt.env.AI_URL}/interaction`,
    });
    const eventRows = rows.filter((r) => r.trigger_type === 'event');
    expect(eventRows.map((r) => r.command).sort()).toEqual(
      [
        'ai_response_boost',
        'ai_response_chatmessage',
        'ai_response_cheer',
        'ai_response_donation',
        'ai_response_follow',
        'ai_response_raid',
        'ai_response_subscription',
      ].sort(),
    );
    expect(eventRows.find((r) => r.command === 'ai_response_raid')).toMatchObject({
      prefix: '!',
      event_types: ['raid'],
      priority: 100,
    });
    // Passive mode is off by default, so its row must not be enabled everywhere.
    expect(eventRows.find((r) => r.command === 'ai_response_chatmessage').enabled_by_default).toBe(false);
    expect(router.calls('POST', '/router/admin/commands')[0]!.headers['x-service-key']).toBe(
      TEST_SERVICE_KEY,
    );
  });

  it('is ready with the upstream check ok, and degraded (still 200) when the LLM is down', async () => {
    const ready = await call(app, 'GET', '/readyz', undefined, {});
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ database: 'ok', upstream: 'ok' });
    const alias = await call(app, 'GET', '/health', undefined, {});
    expect(alias.status).toBe(200);
    expect(alias.body).toEqual(ready.body);
    ollama.on('GET', '/api/tags', { status: 500, body: { error: 'down' } });
    const degraded = await call(app, 'GET', '/api/v1/health', undefined, {});
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ status: 'healthy', checks: { upstream: 'degraded' } });
    ollama.on('GET', '/api/tags', { body: { models: [{ name: 'llama3.2' }, { name: 'mistral:7b' }] } });
  });

  it('publishes /openapi.json with the REST routes', async () => {
    const doc = await call(app, 'GET', '/openapi.json', undefined, {});
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/ai/chat/completions',
        '/api/v1/ai/generate',
        '/api/v1/ai/models',
        '/api/v1/ai/providers',
        '/api/v1/ai/config/{community_id}',
      ]),
    );
  });
});

describe('acceptance §10 AI', () => {
  it('1. !ai answers with the prefixed model text; the prompt names the display name and the question', async () => {
    ollama.answer('Paris is the capital.');
    const res = await interact(alice('!ai what is the capital of France?'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      module_name: 'ai',
      response_action: 'chat',
      chat_message: '🤖 Paris is the capital.',
    });
    const calls = ollama.calls('POST', '/api/chat');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.json).toMatchObject({
      model: 'llama3.2',
      stream: false,
      options: { temperature: 0.7, num_predict: 500 },
    });
    const messages = calls[0]!.json.messages;
    expect(messages[0].role).toBe('system');
    const last = messages[messages.length - 1];
    expect(last.role).toBe('user');
    expect(last.content).toContain('AliceInChains');
    expect(last.content).toContain('what is the capital of France?');
    expect(last.content).toContain('Platform: twitch');
    expect(last.content).not.toContain('4242');
  });

  it('1b. !ask is the same command; the session and execution ids are echoed', async () => {
    ollama.answer('Forty-two.');
    const req = alice('!ask meaning of life?');
    const res = await interact(req);
    expect(res.body).toMatchObject({
      success: true,
      chat_message: '🤖 Forty-two.',
      session_id: req.session_id,
      execution_id: req.execution_id,
    });
  });

  it('2. a long answer is cut to prefix + 397 chars + "..."; a leaked "You are" line is dropped', async () => {
    const long = 'abcdefghij'.repeat(60);
    ollama.answer(long);
    const res = await interact(alice('!ai write a lot'));
    expect(res.body.chat_message).toBe(`🤖 ${long.slice(0, 397)}...`);

    ollama.answer('You are a bot.\nHi there');
    const leaked = await interact(alice('!ai hello?'));
    expect(leaked.body.chat_message).toBe('🤖 Hi there');

    ollama.answer('  You are WaddleBot.\nyou are helpful\n\nSure thing!  ');
    const twoLines = await interact(alice('!ai ok?'));
    expect(twoLines.body.chat_message).toBe('🤖 Sure thing!');

    // Exactly 400 characters stay whole.
    ollama.answer('x'.repeat(400));
    expect((await interact(alice('!ai exact'))).body.chat_message).toBe(`🤖 ${'x'.repeat(400)}`);
  });

  it('2b. @everyone / @here are defused', async () => {
    ollama.answer('Hey @everyone and @here, hi <!channel>');
    const res = await interact(alice('!ai ping all'));
    expect(res.body.success).toBe(true);
    expect(res.body.chat_message).not.toMatch(/@everyone|@here|<!channel>/);
    expect(res.body.chat_message).toContain('everyone');
  });

  it('3. a 500 from the model gives the degraded chatMessage fallback, not a 5xx', async () => {
    ollama.answer(() => ({ status: 500, body: { error: 'model crashed' } }));
    const res = await interact(alice('!ask hi?'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, degraded: true, response_action: 'chat' });
    expect(res.body.chat_message).toContain("Sorry, I can't answer right now, try again in a bit.");
  });

  it('3b. a model that times out gives the same fallback', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    ollama.answer(async () => {
      await released;
      return { body: { message: { content: 'too late' } } };
    });
    const res = await interact(alice('!ai are you there?')).finally(release);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, degraded: true });
    expect(res.body.chat_message).toContain("Sorry, I can't answer right now");
  });

  it('3c. an answer without message content, or only a leaked prompt, also falls back', async () => {
    ollama.answer(() => ({ body: { done: true } }));
    expect((await interact(alice('!ai x'))).body).toMatchObject({ success: true, degraded: true });
    ollama.answer('You are an assistant.');
    expect((await interact(alice('!ai y'))).body).toMatchObject({ success: true, degraded: true });
  });

  it('3d. a follow event with the model down → the prefixed follow fallback line', async () => {
    ollama.answer(() => ({ status: 503, body: { error: 'overloaded' } }));
    const res = await interact(
      eventRequest('follow', { user: { id: '88', name: 'newbie', display_name: 'Newbie' } }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      degraded: true,
      chat_message: '🤖 Welcome aboard, thanks for the follow! 👋',
    });
  });

  it('4. passive mode: whole words only, then a per-channel cooldown', async () => {
    const on = await rest('PUT', '/api/v1/ai/config/7', { passive_chat: true });
    expect(on.status).toBe(200);
    const entity = 'discord:G77:C1';
    const passive = (text: string) => interact(eventRequest('chatMessage', { text, entity }));

    const notGreeting = await passive('this is super');
    expect(notGreeting.status).toBe(200);
    expect(notGreeting.body).toMatchObject({ success: true, response_action: null, skipped: true });
    expect(ollama.calls('POST', '/api/chat')).toHaveLength(0);

    ollama.answer('Hello there, welcome!');
    const hello = await passive('hello all');
    expect(hello.body).toMatchObject({ success: true, response_action: 'chat' });
    expect(hello.body.chat_message).toBe('🤖 Hello there, welcome!');
    expect(lastMessages(ollama, '/api/chat')[0]!.content).toMatch(/greet/i);

    clock().advance(10_000);
    const again = await passive('hello');
    expect(again.body).toMatchObject({ skipped: true, reason: 'cooldown' });
    expect(ollama.calls('POST', '/api/chat')).toHaveLength(1);

    // Another channel has its own cooldown.
    const elsewhere = await interact(
      eventRequest('chatMessage', { text: 'hey folks', entity: 'discord:G77:C2' }),
    );
    expect(elsewhere.body.response_action).toBe('chat');

    clock().advance(51_000);
    const later = await passive('bye everyone');
    expect(later.body.response_action).toBe('chat');
    expect(lastMessages(ollama, '/api/chat')[0]!.content).toMatch(/goodbye/i);
  });

  it('4b. passive mode: questions, commands, the bot itself and communities that did not opt in', async () => {
    const entity = 'discord:G78:C1';
    const passive = (text: string, opts = {}) =>
      interact(eventRequest('chatMessage', { text, entity, ...opts }));
    expect((await passive('!so @bob is great?')).body).toMatchObject({ skipped: true, reason: 'command' });
    expect((await passive('🤖 Hello there?')).body).toMatchObject({ skipped: true, reason: 'own_message' });
    expect((await passive('nothing here')).body).toMatchObject({ skipped: true, reason: 'no_trigger' });
    const question = await passive('what game is this?');
    expect(question.body.response_action).toBe('chat');
    expect(lastMessages(ollama, '/api/chat')[0]!.content).toMatch(/question/i);

    // Community 8 never turned passive mode on (env default off).
    const other = await interact(
      eventRequest('chatMessage', { text: 'hello', entity: 'discord:G9:C9', community: '8' }),
    );
    expect(other.body).toMatchObject({ skipped: true, reason: 'passive_chat_disabled' });
  });

  it('4c. !lurk is a farewell even though it looks like a command', async () => {
    const res = await interact(eventRequest('chatMessage', { text: '!lurk', entity: 'twitch:5150' }));
    expect(res.body.response_action).toBe('chat');
    expect(lastMessages(ollama, '/api/chat')[0]!.content).toMatch(/goodbye/i);
  });

  it('5. config: out of range → 400; a custom system prompt reaches the model; other communities keep the default', async () => {
    const bad = await rest('PUT', '/api/v1/ai/config/7', { temperature: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.success).toBe(false);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(bad.body.error.details[0].path).toBe('temperature');

    const set = await rest('PUT', '/api/v1/ai/config/7', { system_prompt: 'Talk like a pirate' });
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ community_id: '7', system_prompt: 'Talk like a pirate' });

    await interact(alice('!ai how are you?'));
    expect(lastMessages(ollama, '/api/chat')[0]).toEqual({ role: 'system', content: 'Talk like a pirate' });

    await interact(alice('!ai how are you?', { community: '8', entity: 'twitch:8080' }));
    const other = lastMessages(ollama, '/api/chat')[0]!;
    expect(other.role).toBe('system');
    expect(other.content).not.toContain('pirate');
  });
});

describe('REST config', () => {
  it('GET shows env defaults for an untouched community', async () => {
    const res = await rest('GET', '/api/v1/ai/config/31337');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      community_id: '31337',
      provider: 'ollama',
      model: 'llama3.2',
      temperature: 0.7,
      max_tokens: 500,
      response_prefix: '🤖 ',
      passive_chat: false,
      event_types: ['subscription', 'follow', 'donation', 'cheer', 'raid', 'boost'],
      overridden: [],
    });
  });

  it('PUT changes only the named fields, records the acting user, and null resets to the env default', async () => {
    const first = await rest(
      'PUT',
      '/api/v1/ai/config/40',
      { model: 'mistral:7b', temperature: 0.2, max_tokens: 64, response_prefix: '> ', event_types: ['raid'] },
      { 'X-WaddleBot-User-Id': '311', 'X-WaddleBot-User-Role': 'admin' },
    );
    expect(first.status).toBe(200);
    const second = await rest('PUT', '/api/v1/ai/config/40', { temperature: null });
    expect(second.body.data).toMatchObject({
      model: 'mistral:7b',
      temperature: 0.7,
      max_tokens: 64,
      response_prefix: '> ',
      event_types: ['raid'],
    });
    const row = await rt.db.database
      .forSchema('ai')
      .selectFrom('ai_community_settings')
      .selectAll()
      .where('community_id', '=', '40')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      model: 'mistral:7b',
      temperature: null,
      max_tokens: 64,
      event_types: ['raid'],
    });

    ollama.answer('Arr');
    await interact(alice('!ai q', { community: '40', entity: 'twitch:40' }));
    expect(ollama.calls('POST', '/api/chat')[0]!.json).toMatchObject({
      model: 'mistral:7b',
      options: { temperature: 0.7, num_predict: 64 },
    });
    expect((await interact(alice('!ai q', { community: '40', entity: 'twitch:40' }))).body.chat_message).toBe(
      '> Arr',
    );
  });

  it('a community event_types list gates events; RESPOND_TO_EVENTS types get a short celebratory line', async () => {
    // Community 40 answers raids only.
    const follow = await interact(eventRequest('follow', { community: '40', entity: 'twitch:40' }));
    expect(follow.body).toMatchObject({ skipped: true, reason: 'event_type_disabled' });
    ollama.answer('Welcome raiders!');
    const raid = await interact(
      eventRequest('raid', {
        community: '40',
        entity: 'twitch:40',
        user: { id: '9', name: 'raidlord', display_name: 'RaidLord' },
        eventMetadata: { viewers: 123 },
      }),
    );
    expect(raid.body).toMatchObject({ success: true, chat_message: '> Welcome raiders!' });
    const prompt = lastMessages(ollama, '/api/chat')[1]!.content;
    expect(prompt).toContain('RaidLord');
    expect(prompt).toContain('viewers: 123');
    expect(prompt).toMatch(/raiders/);
    expect(prompt).toMatch(/150 characters/);
  });

  it('refuses unknown fields, bad types, bad ids and empty bodies with 400 and changes nothing', async () => {
    const before = await rest('GET', '/api/v1/ai/config/7');
    for (const body of [
      { base_url: 'http://evil' },
      { max_tokens: 0 },
      { max_tokens: 5000 },
      { temperature: -0.1 },
      { response_prefix: 'x'.repeat(21) },
      { system_prompt: 'p'.repeat(2001) },
      { model: 'x'.repeat(101) },
      { event_types: ['chatMessage'] },
      { passive_chat: 'yes' },
      {},
    ]) {
      const res = await rest('PUT', '/api/v1/ai/config/7', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    const malformed = await call(app, 'PUT', '/api/v1/ai/config/7', '{not json', serviceHeaders());
    expect(malformed.status).toBe(400);
    expect((await rest('GET', '/api/v1/ai/config/seven')).status).toBe(400);
    expect((await rest('GET', '/api/v1/ai/config/7')).body.data).toEqual(before.body.data);
  });

  it('a portal user below admin may not change settings', async () => {
    const res = await rest(
      'PUT',
      '/api/v1/ai/config/7',
      { system_prompt: 'hijack' },
      { 'X-WaddleBot-User-Id': '5', 'X-WaddleBot-User-Role': 'moderator' },
    );
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect((await rest('GET', '/api/v1/ai/config/7')).body.data.system_prompt).toBe('Talk like a pirate');
  });

  it('needs the service key', async () => {
    const none = await call(app, 'GET', '/api/v1/ai/config/7', undefined, {});
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await call(
      app,
      'PUT',
      '/api/v1/ai/config/7',
      { model: 'x' },
      {
        'X-Service-Key': 'wrong-key-wrong-key-wrong-key-wrong-key',
        'Content-Type': 'application/json',
      },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_API_KEY');
  });
});

describe('/interaction contract', () => {
  it('!ai with no text → USAGE, and no model call', async () => {
    const res = await interact(alice('!ai   '));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, error_code: 'USAGE', response_action: 'chat' });
    expect(res.body.chat_message).toContain('Usage: !ai <question>');
    expect(ollama.calls('POST', '/api/chat')).toHaveLength(0);
  });

  it('a string rule that forwards to ai asks the matched chat line', async () => {
    ollama.answer('It is Tuesday.');
    const req = {
      ...alice('what day is it?'),
      trigger_type: 'string_match',
      command: '',
      args: [],
      args_text: '',
    };
    const res = await interact(req);
    expect(res.body.chat_message).toBe('🤖 It is Tuesday.');
    expect(lastMessages(ollama, '/api/chat').at(-1)!.content).toContain('what day is it?');
  });

  it('rejects a request without session_id or service key', async () => {
    const { session_id: _drop, ...noSession } = alice('!ai hi');
    expect((await interact(noSession)).status).toBe(400);
    const res = await call(app, 'POST', '/interaction', alice('!ai hi'), {
      'Content-Type': 'application/json',
    });
    expect(res.status).toBe(401);
    expect(ollama.calls('POST', '/api/chat')).toHaveLength(0);
  });

  it('truncates the question to 1000 chars in the prompt', async () => {
    const q = 'q'.repeat(1500);
    await interact(alice(`!ai ${q}`));
    const last = lastMessages(ollama, '/api/chat').at(-1)!.content;
    expect(last).toContain('q'.repeat(1000));
    expect(last).not.toContain('q'.repeat(1001));
  });

  it('keeps history per community and user key, bounded, and never across communities or users', async () => {
    const user = { id: '6001', name: 'histy', display_name: 'Histy', uid: null };
    ollama.answer('first answer');
    await interact(alice('!ai first question', { community: '50', entity: 'twitch:50', user }));
    ollama.answer('second answer');
    await interact(alice('!ai second question', { community: '50', entity: 'twitch:50', user }));
    const withHistory = lastMessages(ollama, '/api/chat');
    expect(withHistory.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(withHistory[1]!.content).toContain('first question');
    expect(withHistory[2]!.content).toBe('first answer');

    await interact(alice('!ai elsewhere', { community: '51', entity: 'twitch:51', user }));
    expect(lastMessages(ollama, '/api/chat').map((m) => m.role)).toEqual(['system', 'user']);
    await interact(alice('!ai someone else', { community: '50', entity: 'twitch:50' }));
    expect(JSON.stringify(lastMessages(ollama, '/api/chat'))).not.toContain('first question');

    // At most CONTEXT_HISTORY_LIMIT (5) earlier exchanges.
    for (let i = 0; i < 7; i++)
      await interact(alice(`!ai loop ${i}`, { community: '50', entity: 'twitch:50', user }));
    expect(lastMessages(ollama, '/api/chat')).toHaveLength(1 + 5 * 2 + 1);

    // Idle conversations expire after 30 minutes.
    clock().advance(31 * 60_000);
    await interact(alice('!ai after a break', { community: '50', entity: 'twitch:50', user }));
    expect(lastMessages(ollama, '/api/chat')).toHaveLength(2);
  });

  it('a user merge moves the conversation to the surviving uid', async () => {
    const before = { id: '7001', name: 'merger', display_name: 'Merger', uid: null };
    ollama.answer('remember me');
    await interact(alice('!ai secret word is kiwi', { community: '60', entity: 'twitch:60', user: before }));
    const merged = await rest('POST', '/internal/user-merged', {
      from_uid: '999',
      into_uid: '1000',
      identities: [{ platform: 'twitch', platform_user_id: '7001' }],
    });
    expect(merged.status).toBe(200);
    expect(merged.body).toEqual({ success: true, data: { merged: true } });
    await interact(
      alice('!ai what was it?', { community: '60', entity: 'twitch:60', user: { ...before, uid: '1000' } }),
    );
    expect(JSON.stringify(lastMessages(ollama, '/api/chat'))).toContain('kiwi');
    const again = await rest('POST', '/internal/user-merged', {
      from_uid: '999',
      into_uid: '1000',
      identities: [{ platform: 'twitch', platform_user_id: '7001' }],
    });
    expect(again.status).toBe(200);
  });

  it('events outside the configured types are skipped; member_join gets its own fallback', async () => {
    const sub = await interact(eventRequest('member_join', { community: '70', entity: 'discord:G70:C1' }));
    expect(sub.body).toMatchObject({ skipped: true, reason: 'event_type_disabled' });
    await rest('PUT', '/api/v1/ai/config/70', { event_types: ['member_join', 'ban'] });
    ollama.answer(() => ({ status: 500, body: {} }));
    const join = await interact(eventRequest('member_join', { community: '70', entity: 'discord:G70:C1' }));
    expect(join.body).toMatchObject({ degraded: true, chat_message: '🤖 Welcome! 👋' });
    const ban = await interact(eventRequest('ban', { community: '70', entity: 'discord:G70:C1' }));
    expect(ban.body.chat_message).toBe('🤖 Thanks for stopping by! 😊');
  });
});

describe('OpenAI-compatible and REST API on Ollama', () => {
  it('chat/completions passes the whole messages array through and answers in OpenAI shape', async () => {
    ollama.answer('Bonjour!');
    const messages = [
      { role: 'system', content: 'Be French.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Salut' },
      { role: 'user', content: 'How are you?' },
    ];
    const res = await rest('POST', '/api/v1/ai/chat/completions', {
      messages,
      temperature: 1.5,
      max_tokens: 42,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'chat.completion',
      model: 'llama3.2',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour!' }, finish_reason: 'stop' }],
      metadata: { provider: 'ollama' },
    });
    expect(res.body.id).toMatch(/^chatcmpl-\d+$/);
    expect(res.body.usage.total_tokens).toBe(res.body.usage.prompt_tokens + res.body.usage.completion_tokens);
    expect(res.body.success).toBeUndefined();
    expect(ollama.calls('POST', '/api/chat')[0]!.json).toMatchObject({
      messages,
      options: { temperature: 1.5, num_predict: 42 },
    });
  });

  it('chat/completions without a user message, or out of range → 400', async () => {
    for (const body of [
      { messages: [{ role: 'system', content: 'x' }] },
      { messages: [] },
      { messages: [{ role: 'user', content: 'x' }], temperature: 2.5 },
      { messages: [{ role: 'user', content: 'x' }], max_tokens: 4097 },
      { messages: [{ role: 'tool', content: 'x' }] },
    ]) {
      const res = await rest('POST', '/api/v1/ai/chat/completions', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect(ollama.calls('POST', '/api/chat')).toHaveLength(0);
  });

  it('generate returns the text; a missing prompt is 400; a model failure is 502', async () => {
    ollama.answer('  A haiku.  ');
    const res = await rest('POST', '/api/v1/ai/generate', {
      prompt: 'write a haiku',
      user_id: 'u1',
      platform: 'discord',
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      prompt: 'write a haiku',
      generated_text: 'A haiku.',
      metadata: { provider: 'ollama', model: 'llama3.2', user_id: 'u1', platform: 'discord' },
    });
    expect((await rest('POST', '/api/v1/ai/generate', {})).status).toBe(400);
    expect((await rest('POST', '/api/v1/ai/generate', { prompt: 'p'.repeat(10_001) })).status).toBe(400);
    ollama.answer(() => ({ status: 500, body: { error: 'boom: secret internals' } }));
    const down = await rest('POST', '/api/v1/ai/generate', { prompt: 'x' });
    expect(down.status).toBe(502);
    expect(down.body.error.code).toBe('UPSTREAM_ERROR');
    expect(JSON.stringify(down.body)).not.toContain('secret internals');
  });

  it('models lists the Ollama tags; providers reports health', async () => {
    const models = await rest('GET', '/api/v1/ai/models');
    expect(models.status).toBe(200);
    expect(models.body).toEqual({
      object: 'list',
      data: [
        { id: 'llama3.2', object: 'model', owned_by: 'ollama' },
        { id: 'mistral:7b', object: 'model', owned_by: 'ollama' },
      ],
      current_model: 'llama3.2',
      current_provider: 'ollama',
    });
    const providers = await rest('GET', '/api/v1/ai/providers');
    expect(providers.status).toBe(200);
    expect(providers.body.data).toMatchObject({
      current_provider: 'ollama',
      providers: {
        ollama: { health: 'ok', configured: true, current: true, base_url: ollama.url },
        openai: { health: 'not_configured', configured: false, current: false },
      },
    });
    for (const path of ['/api/v1/ai/models', '/api/v1/ai/providers']) {
      expect((await call(app, 'GET', path, undefined, {})).status).toBe(401);
    }
    const generate = await call(
      app,
      'POST',
      '/api/v1/ai/generate',
      { prompt: 'x' },
      {
        'Content-Type': 'application/json',
      },
    );
    expect(generate.status).toBe(401);
  });
});
