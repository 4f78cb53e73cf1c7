import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  LocalDispatch,
  UpstreamError,
  createHttpClient,
  createServiceClients,
  runWithRequestId,
} from '../src/index.js';
import { startFakeServer, type FakeServer } from '../src/testing/index.js';

let fake: FakeServer;
beforeAll(async () => {
  fake = await startFakeServer();
});
afterAll(() => fake.close());

const client = (extra = {}) =>
  createHttpClient({
    baseUrl: fake.url,
    timeoutMs: 2000,
    retries: 2,
    backoffInitialMs: 1,
    backoffMaxMs: 5,
    breakerThreshold: 0,
    ...extra,
  });

describe('http client retries', () => {
  it('does not retry a 500: the request may have been processed', async () => {
    fake.reset();
    fake.on('POST', '/x', { status: 500, body: { error: 'boom' } });
    const res = await client().post('/x', { a: 1 });
    expect(res.status).toBe(500);
    expect(fake.calls('POST', '/x')).toHaveLength(1);
  });

  it.each([429, 502, 503])('retries a %i and returns the later success', async (status) => {
    fake.reset();
    let n = 0;
    fake.on('POST', '/y', () =>
      ++n === 1 ? { status, body: { error: 'busy' } } : { status: 200, body: { ok: true } },
    );
    const res = await client().post('/y', {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(fake.calls('POST', '/y')).toHaveLength(2);
  });

  it('gives up after the configured retries and hands back the last answer', async () => {
    fake.reset();
    fake.on('GET', '/z', { status: 503, body: { error: 'down' } });
    const res = await client().get('/z');
    expect(res.status).toBe(503);
    expect(fake.calls('GET', '/z')).toHaveLength(3);
  });

  it('retries connection errors but not timeouts', async () => {
    const refused = createHttpClient({
      baseUrl: 'http://127.0.0.1:9',
      timeoutMs: 500,
      retries: 2,
      backoffInitialMs: 1,
      breakerThreshold: 0,
    });
    await expect(refused.get('/')).rejects.toBeInstanceOf(ConnectionError);

    fake.reset();
    fake.on('GET', '/slow', { status: 200, body: {}, delayMs: 300 });
    await expect(client({ timeoutMs: 50 }).get('/slow')).rejects.toMatchObject({ timedOut: true });
    await new Promise((r) => setTimeout(r, 350));
    expect(fake.calls('GET', '/slow')).toHaveLength(1);
  });

  it('opens the circuit after consecutive failures and stops calling', async () => {
    fake.reset();
    fake.on('GET', '/flaky', { status: 503 });
    const c = client({ retries: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 60_000 });
    for (let i = 0; i < 3; i++) await c.get('/flaky');
    await expect(c.get('/flaky')).rejects.toThrow(/circuit open/);
    expect(fake.calls('GET', '/flaky')).toHaveLength(3);
  });

  it('json() unwraps the envelope and maps failures to UpstreamError', async () => {
    fake.reset();
    fake.on('GET', '/env', { status: 200, body: { success: true, data: { id: 4 } } });
    fake.on('GET', '/bad', { status: 404, body: { success: false } });
    expect(await client().json('/env')).toEqual({ id: 4 });
    await expect(client().json('/bad')).rejects.toBeInstanceOf(UpstreamError);
  });
});

describe('service client', () => {
  const config = { SERVICE_API_KEY: 'k'.repeat(40), REQUEST_TIMEOUT: 5, ROUTER_URL: '' };

  it('sends X-Service-Key and forwards the current request id', async () => {
    fake.reset();
    fake.on('POST', '/router/events', { status: 200, body: { success: true } });
    const serviceClient = createServiceClients({ config: { ...config, ROUTER_URL: fake.url }, fetch });
    await runWithRequestId('rid-42', () => serviceClient('router').post('/router/events', { a: 1 }));
    const [req] = fake.calls('POST', '/router/events');
    expect(req!.headers['x-service-key']).toBe('k'.repeat(40));
    expect(req!.headers['x-request-id']).toBe('rid-42');
    expect(req!.json).toEqual({ a: 1 });
  });

  it('dispatches in-process when the origin belongs to this process, over HTTP otherwise', async () => {
    const dispatch = new LocalDispatch();
    const seen: string[] = [];
    dispatch.register('http://127.0.0.1:58000', async (req) => {
      seen.push(`${req.method} ${new URL(req.url).pathname} ${req.headers.get('x-service-key')?.length}`);
      return Response.json({ success: true, data: { local: true } });
    });
    const serviceClient = createServiceClients({
      config: { ...config, ROUTER_URL: 'http://localhost:58000' },
      fetch: dispatch.fetch,
    });
    expect(await serviceClient('router').json('/router/commands')).toEqual({ local: true });
    expect(seen).toEqual(['GET /router/commands 40']);

    fake.reset();
    fake.on('GET', '/remote', { status: 200, body: { remote: true } });
    expect((await dispatch.fetch(`${fake.url}/remote`)).status).toBe(200);
    expect(fake.calls('GET', '/remote')).toHaveLength(1);
  });
});
