import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger, startFakeServer } from '@waddlebot/core/testing';
import { DependencyWatch } from '../src/dependency-watch.js';
import { eventually, startHarness, twitchChat, type Harness } from './harness.js';

describe('DependencyWatch', () => {
  const levels = (records: Record<string, unknown>[]) => records.map((r) => `${r.level} ${r.msg}`);

  it('warns once when a service goes down, stays at debug while down, says info on recovery', () => {
    const mem = createMemoryLogger({ module: 'router', level: 'debug' });
    const watch = new DependencyWatch(mem.logger);
    watch.succeeded('labels');
    watch.failed('labels', { status: 503 });
    watch.failed('labels', { err: 'circuit open for http://127.0.0.1:8023' });
    watch.failed('labels', { err: 'connection failed' });
    expect(watch.isDown('labels')).toBe(true);
    watch.succeeded('labels');
    watch.succeeded('labels');
    watch.failed('labels', { status: 500 });
    mem.logger.flush();
    expect(levels(mem.records())).toEqual([
      'warn labels unavailable; continuing without labels',
      'debug labels unavailable; continuing without labels',
      'debug labels unavailable; continuing without labels',
      'info labels available again',
      'warn labels unavailable; continuing without labels',
    ]);
    expect(mem.records()[0]).toMatchObject({ dependency: 'labels', status: 503 });
  });

  it('tracks each service on its own', () => {
    const mem = createMemoryLogger({ module: 'router', level: 'debug' });
    const watch = new DependencyWatch(mem.logger);
    watch.failed('identity', {});
    watch.failed('reputation', {});
    watch.failed('identity', {});
    watch.succeeded('reputation');
    mem.logger.flush();
    expect(levels(mem.records())).toEqual([
      'warn identity unavailable; continuing without uid',
      'warn reputation unavailable; events are not scored',
      'debug identity unavailable; continuing without uid',
      'info reputation available again',
    ]);
    expect(watch.isDown('identity')).toBe(true);
    expect(watch.isDown('reputation')).toBe(false);
  });

  it('call(): a 2xx answer is returned, a refusal or a throw is reported and yields null', async () => {
    const mem = createMemoryLogger({ module: 'router', level: 'debug' });
    const watch = new DependencyWatch(mem.logger);
    const answer = (status: number) => async () => ({
      status,
      ok: status < 300,
      headers: new Headers(),
      body: { status },
      text: '',
    });
    expect(await watch.call('browser-source', answer(502))).toBeNull();
    expect(
      await watch.call('browser-source', () => Promise.reject(new Error('connection failed'))),
    ).toBeNull();
    expect((await watch.call('browser-source', answer(200)))?.body).toEqual({ status: 200 });
    mem.logger.flush();
    expect(levels(mem.records())).toEqual([
      'warn browser-source unavailable; overlays are dropped',
      'debug browser-source unavailable; overlays are dropped',
      'info browser-source available again',
    ]);
    expect(mem.records()[1]).toMatchObject({ err: 'connection failed' });
  });
});

describe('the router with optional services not running', () => {
  let h: Harness;
  let identityUp = false;
  const MESSAGES = 12;

  beforeAll(async () => {
    // A port that refuses connections: the service is simply not running.
    const gone = await startFakeServer();
    const closedUrl = gone.url;
    await gone.close();
    h = await startHarness({
      LOG_LEVEL: 'debug',
      LABELS_URL: closedUrl,
      REPUTATION_URL: closedUrl,
      BROWSER_SOURCE_URL: closedUrl,
    });
    h.fakes.identity.on('POST', '/identity/resolve', (req) =>
      identityUp
        ? { body: { success: true, data: { uid: `9${req.json.platform_user_id}`, created: false } } }
        : // 500, not 503: the client's breaker would keep a recovered identity closed off for 10 s.
          { status: 500, body: { success: false } },
    );
    await h.registerCommand({ command: 'so' });
  });
  afterAll(async () => h.close());

  const lines = (pattern: RegExp) =>
    h.rt.logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => typeof r.msg === 'string' && pattern.test(r.msg as string));
  const atLevel = (level: string, pattern: RegExp) => lines(pattern).filter((r) => r.level === level);

  it('each missing service costs one warning, not one per message', async () => {
    for (let i = 0; i < MESSAGES; i++) {
      // Distinct users, so labels are looked up (not cached) every time.
      const res = await h.post('/router/events', twitchChat(`!so friend${i}`, { user_id: `71${i}` }));
      expect(res.status).toBe(200);
      expect(res.body.outcome).toBe('executed');
      expect(res.body.replies[0].text).toBe('bob is awesome, go follow!');
    }
    // Reputation and overlays are fire-and-forget: wait until every call has been reported.
    await eventually(
      async () => lines(/^reputation unavailable/).length,
      (n) => n === MESSAGES,
    );
    await eventually(
      async () => lines(/^browser-source unavailable/).length,
      (n) => n === MESSAGES,
    );
    for (const name of ['identity', 'labels', 'reputation', 'browser-source']) {
      const pattern = new RegExp(`^${name} unavailable`);
      expect(atLevel('warn', pattern)).toHaveLength(1);
      expect(atLevel('debug', pattern)).toHaveLength(MESSAGES - 1);
    }
    const warnings = h.rt.logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.level === 'warn' || r.level === 'error');
    expect(warnings.map((r) => r.msg).sort()).toEqual(
      [
        'browser-source unavailable; overlays are dropped',
        'identity unavailable; continuing without uid',
        'labels unavailable; continuing without labels',
        'reputation unavailable; events are not scored',
      ].sort(),
    );
    // The module was still called, keyed by the fallback user key and without a uid.
    expect(h.fakes.module.calls('POST', '/shoutout').at(-1)!.json.user.uid).toBeNull();
  });

  it('readiness stays 200 and shows the missing services as degraded', async () => {
    const ready = await h.get('/router/health', {});
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('healthy');
    expect(ready.body.checks).toMatchObject({
      database: 'ok',
      identity: 'degraded',
      labels: 'degraded',
      reputation: 'degraded',
      'browser-source': 'degraded',
    });
  });

  it('a service that comes back is logged once at info and used again', async () => {
    identityUp = true;
    const res = await h.post('/router/events', twitchChat('!so again', { user_id: '7199' }));
    expect(res.body.outcome).toBe('executed');
    expect(h.fakes.module.calls('POST', '/shoutout').at(-1)!.json.user.uid).toBe('97199');
    expect(atLevel('info', /^identity available again$/)).toHaveLength(1);
    await h.post('/router/events', twitchChat('!so more', { user_id: '7198' }));
    expect(atLevel('info', /^identity available again$/)).toHaveLength(1);
    expect((await h.get('/router/health', {})).body.checks.identity).toBe('ok');
  });
});
