import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ForbiddenError,
  createAuth,
  createMetrics,
  createMemoryLogger,
  generateApiKey,
  identityUserKeys,
  isPlatformAdmin,
  newApp,
  sha256Hex,
  signJwt,
  sql,
  API_KEY_PATTERN,
  USER_KEY_PATTERN,
  type AuthContext,
} from '../src/index.js';
import { createTestDatabase, FakeClock, type TestDatabase } from '../src/testing/index.js';

const SERVICE_KEY = 's'.repeat(40);
const JWT_SECRET = 'jwt-secret-0123456789-0123456789';
const clock = new FakeClock('2025-11-20T18:00:00Z');
let tdb: TestDatabase;
const userKey = generateApiKey('wbot_user_');
const externalKey = generateApiKey('wbot_');

function buildApp(): Hono<any> {
  const { logger } = createMemoryLogger({ module: 'test' });
  const auth = createAuth({
    serviceApiKey: SERVICE_KEY,
    jwtSecret: JWT_SECRET,
    userKeys: identityUserKeys(tdb.database.root, () => clock.now()),
    apiKeys: async (hash) =>
      hash === sha256Hex(externalKey)
        ? ({
            kind: 'api_key',
            user_id: null,
            username: 'svc-acct',
            email: null,
            roles: [],
            permissions: ['router/*'],
            account: { account_type: 'webhook' },
          } satisfies AuthContext)
        : null,
    logger,
    now: () => clock.now(),
  });
  const app = newApp({ service: 'test', version: '1', logger, metrics: createMetrics('test') });
  app.get('/svc', auth.require('service'), (c) => c.json(c.get('auth')));
  app.get('/any', auth.require('service', 'jwt', 'user_key'), (c) => c.json(c.get('auth')));
  app.get('/ext', auth.require('service', 'api_key'), (c) => {
    const a = c.get('auth');
    if (a.kind === 'api_key' && (a.account as { account_type: string }).account_type !== 'admin')
      throw new ForbiddenError('Wrong account type');
    return c.json(a);
  });
  app.get('/admin-only', auth.require('jwt', 'user_key'), async (c) => {
    if (!(await isPlatformAdmin(tdb.database.root, c.get('auth')))) throw new ForbiddenError();
    return c.json({ ok: true });
  });
  return app;
}

let app: Hono<any>;
beforeAll(async () => {
  tdb = await createTestDatabase();
  const db = tdb.database.root;
  await sql`create schema identity`.execute(db);
  await sql`create table identity.auth_user (id serial primary key, username text, email text)`.execute(db);
  await sql`create table identity.user_api_keys (id serial primary key, user_id int, name text, api_key_hash text, permissions jsonb, is_active boolean, expires_at timestamptz)`.execute(
    db,
  );
  await sql`create table identity.auth_role (id serial primary key, name text)`.execute(db);
  await sql`create table identity.auth_user_roles (user_id int, role_id int)`.execute(db);
  await sql`insert into identity.auth_user (username, email) values ('amy', 'amy@example.com'), ('root', 'root@example.com')`.execute(
    db,
  );
  await sql`insert into identity.user_api_keys (user_id, name, api_key_hash, permissions, is_active, expires_at) values
    (1, 'bot', ${sha256Hex(userKey)}, '["profile:view"]', true, null),
    (1, 'old', ${sha256Hex('wbot_user_' + 'x'.repeat(43))}, '[]', true, '2020-01-01')`.execute(db);
  await sql`insert into identity.auth_role (name) values ('admin')`.execute(db);
  await sql`insert into identity.auth_user_roles values (2, 1)`.execute(db);
  app = buildApp();
});
afterAll(() => tdb.cleanup());

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await app.request(path, { headers });
  return { status: res.status, body: (await res.json()) as any };
};

