import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createTestRuntime,
  serviceHeaders,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { ConfigError, serviceConfig } from '@waddlebot/core';
import { llmTimeoutMs } from '../src/ai-config.js';
import { service } from '../src/service.js';
import { lastMessages, startFakeOpenAi } from './fake-llm.js';
import { chat, eventRequest } from './module-request.js';

const API_KEY = 'sk-test-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c1e';
const BOB = { id: '31', name: 'bob', display_name: 'BobTheBuilder', uid: '77' };

let router: FakeServer;
let openai: Awaited<ReturnType<typeof startFakeOpenAi>>;

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  openai = await startFakeOpenAi(API_KEY);
});
afterAll(async () => {
  await router?.close();
  await openai?.close();
});

const rest = (app: { request: any }, method: string, path: string, body?: unknown) =>
  call(app, method, path, body, serviceHeaders());

describe('openai provider without credentials (contracts §17.4)', () => {
  let rt: TestRuntime;
  let app: Awaited<ReturnType<TestRuntime['add']>>['app'];

  beforeAll(async () => {
    rt = await createTestRuntime({
      env: { ROUTER_URL: router.url, AI_PROVIDER: 'openai', OPENAI_BASE_URL: openai.url },
    });
    app = (await rt.add(service)).app;
    await rest(app, 'PUT', '/api/v1/ai/config/7', { passive_chat: true });
  });
  afterAll(async () => rt?.close());

  it('starts and is ready, reporting the upstream as not_configured', async () => {
    const ready = await call(app, 'GET', '/readyz', undefined, {});
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ database: 'ok', upstream: 'not_configured' });
  });

  it('answers !ai with a NOT_CONNECTED chat message naming the missing setting', async () => {
    const res = await call(app, 'POST', '/interaction', chat('!ai hello?', { user: BOB }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, error_code: 'NOT_CONNECTED', response_action: 'chat' });
    expect(res.body.chat_message).toContain('OPENAI_API_KEY');
  });

  it('still thanks for events (degraded) and keeps passive mode quiet', async () => {
    const sub = await call(app, 'POST', '/interaction', eventRequest('subscription'));
    expect(sub.body).toMatchObject({
      success: true,
      degraded: true,
      chat_message: '🤖 Thank you for the sub! 🎉',
    });
    const passive = await call(app, 'POST', '/interaction', eventRequest('chatMessage', { text: 'hello' }));
    expect(passive.body).toMatchObject({ skipped: true, reason: 'not_configured' });
  });

  it('REST calls that need the model answer 502 UPSTREAM_ERROR; providers shows what is missing', async () => {
    const gen = await rest(app, 'POST', '/api/v1/ai/generate', { prompt: 'x' });
    expect(gen.status).toBe(502);
    expect(gen.body.error.code).toBe('UPSTREAM_ERROR');
    expect(gen.body.error.message).toContain('OPENAI_API_KEY');
    expect((await rest(app, 'GET', '/api/v1/ai/models')).status).toBe(502);
    const comp = await rest(app, 'POST', '/api/v1/ai/chat/completions', {
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(comp.status).toBe(502);
    const providers = await rest(app, 'GET', '/api/v1/ai/providers');
    expect(providers.body.data).toMatchObject({
      current_provider: 'openai',
      providers: { openai: { configured: false, health: 'not_configured', current: true } },
    });
    expect(openai.calls('POST', '/chat/completions')).toHaveLength(0);
  });
});

