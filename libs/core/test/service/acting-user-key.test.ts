import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import type { AuthContext } from '../../src/auth/types.js';
import type { AppEnv } from '../../src/http/app.js';
import { actingUserKey } from '../../src/service/index.js';

function authAs(kind: AuthContext['kind'], user_id: string | null): AuthContext {
  return { kind, user_id, username: null, email: null, roles: [], permissions: [] };
}

async function actingKey(
  auth: AuthContext,
  body: { user_id?: string },
  headers: Record<string, string> = {},
) {
  const app = new Hono<AppEnv>();
  app.post('/', async (c) => {
    c.set('auth', auth);
    const { user_id } = await c.req.json<{ user_id?: string }>();
    return c.json({ key: actingUserKey(c, user_id) });
  });
  const res = await app.request('/', { method: 'POST', body: JSON.stringify(body), headers });
  return ((await res.json()) as { key: string | null }).key;
}

describe('actingUserKey', () => {
  it('a JWT acts as its own user, whatever the body or headers name', async () => {
    expect(
      await actingKey(
        authAs('jwt', 'twitch:1'),
        { user_id: 'twitch:2' },
        { 'X-WaddleBot-User-Id': 'twitch:3' },
      ),
    ).toBe('twitch:1');
  });

  it('a service acts for the user its body names, else its header, else nobody', async () => {
    const svc = authAs('service', null);
    const header = { 'X-WaddleBot-User-Id': 'twitch:3' };
    expect(await actingKey(svc, { user_id: 'twitch:2' }, header)).toBe('twitch:2');
    expect(await actingKey(svc, { user_id: '  ' }, header)).toBe('twitch:3');
    expect(await actingKey(svc, {}, header)).toBe('twitch:3');
    expect(await actingKey(svc, {})).toBeNull();
  });
});
