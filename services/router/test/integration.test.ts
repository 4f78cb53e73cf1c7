import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createTestRuntime,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
// The real alias service, imported by path: vitest resolves workspace packages without the source condition.
import { service as aliasService } from '../../alias/src/service.js';
import type { Kysely } from 'kysely';
import type { RouterDB } from '../src/db.js';
import { service } from '../src/service.js';
import { twitchChat } from './harness.js';

/** The router with the real alias service in one process: seeding and contracts §13 re-dispatch. */
let rt: TestRuntime;
let module: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let db: Kysely<RouterDB>;

beforeAll(async () => {
  module = await startFakeServer();
  module.on('POST', '/shoutout', {
    status: 200,
    body: { success: true, response_action: 'chat', chat_message: 'bob is awesome, go follow!' },
  });
  rt = await createTestRuntime({ env: { SHOUTOUT_URL: module.url } });
  const router = await rt.add(service);
  app = router.app;
  db = rt.db.database.forSchema<RouterDB>('router');
  const alias = await rt.add(aliasService);
  await alias.seeded;
  const so = await call(app, 'POST', '/router/admin/commands', {
    command: 'so',
    module_name: 'shoutout',
    location_url: `${module.url}/shoutout`,
  });
  expect(so.status).toBe(201);
});
afterAll(async () => {
  await rt.close();
  await module.close();
});

describe('router + alias service', () => {
  it('the alias service seeded its rows through POST /router/admin/commands', async () => {
    const rows = await db
      .selectFrom('commands')
      .select(['command', 'trigger_type'])
      .where('module_name', '=', 'alias')
      .execute();
    expect(rows).toEqual(
      expect.arrayContaining([
        { command: 'alias', trigger_type: 'command' },
        { command: 'alias-fallback', trigger_type: 'fallback' },
      ]),
    );
  });

  it('a command alias re-dispatches through the router with alias_depth 1', async () => {
    const add = await call(
      app,
      'POST',
      '/router/events',
      twitchChat('!alias add hype !so bob', { metadata: { platform_role: 'moderator' } }),
    );
    expect(add.body.outcome).toBe('executed');
    const res = await call(app, 'POST', '/router/events', twitchChat('!hype', { user_id: '777' }));
    expect(res.body.outcome).toBe('executed');
    expect(res.body.replies[0].text).toBe('bob is awesome, go follow!');
    const [sent] = module.calls('POST', '/shoutout');
    expect(sent!.json).toMatchObject({ command: 'so', alias_depth: 1, args: ['bob'] });
  });

  it('an unknown name stays unknown_command with no chat', async () => {
    const res = await call(app, 'POST', '/router/events', twitchChat('!nosuchalias', { user_id: '778' }));
    expect(res.body).toMatchObject({ outcome: 'unknown_command', replies: [] });
  });
});