describe('openai-compatible provider with a key (AI_PROVIDER=waddleai alias)', () => {
  let rt: TestRuntime;
  let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
  let seeded: Promise<void>;

  let ownRouter: FakeServer;

  beforeAll(async () => {
    // Its own router fake, so rows seeded by the other runtime cannot mix in.
    ownRouter = await startFakeServer();
    ownRouter.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
    rt = await createTestRuntime({
      env: {
        ROUTER_URL: ownRouter.url,
        AI_PROVIDER: 'waddleai',
        OPENAI_BASE_URL: openai.url,
        AI_API_KEY: API_KEY,
        OPENAI_MODEL: 'local-7b',
        AI_PASSIVE_CHAT: 'true',
        AI_PASSIVE_COOLDOWN_SECONDS: '0',
        RESPONSE_PREFIX: '[bot] ',
        EVENT_RESPONSE_TYPES: 'raid',
        ENABLE_CHAT_CONTEXT: 'false',
        QUESTION_TRIGGERS: '?,help me',
        AI_BOT_USERS: 'WaddleBot',
        MAX_CONCURRENT_REQUESTS: '1',
      },
    });
    const svc = await rt.add(service);
    app = svc.app;
    seeded = svc.seeded;
  });
  afterAll(async () => {
    await rt?.close();
    await ownRouter?.close();
  });

  it('seeds one event row per configured type and enables passive chat by default', async () => {
    await seeded;
    const rows = ownRouter.calls('POST', '/router/admin/commands').map((r) => r.json);
    const events = rows.filter((r) => r.trigger_type === 'event');
    expect(events.map((r) => r.command).sort()).toEqual(['ai_response_chatmessage', 'ai_response_raid']);
    expect(events.find((r) => r.command === 'ai_response_chatmessage').enabled_by_default).toBe(true);
  });

  it('!ai calls /chat/completions with the bearer key and the configured model', async () => {
    openai.answer('Use a level.');
    const res = await call(app, 'POST', '/interaction', chat('!ai how to hang a shelf', { user: BOB }));
    expect(res.body).toMatchObject({ success: true, chat_message: '[bot] Use a level.' });
    const req = openai.calls('POST', '/chat/completions').at(-1)!;
    expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.json).toMatchObject({ model: 'local-7b', temperature: 0.7, max_tokens: 500 });
    expect(req.json.messages.at(-1).content).toContain('BobTheBuilder');
  });

  it('ENABLE_CHAT_CONTEXT=false sends no history', async () => {
    await call(app, 'POST', '/interaction', chat('!ai one', { user: BOB }));
    await call(app, 'POST', '/interaction', chat('!ai two', { user: BOB }));
    expect(lastMessages(openai, '/chat/completions').map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('passive chat from env: a custom question trigger, no cooldown, never the bot itself', async () => {
    openai.answer('Sure!');
    const help = await call(
      app,
      'POST',
      '/interaction',
      eventRequest('chatMessage', { text: 'can someone help me' }),
    );
    expect(help.body.chat_message).toBe('[bot] Sure!');
    const again = await call(
      app,
      'POST',
      '/interaction',
      eventRequest('chatMessage', { text: 'help me please' }),
    );
    expect(again.body.response_action).toBe('chat');
    const bot = await call(
      app,
      'POST',
      '/interaction',
      eventRequest('chatMessage', { text: 'hello?', user: { id: '1', name: 'waddlebot' } }),
    );
    expect(bot.body).toMatchObject({ skipped: true, reason: 'own_message' });
  });

  it('chat/completions reports the provider usage; models come from /models', async () => {
    openai.answer('Pong');
    const res = await rest(app, 'POST', '/api/v1/ai/chat/completions', {
      messages: [{ role: 'user', content: 'Ping' }],
      model: 'gpt-4o-mini',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      model: 'gpt-4o-mini',
      choices: [{ message: { content: 'Pong' } }],
      usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 },
      metadata: { provider: 'openai' },
    });
    const models = await rest(app, 'GET', '/api/v1/ai/models');
    expect(models.body).toMatchObject({
      object: 'list',
      data: [
        { id: 'gpt-4o-mini', object: 'model', owned_by: 'openai' },
        { id: 'local-7b', object: 'model', owned_by: 'acme' },
      ],
      current_model: 'local-7b',
      current_provider: 'openai',
    });
  });

  it('a rejected key degrades to the fallback, and the key never shows in a response or a log line', async () => {
    const bad = await createTestRuntime({
      env: {
        ROUTER_URL: router.url,
        AI_PROVIDER: 'openai',
        OPENAI_BASE_URL: openai.url,
        OPENAI_API_KEY: 'sk-wrong-0000000000000000000000000000',
      },
    });
    try {
      const badApp = (await bad.add(service)).app;
      const res = await call(badApp, 'POST', '/interaction', chat('!ai hi', { user: BOB }));
      expect(res.body).toMatchObject({ success: true, degraded: true });
      const providers = await rest(badApp, 'GET', '/api/v1/ai/providers');
      expect(providers.body.data.providers.openai.health).toBe('error');
      expect(JSON.stringify(providers.body)).not.toContain('sk-wrong');
      expect(bad.logLines.join('\n')).not.toContain('sk-wrong-0000000000000000000000000000');
      expect(bad.logLines.some((l) => l.includes('llm call failed'))).toBe(true);
    } finally {
      await bad.close();
    }
    for (const path of ['/api/v1/ai/providers', '/api/v1/ai/config/7', '/readyz']) {
      const res = await call(app, 'GET', path, undefined, serviceHeaders());
      expect(JSON.stringify(res.body)).not.toContain(API_KEY);
    }
    expect(rt.logLines.join('\n')).not.toContain(API_KEY);
  });

  // Last in this block: its route replaces the fake's key-checking one.
  it('MAX_CONCURRENT_REQUESTS=1 queues LLM calls instead of running them side by side', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    openai.on('POST', '/chat/completions', async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Long enough for unqueued calls to overlap; nothing asserts on the duration.
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight--;
      return {
        body: {
          model: 'local-7b',
          choices: [{ index: 0, message: { role: 'assistant', content: 'queued' }, finish_reason: 'stop' }],
        },
      };
    });
    const before = openai.calls('POST', '/chat/completions').length;
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => call(app, 'POST', '/interaction', chat(`!ai q${i}`, { user: BOB }))),
    );
    expect(results.map((r) => r.body.chat_message)).toEqual(Array(4).fill('[bot] queued'));
    expect(openai.calls('POST', '/chat/completions').length - before).toBe(4);
    expect(maxInFlight).toBe(1);
  });
});

describe('configuration errors stop start-up with the variable named', () => {
  const base = { SERVICE_API_KEY: 'k'.repeat(40) };
  const problems = (env: Record<string, string>) => {
    try {
      serviceConfig(service, { ...base, ...env });
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  };

  it('names AI_PROVIDER, AI_TEMPERATURE and EVENT_RESPONSE_TYPES', () => {
    expect(problems({ AI_PROVIDER: 'langchain' }).join()).toContain('AI_PROVIDER');
    expect(problems({ AI_TEMPERATURE: '2.5' }).join()).toContain('AI_TEMPERATURE');
    expect(problems({ EVENT_RESPONSE_TYPES: 'follow,dance' }).join()).toContain('EVENT_RESPONSE_TYPES');
    expect(problems({ AI_PROVIDER: 'mcp', AI_TEMPERATURE: '1.2' })).toEqual([]);
  });

  it('keeps the LLM timeout at 25 s, below the router timeout, and within REQUEST_TIMEOUT', () => {
    expect(llmTimeoutMs(serviceConfig(service, base))).toBe(25_000);
    expect(llmTimeoutMs(serviceConfig(service, { ...base, REQUEST_TIMEOUT: '3' }))).toBe(3000);
    expect(problems({ AI_TIMEOUT_MS: '30000' }).join()).toContain('AI_TIMEOUT_MS');
  });
});
