import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from '@waddlebot/core/testing';
import {
  call,
  json,
  jwtHeaders,
  registerAndLogin,
  serviceHeaders,
  startIdentity,
  type Harness,
} from './identity-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(async () => {
  await h.close();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
const keyHeaders = (key: string) => ({ 'X-API-Key': key, 'Content-Type': 'application/json' });
const login = (credentials: { username?: string; email?: string; password: string }) =>
  call(h.app, 'POST', '/auth/login', credentials, json);
/** Service-key call by default; `headers` replaces the credentials. */
const issueTempPassword = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  call(h.app, 'POST', '/auth/temp-password', body, headers);
const register = (account: { username: string; email: string; password: string }) =>
  call(h.app, 'POST', '/auth/register', account, json);

describe('register and login (§8.3 scenarios 4, 5)', () => {
  it('registers, logs in by username or e-mail and refuses duplicates and bad passwords', async () => {
    const { userId, token } = await registerAndLogin(h, 'penguin', 'correct horse battery');
    expect(userId).toMatch(/^\d+$/);
    const byEmail = await login({ username: 'PENGUIN@example.org', password: 'correct horse battery' });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.data).toMatchObject({
      user_id: userId,
      username: 'penguin',
      must_change_password: false,
    });
    expect(new Date(byEmail.body.data.expires_at).getTime()).toBeGreaterThan(h.rt.clock.nowMs());

    const dupName = await register({
      username: 'Penguin',
      email: 'other@example.org',
      password: 'password123',
    });
    expect(dupName.status).toBe(409);
    const dupMail = await register({
      username: 'other',
      email: 'penguin@EXAMPLE.org',
      password: 'password123',
    });
    expect(dupMail.status).toBe(409);
    const short = await register({ username: 'shorty', email: 's@example.org', password: 'short' });
    expect(short.status).toBe(400);
    const wrong = await login({ username: 'penguin', password: 'wrong password' });
    expect(wrong.status).toBe(401);
    const nobody = await login({ username: 'nobody', password: 'wrong password' });
    expect(nobody.status).toBe(401);
    expect(h.rt.logLines.some((l) => l.includes('correct horse battery'))).toBe(false);

    const profile = await call(h.app, 'GET', '/auth/profile', undefined, bearer(token));
    expect(profile.body.data).toMatchObject({
      user_id: userId,
      username: 'penguin',
      email: 'penguin@example.org',
      platforms: [],
    });
    expect((await call(h.app, 'POST', '/auth/logout', undefined, bearer(token))).body.data).toEqual({
      logged_out: true,
    });
    expect((await call(h.app, 'GET', '/auth/profile', undefined, json)).status).toBe(401);
  });

  it('updates the profile; primary_platform must be linked', async () => {
    const { userId, token } = await registerAndLogin(h, 'puffin');
    const upd = await call(
      h.app,
      'PUT',
      '/auth/profile',
      { display_name: 'Puffin!', first_name: 'Puff' },
      bearer(token),
    );
    expect(upd.body.data.updated.sort()).toEqual(['display_name', 'first_name']);
    const notLinked = await call(
      h.app,
      'PUT',
      '/auth/profile',
      { primary_platform: 'twitch' },
      bearer(token),
    );
    expect(notLinked.status).toBe(400);
    expect((await call(h.app, 'PUT', '/auth/profile', {}, bearer(token))).status).toBe(400);
    const view = await call(h.app, 'GET', `/identity/user/${userId}`);
    expect(view.body.data.display_name).toBe('Puffin!');
  });

  it('changes the password only with the current one', async () => {
    const { token } = await registerAndLogin(h, 'gannet', 'first password');
    const wrong = await call(
      h.app,
      'POST',
      '/auth/change-password',
      { current_password: 'nope nope', new_password: 'second password' },
      bearer(token),
    );
    expect(wrong.status).toBe(401);
    const ok = await call(
      h.app,
      'POST',
      '/auth/change-password',
      { current_password: 'first password', new_password: 'second password' },
      bearer(token),
    );
    expect(ok.body.data).toEqual({ changed: true });
    expect((await login({ username: 'gannet', password: 'first password' })).status).toBe(401);
    expect((await login({ username: 'gannet', password: 'second password' })).status).toBe(200);
  });
});

