import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/clients/http.js';
import { AppError } from '../../src/http/errors.js';
import { createMemoryLogger } from '../../src/log/index.js';
import { communityRoles } from '../../src/service/index.js';
import { startFakeServer, type FakeServer } from '../../src/testing/index.js';

const SERVICE_KEY = 'k'.repeat(32);
let community: FakeServer;

function client(baseUrl = community.url) {
  return createHttpClient({
    baseUrl,
    timeoutMs: 1000,
    headers: { 'X-Service-Key': SERVICE_KEY },
    breakerThreshold: 0,
    backoffInitialMs: 1,
    backoffMaxMs: 1,
  });
}

async function upstreamError(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

beforeAll(async () => {
  community = await startFakeServer();
});
afterAll(() => community.close());
beforeEach(() => community.reset());

describe('communityRoles', () => {
  it('asks the community service for the stored role with the service key', async () => {
    community.on('GET', '/users/twitch%3A42/communities/7/role', { body: { data: { role: 'moderator' } } });
    const storedRole = communityRoles({ community: client() });
    expect(await storedRole('twitch:42', 7)).toBe('moderator');
    expect(await storedRole('twitch:42', '7')).toBe('moderator');
    const [req] = community.calls('GET', '/users/twitch%3A42/communities/7/role');
    expect(req!.headers['x-service-key']).toBe(SERVICE_KEY);
  });

  it('no stored role (null, 404 or not a role) is not a member, except in Global where everyone is', async () => {
    community.on('GET', /\/communities\/7\/role$/, { body: { data: { role: null } } });
    community.on('GET', /\/communities\/8\/role$/, { status: 404, body: {} });
    community.on('GET', /\/communities\/9\/role$/, { body: { data: { role: 'emperor' } } });
    community.on('GET', /\/communities\/1\/role$/, { body: { data: { role: null } } });
    const storedRole = communityRoles({ community: client() });
    expect(await storedRole('twitch:42', 7)).toBeNull();
    expect(await storedRole('twitch:42', 8)).toBeNull();
    expect(await storedRole('twitch:42', 9)).toBeNull();
    expect(await storedRole('twitch:42', 1)).toBe('member');
    expect(await storedRole('twitch:42', '1')).toBe('member');
    const storedOnly = communityRoles({ community: client(), implicitGlobalMembership: false });
    expect(await storedOnly('twitch:42', 1)).toBeNull();
  });

  it('a stored role in Global is kept', async () => {
    community.on('GET', /\/communities\/1\/role$/, { body: { data: { role: 'admin' } } });
    expect(await communityRoles({ community: client() })('twitch:42', 1)).toBe('admin');
  });

  it('a failing or unreachable community service is a logged 502, never a guessed role', async () => {
    community.on('GET', /\/role$/, { status: 500, body: {} });
    const { logger, lines } = createMemoryLogger({ module: 'labels' });
    const err = await upstreamError(communityRoles({ community: client(), logger })('twitch:42', 1));
    expect(err.status).toBe(502);
    expect(err.code).toBe('UPSTREAM_ERROR');
    expect(lines.some((l) => l.includes('community role lookup failed') && l.includes('500'))).toBe(true);

    const down = await startFakeServer();
    const downUrl = down.url;
    await down.close();
    const unreachable = await upstreamError(communityRoles({ community: client(downUrl) })('twitch:42', 7));
    expect(unreachable.status).toBe(502);
  });
});
