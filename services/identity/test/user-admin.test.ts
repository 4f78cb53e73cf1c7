import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { IdentityDB } from '../src/db.js';
import { call, json, startIdentity, type Harness } from './identity-harness.js';

let h: Harness;
const PASSWORD = 'Correct-Horse-9';
const users: Record<string, string> = {};

const bearer = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
const keyHeaders = (key: string) => ({ 'X-API-Key': key, 'Content-Type': 'application/json' });

async function loginToken(username: string) {
  return call(h.app, 'POST', '/auth/login', { username, password: PASSWORD }, json);
}

beforeAll(async () => {
  h = await startIdentity();
  for (const [name, email] of [
    ['alice', 'alice@walrus.example'],
    ['bob', 'bob@seal.example'],
    ['carol', 'carol@seal.example'],
    ['dave_x', 'dave@puffin.example'],
  ] as const) {
    const r = await call(
      h.app,
      'POST',
      '/auth/register',
      { username: name, email, password: PASSWORD },
      json,
    );
    expect(r.status).toBe(201);
    users[name] = r.body.data.user_id;
  }
  // carol is a platform administrator (the account role is only ever granted in the database).
  const db = h.deps.db as Kysely<IdentityDB>;
  const admin = await db
    .selectFrom('auth_role')
    .select('id')
    .where('name', '=', 'admin')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('auth_user_roles')
    .values({ user_id: Number(users.carol), role_id: admin.id, assigned_at: new Date(), assigned_by: null })
    .execute();
});
afterAll(() => h.close());

describe('GET /identity/users', () => {
  it('needs the service key or a platform-admin JWT', async () => {
    expect((await call(h.app, 'GET', '/identity/users', undefined, json)).status).toBe(401);
    const bob = (await loginToken('bob')).body.data.token as string;
    const refused = await call(h.app, 'GET', '/identity/users', undefined, bearer(bob));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const carol = (await loginToken('carol')).body.data.token as string;
    const allowed = await call(h.app, 'GET', '/identity/users', undefined, bearer(carol));
    expect(allowed.status).toBe(200);
    expect(allowed.body.data.map((u: { username: string }) => u.username)).toEqual([
      'alice',
      'bob',
      'carol',
      'dave_x',
    ]);
  });

  it('pages with contracts §5 meta and never returns hashes', async () => {
    const r = await call(h.app, 'GET', '/identity/users?per_page=3&page=2');
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(1);
    expect(r.body.data[0]).toMatchObject({ user_id: users.dave_x, username: 'dave_x', is_active: true });
    expect(r.body.meta).toEqual({
      page: 2,
      per_page: 3,
      total: 4,
      total_pages: 2,
      has_next: false,
      has_prev: true,
    });
    const all = await call(h.app, 'GET', '/identity/users');
    expect(JSON.stringify(all.body)).not.toMatch(/hash|scrypt\$/i);
    expect((await call(h.app, 'GET', '/identity/users?per_page=500')).status).toBe(400);
  });

  it('searches username and e-mail substrings, case-insensitively and literally', async () => {
    const names = async (q: string) =>
      (await call(h.app, 'GET', `/identity/users?search=${encodeURIComponent(q)}`)).body.data.map(
        (u: { username: string }) => u.username,
      );
    expect(await names('ALI')).toEqual(['alice']);
    expect(await names('seal.EXAMPLE')).toEqual(['bob', 'carol']);
    // "_" is a LIKE wildcard; the search treats it as text.
    expect(await names('e_x')).toEqual(['dave_x']);
    expect(await names('%')).toEqual([]);
  });
});

describe('PUT /identity/users/:id/active', () => {
  it('a deactivated user cannot log in and its API keys stop working until reactivated', async () => {
    const token = (await loginToken('alice')).body.data.token as string;
    const created = await call(h.app, 'POST', '/identity/api-keys', { name: 'bot' }, bearer(token));
    expect(created.status).toBe(201);
    const revoked = await call(h.app, 'POST', '/identity/api-keys', { name: 'old' }, bearer(token));
    expect(
      (
        await call(
          h.app,
          'DELETE',
          `/identity/api-keys/${revoked.body.data.key_id}`,
          undefined,
          bearer(token),
        )
      ).status,
    ).toBe(200);
    const key = created.body.data.api_key as string;
    const me = () => call(h.app, 'GET', `/identity/user/${users.alice}`, undefined, keyHeaders(key));
    expect((await me()).status).toBe(200);

    const off = await call(h.app, 'PUT', `/identity/users/${users.alice}/active`, { is_active: false });
    expect(off.status).toBe(200);
    expect(off.body.data).toEqual({ user_id: users.alice, is_active: false });
    expect((await loginToken('alice')).status).toBe(401);
    expect((await me()).status).toBe(401);
    expect((await call(h.app, 'GET', '/auth/profile', undefined, bearer(token))).status).toBe(401);
    const listed = await call(h.app, 'GET', '/identity/users?search=alice');
    expect(listed.body.data[0].is_active).toBe(false);

    const on = await call(h.app, 'PUT', `/identity/users/${users.alice}/active`, { is_active: true });
    expect(on.body.data).toEqual({ user_id: users.alice, is_active: true });
    expect((await loginToken('alice')).status).toBe(200);
    expect((await me()).status).toBe(200);
    // Only the keys the deactivation switched off come back; a key revoked before stays revoked.
    const keys = await call(h.app, 'GET', '/identity/api-keys', undefined, bearer(token));
    expect(keys.body.data.api_keys.map((k: { name: string }) => k.name)).toEqual(['bot']);
  });

  it('refuses non-admins, unknown users and bad bodies', async () => {
    const bob = (await loginToken('bob')).body.data.token as string;
    expect(
      (await call(h.app, 'PUT', `/identity/users/${users.dave_x}/active`, { is_active: false }, bearer(bob)))
        .status,
    ).toBe(403);
    expect((await call(h.app, 'PUT', '/identity/users/999999/active', { is_active: false })).status).toBe(
      404,
    );
    expect(
      (await call(h.app, 'PUT', `/identity/users/${users.bob}/active`, { is_active: 'no' })).status,
    ).toBe(400);
    const carol = (await loginToken('carol')).body.data.token as string;
    const byAdmin = await call(
      h.app,
      'PUT',
      `/identity/users/${users.dave_x}/active`,
      { is_active: false },
      bearer(carol),
    );
    expect(byAdmin.status).toBe(200);
    expect((await loginToken('dave_x')).status).toBe(401);
  });
});
