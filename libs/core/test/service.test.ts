import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestRuntime,
  call,
  serviceHeaders,
  TEST_SECRET_KEY,
  type TestRuntime,
} from '../src/testing/index.js';
import { defineService, migrateSchema, signJwt, sql } from '../src/index.js';
import { notesService } from './fixtures/notes-service.js';

let rt: TestRuntime;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];

beforeAll(async () => {
  rt = await createTestRuntime();
  app = (await rt.add(notesService)).app;
});
afterAll(() => rt.close());

describe('a service built with defineService', () => {
  it('migrates into its own schema and serves validated routes', async () => {
    const created = await call(app, 'POST', '/notes', { community_id: '7', title: 'hello' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ success: true, data: { id: 1, community_id: '7', title: 'hello' } });
    const tables = await sql<{
      table_schema: string;
    }>`select table_schema from information_schema.tables where table_name = 'notes'`.execute(
      rt.db.database.root,
    );
    expect(tables.rows.map((r) => r.table_schema)).toEqual(['labels']);
    const got = await call(app, 'GET', '/notes/1');
    expect(got.body.data.title).toBe('hello');
  });

  it('answers validation failures with the envelope and dotted paths', async () => {
    const res = await call(app, 'POST', '/notes', { community_id: 'x', title: '' });
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'community_id',
      'title',
    ]);
    expect(res.body.error.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('treats malformed JSON as VALIDATION_ERROR, not 500', async () => {
    const res = await call(app, 'POST', '/notes', '{"community_id":', serviceHeaders());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('maps typed errors: 404 and 409', async () => {
    expect((await call(app, 'GET', '/notes/999')).body.error.code).toBe('NOT_FOUND');
    await call(app, 'POST', '/notes', { community_id: '8', title: 'dup' });
    const dup = await call(app, 'POST', '/notes', { community_id: '8', title: 'dup' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
  });

  it('never echoes exception text and logs the error without the secret', async () => {
    const res = await call(app, 'GET', '/boom');
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    const logged = rt.logLines.join('\n');
    expect(logged).toContain('unhandled error');
    expect(logged).not.toContain('hunter2hunter2');
  });

  it('echoes X-Request-Id', async () => {
    const res = await call(
      app,
      'GET',
      '/notes/1',
      undefined,
      serviceHeaders({ 'X-Request-Id': 'req-abc-123' }),
    );
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
  });

  it('requires credentials: none → 401 AUTH_REQUIRED, wrong → 401 INVALID_API_KEY, JWT accepted where allowed', async () => {
    const none = await call(app, 'GET', '/notes/1', undefined, {});
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await call(app, 'GET', '/notes/1', undefined, { 'X-Service-Key': 'nope' });
    expect(wrong.body.error.code).toBe('INVALID_API_KEY');
    const token = signJwt({ sub: '5', username: 'amy', roles: [] }, TEST_SECRET_KEY, { now: rt.clock.now() });
    const viaJwt = await call(
      app,
      'POST',
      '/notes',
      { community_id: '9', title: 'jwt' },
      { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    );
    expect(viaJwt.status).toBe(201);
    const jwtWhereServiceOnly = await call(app, 'GET', '/notes/1', undefined, {
      Authorization: `Bearer ${token}`,
    });
    expect(jwtWhereServiceOnly.status).toBe(401);
  });

  it('rejects bodies over 64 KiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await call(app, 'POST', '/notes', { community_id: '1', title: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('serves health, readiness with checks, metrics by route and an OpenAPI document', async () => {
    expect((await call(app, 'GET', '/healthz', undefined, {})).body).toEqual({ status: 'ok' });
    const ready = await call(app, 'GET', '/readyz', undefined, {});
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'healthy', checks: { database: 'ok' } });
    expect((await call(app, 'GET', '/health', undefined, {})).body.status).toBe('healthy');
    const metrics = await app.request('/metrics');
    const text = await metrics.text();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/notes\/:id"/);
    expect(text).toContain('process_cpu_user_seconds_total');
    const doc = await call(app, 'GET', '/openapi.json', undefined, {});
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/notes');
  });

  it('POST /internal/user-merged: service key only, validated body, audited merge', async () => {
    const body = { from_uid: '41', into_uid: '42' };
    expect((await call(app, 'POST', '/internal/user-merged', body, {})).status).toBe(401);
    const bad = await call(app, 'POST', '/internal/user-merged', { from_uid: 41 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(await call(app, 'POST', '/internal/user-merged', body)).toMatchObject({
      status: 200,
      body: { success: true, data: { merged: true } },
    });
    const doc = await call(app, 'GET', '/openapi.json', undefined, {});
    expect(Object.keys(doc.body.paths)).toContain('/internal/user-merged');
  });

  it('rate-limits a route per caller with 429 RATE_LIMITED and Retry-After', async () => {
    const headers = { 'X-Forwarded-For': '203.0.113.9' };
    expect((await call(app, 'GET', '/limited', undefined, headers)).status).toBe(200);
    expect((await call(app, 'GET', '/limited', undefined, headers)).status).toBe(200);
    const limited = await call(app, 'GET', '/limited', undefined, headers);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (await call(app, 'GET', '/limited', undefined, { 'X-Forwarded-For': '203.0.113.10' })).status,
    ).toBe(200);
  });

  it('runs migrations once even when two replicas start together', async () => {
    const results = await Promise.all([
      migrateSchema(rt.db.database, 'labels', notesService.migrations!),
      migrateSchema(rt.db.database, 'labels', notesService.migrations!),
    ]);
    expect(results).toEqual([[], []]);
  });
});

describe('a service that serves HTTP upgrades on its own port', () => {
  it('gets the upgrade requests of its listening server, and its HTTP routes on the same port', async () => {
    const upgraded: string[] = [];
    const echo = defineService({
      name: 'browser-source',
      routes(app) {
        app.get('/plain', (c) => c.text('plain'));
      },
      upgrade: () => (req, socket) => {
        upgraded.push(req.url ?? '');
        socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
      },
    });
    const own = await createTestRuntime();
    try {
      const svc = await own.add(echo, {}, { listen: true });
      expect(svc.port).toBeGreaterThan(0);
      expect(await (await fetch(`http://127.0.0.1:${svc.port}/plain`)).text()).toBe('plain');
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port: svc.port,
          path: '/ws/abc',
          headers: { Connection: 'Upgrade', Upgrade: 'test' },
        });
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          resolve(res.statusCode);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(101);
      expect(upgraded).toEqual(['/ws/abc']);
    } finally {
      await own.close();
    }
  });
});