describe('service key', () => {
  it('admits the right key, constant-time compared', async () => {
    const res = await get('/svc', { 'X-Service-Key': SERVICE_KEY });
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe('service');
  });
  it('no credential → 401 AUTH_REQUIRED; wrong key → 401 INVALID_API_KEY', async () => {
    expect(await get('/svc')).toMatchObject({ status: 401, body: { error: { code: 'AUTH_REQUIRED' } } });
    expect(await get('/svc', { 'X-Service-Key': SERVICE_KEY + 'x' })).toMatchObject({
      status: 401,
      body: { error: { code: 'INVALID_API_KEY' } },
    });
    expect(await get('/svc', { 'X-Service-Key': '' })).toMatchObject({
      status: 401,
      body: { error: { code: 'INVALID_API_KEY' } },
    });
  });
  it('a credential of a kind the route does not take is refused', async () => {
    const token = signJwt({ sub: '1', username: 'amy', roles: [] }, JWT_SECRET, { now: clock.now() });
    expect((await get('/svc', { Authorization: `Bearer ${token}` })).status).toBe(401);
  });
});

describe('JWT', () => {
  it('admits a valid token and exposes its claims', async () => {
    const token = signJwt(
      { sub: '1', username: 'amy', email: 'amy@example.com', roles: ['user'] },
      JWT_SECRET,
      { now: clock.now() },
    );
    const res = await get('/any', { Authorization: `Bearer ${token}` });
    expect(res.body).toMatchObject({ kind: 'jwt', user_id: '1', username: 'amy', roles: ['user'] });
  });
  it('refuses expired, foreign-signed and malformed tokens with 401 INVALID_API_KEY', async () => {
    const expired = signJwt({ sub: '1', username: 'amy', roles: [] }, JWT_SECRET, {
      now: new Date('2025-11-18T00:00:00Z'),
    });
    const foreign = signJwt(
      { sub: '1', username: 'amy', roles: ['admin'] },
      'another-secret-0123456789-012345',
      { now: clock.now() },
    );
    for (const token of [expired, foreign, 'not.a.jwt']) {
      expect(await get('/any', { Authorization: `Bearer ${token}` })).toMatchObject({
        status: 401,
        body: { error: { code: 'INVALID_API_KEY' } },
      });
    }
  });
});

describe('API keys (sha256-stored)', () => {
  it('generates keys of the documented shape', () => {
    expect(externalKey).toMatch(API_KEY_PATTERN);
    expect(userKey).toMatch(USER_KEY_PATTERN);
  });
  it('admits an active user key looked up by its hash; refuses expired and unknown ones', async () => {
    const ok = await get('/any', { 'X-API-Key': userKey });
    expect(ok.body).toMatchObject({
      kind: 'user_key',
      user_id: '1',
      username: 'amy',
      permissions: ['profile:view'],
    });
    expect((await get('/any', { 'X-API-Key': 'wbot_user_' + 'x'.repeat(43) })).body.error.code).toBe(
      'INVALID_API_KEY',
    );
    expect((await get('/any', { 'X-API-Key': 'wbot_user_' + 'y'.repeat(43) })).body.error.code).toBe(
      'INVALID_API_KEY',
    );
  });
  it('admits an external key as X-API-Key or Bearer; the wrong account type is 403', async () => {
    expect(await get('/ext', { 'X-API-Key': externalKey })).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
    expect(await get('/ext', { Authorization: `Bearer ${externalKey}` })).toMatchObject({ status: 403 });
    expect((await get('/ext', { 'X-API-Key': generateApiKey() })).body.error.code).toBe('INVALID_API_KEY');
  });
  it('platform admin (identity auth_role admin) passes; a plain user gets 403', async () => {
    const admin = signJwt({ sub: '2', username: 'root', roles: [] }, JWT_SECRET, { now: clock.now() });
    const user = signJwt({ sub: '1', username: 'amy', roles: [] }, JWT_SECRET, { now: clock.now() });
    expect((await get('/admin-only', { Authorization: `Bearer ${admin}` })).status).toBe(200);
    expect(await get('/admin-only', { Authorization: `Bearer ${user}` })).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
  });
});