describe('user API keys (§8.3 scenario 4)', () => {
  it('creates at most five, acts only as their user, and stops working once revoked', async () => {
    const { userId, token } = await registerAndLogin(h, 'tern');
    const other = await registerAndLogin(h, 'skua');
    const keys: { key_id: number; api_key: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(h.app, 'POST', '/identity/api-keys', { name: `key ${i}` }, bearer(token));
      expect(res.status).toBe(201);
      expect(res.body.data.api_key).toMatch(/^wbot_user_[A-Za-z0-9_-]{43}$/);
      keys.push(res.body.data);
    }
    const sixth = await call(h.app, 'POST', '/identity/api-keys', {}, bearer(token));
    expect(sixth.status).toBe(400);
    expect(sixth.body.error.code).toBe('LIMIT_REACHED');
    expect(
      (await call(h.app, 'POST', '/identity/api-keys', { expires_in_days: 0 }, bearer(other.token))).status,
    ).toBe(400);

    const key = keys[0]!;
    const mine = await call(h.app, 'GET', `/identity/user/${userId}`, undefined, keyHeaders(key.api_key));
    expect(mine.status).toBe(200);
    expect(mine.body.data.username).toBe('tern');
    const theirs = await call(
      h.app,
      'GET',
      `/identity/user/${other.userId}`,
      undefined,
      keyHeaders(key.api_key),
    );
    expect(theirs.status).toBe(403);
    expect(JSON.stringify(theirs.body)).not.toContain('skua');
    const svcTemp = await issueTempPassword({
      platform: 'discord',
      platform_id: '90210',
      platform_username: 'skua_chat',
      email: 'skua-chat@example.org',
    });
    expect(svcTemp.status).toBe(200);
    const foreignAccount = await call(
      h.app,
      'GET',
      '/identity/platform/discord/90210',
      undefined,
      keyHeaders(key.api_key),
    );
    expect(foreignAccount.status).toBe(403);
    expect(JSON.stringify(foreignAccount.body)).not.toContain('skua_chat');

    const list = await call(h.app, 'GET', '/identity/api-keys', undefined, bearer(token));
    expect(list.body.data.api_keys).toHaveLength(5);
    expect(list.body.data.api_keys[0].key_id).toBe(keys[4]!.key_id);
    const used = list.body.data.api_keys.find((k: { key_id: number }) => k.key_id === key.key_id);
    expect(used.usage_count).toBe(3);
    expect(JSON.stringify(list.body)).not.toContain(key.api_key);
    expect(
      (await call(h.app, 'GET', '/identity/api-keys', undefined, bearer(other.token))).body.data.api_keys,
    ).toEqual([]);

    // Another user can neither revoke nor regenerate it.
    expect(
      (await call(h.app, 'DELETE', `/identity/api-keys/${key.key_id}`, undefined, bearer(other.token)))
        .status,
    ).toBe(404);
    expect(
      (
        await call(
          h.app,
          'POST',
          `/identity/api-keys/${key.key_id}/regenerate`,
          undefined,
          bearer(other.token),
        )
      ).status,
    ).toBe(404);

    const regen = await call(
      h.app,
      'POST',
      `/identity/api-keys/${keys[1]!.key_id}/regenerate`,
      undefined,
      bearer(token),
    );
    expect(regen.status).toBe(200);
    expect(
      (await call(h.app, 'GET', `/identity/user/${userId}`, undefined, keyHeaders(keys[1]!.api_key))).status,
    ).toBe(401);
    expect(
      (await call(h.app, 'GET', `/identity/user/${userId}`, undefined, keyHeaders(regen.body.data.api_key)))
        .status,
    ).toBe(200);

    expect(
      (await call(h.app, 'DELETE', `/identity/api-keys/${key.key_id}`, undefined, bearer(token))).body.data,
    ).toEqual({ revoked: true });
    expect(
      (await call(h.app, 'GET', `/identity/user/${userId}`, undefined, keyHeaders(key.api_key))).status,
    ).toBe(401);
    expect(
      (await call(h.app, 'DELETE', `/identity/api-keys/${key.key_id}`, undefined, bearer(token))).status,
    ).toBe(404);
    expect((await call(h.app, 'POST', '/identity/api-keys', {}, bearer(token))).status).toBe(201);
    expect((await call(h.app, 'GET', '/identity/user/abc')).status).toBe(400);
    expect((await call(h.app, 'POST', '/identity/api-keys', {}, serviceHeaders())).status).toBe(401);
  });
});

