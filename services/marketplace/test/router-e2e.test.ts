import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeClock,
  call,
  createTestRuntime,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
// The real router and community services, by path (as services/reputation/test/router-e2e.test.ts does).
import { service as communityService } from '../../community/src/service.js';
import { service as routerService } from '../../router/src/service.js';
import { service } from '../src/service.js';
import { jwtHeaders } from './fakes.js';

/**
 * `!community install <module_id>` end to end: router → community → marketplace → router admin
 * API, then the installed command answers in the community's channel and nowhere else.
 */
let rt: TestRuntime;
let identity: FakeServer;
let diceModule: FakeServer;
let router: Awaited<ReturnType<TestRuntime['add']>>['app'];
let marketplace: Awaited<ReturnType<TestRuntime['add']>>['app'];
let penguins: number;

let seq = 0;
const say = (text: string, server = '1001', platformRole = 'owner') => {
  const id = `mp-${++seq}`;
  return call(router, 'POST', '/router/events', {
    platform: 'twitch',
    server_id: server,
    channel_id: '',
    user_id: '555',
    user_name: 'alice',
    message_content: text,
    message_type: 'chatMessage',
    event_id: id,
    metadata: { message_id: id, platform_role: platformRole },
    reply_context: { broadcaster_id: server, message_id: id },
  });
};

beforeAll(async () => {
  [identity, diceModule] = await Promise.all([startFakeServer(), startFakeServer()]);
  identity.on('POST', '/identity/resolve', (req) => ({
    body: { success: true, data: { uid: `9${req.json.platform_user_id}`, created: false } },
  }));
  diceModule.on('POST', '/roll', (req) => ({
    body: {
      success: true,
      execution_id: req.json.execution_id,
      response_action: 'chat',
      chat_message: 'rolled 4',
    },
  }));
  rt = await createTestRuntime({ env: { IDENTITY_URL: identity.url } });
  router = (await rt.add(routerService)).app;
  const c = await rt.add(communityService);
  await c.seeded;
  marketplace = (await rt.add(service)).app;

  expect((await say('!community create Penguins')).body.outcome).toBe('executed');
  expect((await say('!community add entity twitch:1001')).body.outcome).toBe('executed');
  const owner = await call(c.app, 'GET', `/entities/${encodeURIComponent('twitch:1001')}/community`);
  penguins = owner.body.data.community_id;

  const admin = jwtHeaders('1', ['admin'], rt.clock.now());
  const created = await call(
    marketplace,
    'POST',
    '/marketplace/modules',
    {
      module_id: 'dice',
      display_name: 'Dice',
      version: '1.0.0',
      author: 'e2e',
      category: 'games',
      commands: [{ command: 'dice', location_url: `${diceModule.url}/roll`, type: 'webhook' }],
    },
    admin,
  );
  expect(created.status).toBe(201);
  expect(
    (await call(marketplace, 'PUT', '/marketplace/modules/dice', { is_published: true }, admin)).status,
  ).toBe(200);
  // The router caches entity → community; the chat above saw twitch:1001 before it was added.
  (rt.clock as FakeClock).advance(601_000);
}, 180_000);
afterAll(async () => {
  await rt.close();
  await Promise.all([identity.close(), diceModule.close()]);
}, 60_000);

describe('install through chat', { timeout: 120_000 }, () => {
  it('before the install !dice is off; after it, it runs in the community channel only', async () => {
    expect((await say('!dice')).body.outcome).not.toBe('executed');

    const installed = await say('!community install dice');
    expect(installed.body.outcome).toBe('executed');
    expect(installed.body.replies[0].text).toMatch(/dice/i);

    const list = await call(marketplace, 'GET', `/marketplace/community/${penguins}/modules`);
    expect(list.body.data.modules.map((m: { module_id: string }) => m.module_id)).toContain('dice');

    const rolled = await say('!dice');
    expect(rolled.body.outcome).toBe('executed');
    expect(rolled.body.replies[0].text).toBe('rolled 4');
    expect(diceModule.calls('POST', '/roll')).toHaveLength(1);

    // A channel of another community (here: Global) does not get it.
    expect((await say('!dice', '2002')).body.outcome).toBe('disabled');

    const off = await call(marketplace, 'POST', '/marketplace/uninstall', {
      module_id: 'dice',
      community_id: penguins,
      user_id: '9555',
    });
    expect(off.status).toBe(200);
    expect(off.body.data.warning).toBeUndefined();
    expect((await say('!dice')).body.outcome).toBe('disabled');
    expect(diceModule.calls('POST', '/roll')).toHaveLength(1);
  });
});