describe('temporary passwords (§7.4)', () => {
  it('stores an optional display_name with the temp password, and keeps the current one without it', async () => {
    const issued = await issueTempPassword({
      platform: 'discord',
      platform_id: '42424',
      platform_username: 'shearwater',
      email: 'shearwater@example.org',
      display_name: '  Shearwater the Great  ',
    });
    expect(issued.status).toBe(200);
    const { user_id } = issued.body.data;
    const shown = async () => (await call(h.app, 'GET', `/identity/user/${user_id}`)).body.data.display_name;
    expect(await shown()).toBe('Shearwater the Great');
    expect((await issueTempPassword({ user_id, email: 'shearwater@example.org' })).status).toBe(200);
    expect(await shown()).toBe('Shearwater the Great');
    expect(
      (
        await issueTempPassword({
          user_id,
          email: 'shearwater@example.org',
          display_name: 'Shearwater II',
        })
      ).status,
    ).toBe(200);
    expect(await shown()).toBe('Shearwater II');
    const tooLong = await issueTempPassword({
      user_id,
      email: 'shearwater@example.org',
      display_name: 'x'.repeat(129),
    });
    expect(tooLong.status).toBe(400);
  });

  it('issues a temp password for a platform account, forces a change, and expires it', async () => {
    const issued = await issueTempPassword({
      platform: 'twitch',
      platform_id: '31337',
      platform_username: 'owner',
      email: 'owner@example.org',
    });
    expect(issued.status).toBe(200);
    expect(issued.body.data.temp_password).toHaveLength(16);
    const { user_id, temp_password } = issued.body.data;
    const resolved = await call(h.app, 'POST', '/identity/resolve', {
      platform: 'twitch',
      platform_user_id: '31337',
      user_name: 'owner',
    });
    expect(resolved.body.data.uid).toBe(user_id);
    const tempLogin = await login({ email: 'owner@example.org', password: temp_password });
    expect(tempLogin.status).toBe(200);
    expect(tempLogin.body.data.must_change_password).toBe(true);

    // Re-issuing before the change replaces the temp password.
    const again = await issueTempPassword({ user_id, email: 'owner@example.org' });
    expect(again.status).toBe(200);
    expect((await login({ email: 'owner@example.org', password: temp_password })).status).toBe(401);

    const taken = await issueTempPassword({ user_id, email: 'penguin@example.org' });
    expect(taken.status).toBe(409);
    expect((await issueTempPassword({ user_id: '999999', email: 'x@example.org' })).status).toBe(404);
    expect((await issueTempPassword({ user_id, email: 'owner@example.org' }, json)).status).toBe(401);

    (h.rt.clock as FakeClock).advance(25 * 3_600_000);
    const expired = await login({ email: 'owner@example.org', password: again.body.data.temp_password });
    expect(expired.status).toBe(401);

    const fresh = await issueTempPassword({ user_id, email: 'owner@example.org' });
    const first = await login({ email: 'owner@example.org', password: fresh.body.data.temp_password });
    const changed = await call(
      h.app,
      'POST',
      '/auth/change-password',
      { current_password: fresh.body.data.temp_password, new_password: 'a permanent one' },
      bearer(first.body.data.token),
    );
    expect(changed.status).toBe(200);
    const permanent = await login({ email: 'owner@example.org', password: 'a permanent one' });
    expect(permanent.body.data.must_change_password).toBe(false);
    expect((await issueTempPassword({ user_id, email: 'owner@example.org' })).status).toBe(409);
  });
});

describe('JWT-initiated linking', () => {
  it('a token for another user cannot act on this one, and a retired user token stops working', async () => {
    const { userId, token } = await registerAndLogin(h, 'eider');
    const res = await call(
      h.app,
      'POST',
      '/identity/link',
      { target_platform: 'twitch', target_username: 'EiderTV', user_id: '1' },
      bearer(token),
    );
    expect(res.status).toBe(200);
    const pending = await call(h.app, 'GET', `/identity/pending?user_id=1`, undefined, bearer(token));
    expect(pending.body.data.pending[0].target_username).toBe('EiderTV');
    const svcView = await call(h.app, 'GET', `/identity/pending?user_id=${userId}`);
    expect(svcView.body.data.pending).toHaveLength(1);
    expect((await call(h.app, 'GET', '/auth/profile', undefined, jwtHeaders(h, '987654'))).status).toBe(401);
  });
});
